package dev.ledger.core.memory;

import dev.ledger.core.StatementCursor;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * One account's transfers in statement order (recorded time, then id as unsigned bytes) with the running balance after
 * each, so that a balance as of any instant is one binary search. Transfers arrive almost in order; one that arrives
 * late is inserted in place and the running balances after it are adjusted (a few entries at most, in practice).
 *
 * <p>Entries are primitive: three longs each (time in epoch micros, balance after, row in the {@link TransferTable}
 * with the direction), in blocks of the store's {@link LogSlab}, so that appending touches one cache line, growing
 * copies nothing, and the garbage collector has nothing to trace or move.
 *
 * <p>Guarded by its own monitor, held only for the duration of one operation on this account and never while taking
 * another lock, so it cannot take part in a deadlock.
 */
final class AccountLog {
    private static final int TIME = 0;
    private static final int BALANCE = 1;
    /**
     * The row, shifted left by two, with bit 0 set for a credit and bit 1 for an entry that leaves the posted balance
     * as it is (a pending transfer or a void).
     */
    private static final int ROW = 2;

    private final TransferTable table;
    private final LogSlab slab;
    /** The arrays holding this log's blocks, and where each block starts in its array. */
    private long[][] arrays = new long[2][];

    private int[] bases = new int[2];
    private int size;
    /** The block the next entry goes to ({@code size} is a multiple of the block size: a new one), and its start. */
    private long[] tail = EMPTY;

    private int tailBase;
    /** The time and the running balance of the last entry; {@code Long.MIN_VALUE} and 0 when there is none. */
    private long lastTime = Long.MIN_VALUE;

    private long lastBalance;

    private static final long[] EMPTY = new long[0];

    AccountLog(TransferTable table, LogSlab slab) {
        this.table = table;
        this.slab = slab;
    }

    private long get(int i, int field) {
        int b = i >>> LogSlab.BLOCK_SHIFT;
        return arrays[b][bases[b] + (i & (LogSlab.BLOCK_ENTRIES - 1)) * LogSlab.ENTRY + field];
    }

    private void set(int i, int field, long value) {
        int b = i >>> LogSlab.BLOCK_SHIFT;
        arrays[b][bases[b] + (i & (LogSlab.BLOCK_ENTRIES - 1)) * LogSlab.ENTRY + field] = value;
    }

    private int row(int i) {
        return (int) (get(i, ROW) >>> 2);
    }

    private long change(int i) {
        long packed = get(i, ROW);
        if ((packed & 2) != 0) {
            return 0;
        }
        long amount = table.amount((int) (packed >>> 2));
        return (packed & 1) != 0 ? amount : -amount;
    }

    /**
     * Adds transfer {@code row}, dated {@code micros}, which moves this account's posted balance by {@code change} (its
     * amount, negative for the source; 0 for a pending transfer or a void); {@code credit}: this account is the
     * destination.
     */
    synchronized void add(long micros, long change, int row, boolean credit) {
        long packed = ((long) row << 2) | (credit ? 1 : 0) | (change == 0 ? 2 : 0);
        if (micros > lastTime) {
            // After every entry (the usual case): written at the end from the fields above, without reading the blocks.
            int offset = size & (LogSlab.BLOCK_ENTRIES - 1);
            if (offset == 0) {
                newBlock();
            }
            int at = tailBase + offset * LogSlab.ENTRY;
            lastBalance += change;
            tail[at + TIME] = micros;
            tail[at + BALANCE] = lastBalance;
            tail[at + ROW] = packed;
            lastTime = micros;
            size++;
            return;
        }
        long high = 0;
        long low = 0;
        boolean idRead = false;
        int pos = size;
        while (pos > 0) {
            long previous = get(pos - 1, TIME);
            if (previous < micros) {
                break;
            }
            if (previous == micros) {
                if (!idRead) {
                    high = table.idHigh(row);
                    low = table.idLow(row);
                    idRead = true;
                }
                if (compareIds(row(pos - 1), high, low) <= 0) {
                    break;
                }
            }
            pos--;
        }
        if ((size & (LogSlab.BLOCK_ENTRIES - 1)) == 0) {
            newBlock();
        }
        for (int i = size; i > pos; i--) {
            set(i, TIME, get(i - 1, TIME));
            set(i, BALANCE, get(i - 1, BALANCE) + change);
            set(i, ROW, get(i - 1, ROW));
        }
        set(pos, TIME, micros);
        set(pos, BALANCE, (pos == 0 ? 0 : get(pos - 1, BALANCE)) + change);
        set(pos, ROW, packed);
        size++;
        lastTime = get(size - 1, TIME);
        lastBalance = get(size - 1, BALANCE);
    }

    /** Takes a new block of the slab for the entries from {@code size} on. */
    private void newBlock() {
        int count = size >>> LogSlab.BLOCK_SHIFT;
        if (count == arrays.length) {
            arrays = Arrays.copyOf(arrays, count * 2);
            bases = Arrays.copyOf(bases, count * 2);
        }
        int block = slab.newBlock();
        tail = slab.array(block);
        tailBase = LogSlab.base(block);
        arrays[count] = tail;
        bases[count] = tailBase;
    }

    /** Compares the id of {@code row} with {@code (high, low)}, as unsigned bytes. */
    private int compareIds(int row, long high, long low) {
        int c = Long.compareUnsigned(table.idHigh(row), high);
        return c != 0 ? c : Long.compareUnsigned(table.idLow(row), low);
    }

    /** Compares entry {@code i} with the position {@code (micros, high, low)}, in {@link StatementCursor#ORDER}. */
    private int compare(int i, long micros, long high, long low) {
        int c = Long.compare(get(i, TIME), micros);
        return c != 0 ? c : compareIds(row(i), high, low);
    }

    /** The balance over the transfers recorded at or before {@code asOf}. */
    synchronized long balanceAsOf(Instant asOf) {
        int last = lastAtOrBefore(floorMicros(asOf), -1L, -1L);
        return last < 0 ? 0 : get(last, BALANCE);
    }

    /**
     * Calls {@code action} with each entry's row in statement order, under this log's monitor (so {@code action} must
     * not take locks), and whether it credits this account.
     */
    synchronized void forEachRow(RowAction action) {
        for (int i = 0; i < size; i++) {
            action.accept(row(i), (get(i, ROW) & 1) != 0);
        }
    }

    /** Calls {@code action} with the row of each debit of this account. */
    synchronized void forEachDebit(IntConsumer action) {
        for (int i = 0; i < size; i++) {
            if ((get(i, ROW) & 1) == 0) {
                action.accept(row(i));
            }
        }
    }

    /** What {@link #forEachRow} calls. */
    interface RowAction {
        void accept(int row, boolean credit);
    }

    /** Index of the last entry whose key is {@code <= key}, or -1. */
    private int lastAtOrBefore(long micros, long high, long low) {
        int lo = 0;
        int hi = size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(mid, micros, high, low) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Index of the first entry whose key is {@code >= key} ({@code size} if none). */
    private int firstAtOrAfter(long micros, long high, long low) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(mid, micros, high, low) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private int lastAtOrBefore(StatementCursor key) {
        return lastAtOrBefore(
                TransferTable.micros(key.recordedAt()),
                key.transferId().getMostSignificantBits(),
                key.transferId().getLeastSignificantBits());
    }

    private int firstAtOrAfter(StatementCursor key) {
        return firstAtOrAfter(
                TransferTable.micros(key.recordedAt()),
                key.transferId().getMostSignificantBits(),
                key.transferId().getLeastSignificantBits());
    }

    synchronized StatementPage page(StatementQuery query) {
        boolean forward = query.direction() == StatementQuery.Direction.FORWARD;
        int i;
        if (forward) {
            i = 0;
            if (query.after() != null) {
                i = lastAtOrBefore(query.after()) + 1;
            }
            if (query.from() != null) {
                i = Math.max(i, firstAtOrAfter(floorMicros(query.from()), 0L, 0L));
            }
        } else {
            i = size - 1;
            if (query.after() != null) {
                i = firstAtOrAfter(query.after()) - 1;
            }
            if (query.to() != null) {
                i = Math.min(i, lastAtOrBefore(floorMicros(query.to()), -1L, -1L));
            }
        }
        int step = forward ? 1 : -1;
        List<StatementLine> lines = new ArrayList<>(Math.min(query.limit(), 64));
        StatementCursor next = null;
        for (; i >= 0 && i < size; i += step) {
            Transfer transfer = table.transfer(row(i));
            if (!query.includes(transfer.recordedAt(), transfer.id())) {
                Instant t = transfer.recordedAt();
                boolean pastEnd = forward
                        ? query.to() != null && !t.isBefore(query.to())
                        : query.from() != null && t.isBefore(query.from());
                if (pastEnd) {
                    break;
                }
                continue;
            }
            if (lines.size() == query.limit()) {
                next = lines.get(lines.size() - 1).cursor();
                break;
            }
            // (a pending transfer's status is the store's to tell: PENDING until it does)
            lines.add(new StatementLine(
                    transfer,
                    change(i),
                    get(i, BALANCE),
                    transfer.isPending() ? dev.ledger.core.PendingStatus.PENDING : null));
        }
        return new StatementPage(lines, next);
    }

    /** The instant truncated to the microsecond (towards the past), as epoch micros. */
    private static long floorMicros(Instant t) {
        return TransferTable.micros(t);
    }
}
