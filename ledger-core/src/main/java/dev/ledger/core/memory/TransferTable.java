package dev.ledger.core.memory;

import dev.ledger.core.AccountId;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferKind;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Every transfer of an {@link InMemoryLedgerStore}, one row each, in primitive columns grouped in chunks of up to 2^18
 * rows: millions of transfers are then a few hundred arrays the garbage collector need not trace, instead of millions
 * of objects. A {@link Transfer} is built from its row when read.
 *
 * <p>Each thread takes rows from a range of its own (rows a thread never uses stay empty: nothing refers to them). A
 * row is written once, by the thread that took it, before that thread publishes it through a volatile or locked
 * structure (an account's log, the id index); readers find rows only through those, so they see them whole.
 */
final class TransferTable {
    /** From 2^10 rows (56 KiB) to 2^18 rows (14 MiB) a chunk. */
    private static final Chunks CHUNKS = new Chunks(10, 18);
    /**
     * Longs per row: id high, id low, amount, recorded time (epoch micros), source index, source's debits after, and
     * the source and destination account numbers (high and low half).
     */
    private static final int LONGS = 7;

    /** Rows a thread takes at a time, so that threads do not contend for every row. */
    private static final int RANGE = 256;

    /** The first row no thread has taken. */
    private final AtomicInteger next = new AtomicInteger();
    /** Per thread: the next row of its range and the end of the range. */
    private final ThreadLocal<int[]> ranges = ThreadLocal.withInitial(() -> new int[2]);
    /**
     * Written once per chunk, under this table's monitor; read without it: a row is read only after its writer, who saw
     * the chunk, published the row, and a chunk's fields are final.
     */
    private final Chunk[] chunks = new Chunk[CHUNKS.count()];
    /** Resolves an account number (stored in the rows) to the account. */
    private final IntFunction<AccountId> accounts;

    private final IntFunction<String> currencies;

    TransferTable(IntFunction<AccountId> accounts, IntFunction<String> currencies) {
        this.accounts = accounts;
        this.currencies = currencies;
    }

    private static final class Chunk {
        /** One array per chunk: large ones the garbage collector allocates in place and never copies. */
        final long[] longs;
        /** Allocated with the chunk's first reference: most transfers have none. */
        volatile String @Nullable [] references;
        /** Allocated with the chunk's first transfer with metadata: most transfers have none. */
        volatile Map<String, String> @Nullable [] metadata;
        /** Allocated with the chunk's first two-phase transfer (pending, post or void): null for immediate ones. */
        volatile Phase @Nullable [] phases;

        Chunk(int rows) {
            longs = new long[rows * LONGS];
        }
    }

    /** The two-phase fields of a row that is not an immediate transfer. */
    record Phase(
            TransferKind kind,
            @Nullable UUID pendingId,
            @Nullable Instant expiresAt) {}

    /** Writes a new row and returns its number; the caller publishes it. */
    int add(
            UUID id,
            int source,
            int destination,
            long amount,
            long micros,
            long sourceIndex,
            long debitsAfter,
            @Nullable String reference,
            Map<String, String> metadata) {
        return add(id, source, destination, amount, micros, sourceIndex, debitsAfter, reference, metadata, null);
    }

    /** As above, for a two-phase transfer when {@code phase} is not null. */
    int add(
            UUID id,
            int source,
            int destination,
            long amount,
            long micros,
            long sourceIndex,
            long debitsAfter,
            @Nullable String reference,
            Map<String, String> metadata,
            @Nullable Phase phase) {
        int[] range = ranges.get();
        if (range[0] == range[1]) {
            int start = next.getAndAdd(RANGE);
            if (start < 0 || start > Integer.MAX_VALUE - RANGE) {
                next.set(Integer.MIN_VALUE);
                throw new LedgerUnavailableException(
                        LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                        "the in-memory store holds 2^31 transfers, its limit",
                        id,
                        null);
            }
            range[0] = start;
            range[1] = start + RANGE;
        }
        int row = range[0]++;
        int k = CHUNKS.chunk(row);
        Chunk chunk = chunks[k];
        if (chunk == null) {
            chunk = newChunk(k);
        }
        int offset = CHUNKS.offset(row);
        int at = offset * LONGS;
        long[] longs = chunk.longs;
        longs[at] = id.getMostSignificantBits();
        longs[at + 1] = id.getLeastSignificantBits();
        longs[at + 2] = amount;
        longs[at + 3] = micros;
        longs[at + 4] = sourceIndex;
        longs[at + 5] = debitsAfter;
        longs[at + 6] = ((long) source << 32) | (destination & 0xFFFF_FFFFL);
        if (reference != null) {
            synchronized (chunk) {
                String[] references = chunk.references;
                if (references == null) {
                    references = new String[CHUNKS.size(k)];
                    chunk.references = references;
                }
                references[offset] = reference;
            }
        }
        if (!metadata.isEmpty()) {
            synchronized (chunk) {
                Map<String, String>[] all = chunk.metadata;
                if (all == null) {
                    @SuppressWarnings("unchecked")
                    Map<String, String>[] created = (Map<String, String>[]) new Map<?, ?>[CHUNKS.size(k)];
                    all = created;
                    chunk.metadata = all;
                }
                all[offset] = metadata;
            }
        }
        if (phase != null) {
            synchronized (chunk) {
                Phase[] all = chunk.phases;
                if (all == null) {
                    all = new Phase[CHUNKS.size(k)];
                    chunk.phases = all;
                }
                all[offset] = phase;
            }
        }
        return row;
    }

    private synchronized Chunk newChunk(int k) {
        Chunk chunk = chunks[k];
        if (chunk == null) {
            chunk = new Chunk(CHUNKS.size(k));
            chunks[k] = chunk;
        }
        return chunk;
    }

    private long field(int row, int field) {
        return chunks[CHUNKS.chunk(row)].longs[CHUNKS.offset(row) * LONGS + field];
    }

    long idHigh(int row) {
        return field(row, 0);
    }

    long idLow(int row) {
        return field(row, 1);
    }

    long amount(int row) {
        return field(row, 2);
    }

    long micros(int row) {
        return field(row, 3);
    }

    long sourceIndex(int row) {
        return field(row, 4);
    }

    /** The source's cumulative debits including this transfer. */
    long debitsAfter(int row) {
        return field(row, 5);
    }

    int source(int row) {
        return (int) (field(row, 6) >>> 32);
    }

    /** The transfer in row {@code row}. */
    Transfer transfer(int row) {
        Chunk chunk = chunks[CHUNKS.chunk(row)];
        int offset = CHUNKS.offset(row);
        int at = offset * LONGS;
        long[] longs = chunk.longs;
        int source = (int) (longs[at + 6] >>> 32);
        String[] references = chunk.references;
        Map<String, String>[] metadata = chunk.metadata;
        Map<String, String> entries = metadata == null ? null : metadata[offset];
        Phase[] phases = chunk.phases;
        Phase phase = phases == null ? null : phases[offset];
        return new Transfer(
                new UUID(longs[at], longs[at + 1]),
                accounts.apply(source),
                longs[at + 4],
                accounts.apply((int) longs[at + 6]),
                longs[at + 2],
                currencies.apply(source),
                instant(longs[at + 3]),
                references == null ? null : references[offset],
                entries == null ? Map.of() : entries,
                phase == null ? TransferKind.IMMEDIATE : phase.kind(),
                phase == null ? null : phase.pendingId(),
                phase == null ? null : phase.expiresAt());
    }

    /** An instant of microsecond precision as epoch microseconds. */
    static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
