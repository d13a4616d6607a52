package dev.ledger.core.memory;

import dev.ledger.core.StatementCursor;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * One account's transfers in statement order (recorded time, then id as unsigned bytes) with the running
 * balance after each, so that a balance as of any instant is one binary search. Transfers arrive almost in
 * order; one that arrives late is inserted in place and the running balances after it are adjusted (a few
 * entries at most, in practice).
 *
 * <p>Guarded by its own monitor, held only for the duration of one operation on this account and never while
 * taking another lock, so it cannot take part in a deadlock.
 */
final class AccountLog {
  private static final UUID MAX_UUID = new UUID(-1L, -1L);

  private Transfer[] transfers = new Transfer[4];
  private long[] changes = new long[4];
  private long[] balances = new long[4];
  private int size;

  synchronized void add(Transfer transfer, long change) {
    int pos = size;
    while (pos > 0 && compare(transfers[pos - 1], transfer.recordedAt(), transfer.id()) > 0) {
      pos--;
    }
    if (size == transfers.length) {
      int capacity = size * 2;
      transfers = Arrays.copyOf(transfers, capacity);
      changes = Arrays.copyOf(changes, capacity);
      balances = Arrays.copyOf(balances, capacity);
    }
    int tail = size - pos;
    if (tail > 0) {
      System.arraycopy(transfers, pos, transfers, pos + 1, tail);
      System.arraycopy(changes, pos, changes, pos + 1, tail);
      System.arraycopy(balances, pos, balances, pos + 1, tail);
      for (int i = pos + 1; i <= size; i++) {
        balances[i] += change;
      }
    }
    transfers[pos] = transfer;
    changes[pos] = change;
    balances[pos] = (pos == 0 ? 0 : balances[pos - 1]) + change;
    size++;
  }

  /** The balance over the transfers recorded at or before {@code asOf}. */
  synchronized long balanceAsOf(Instant asOf) {
    int last = lastAtOrBefore(new StatementCursor(asOf.truncatedTo(ChronoUnit.MICROS), MAX_UUID));
    return last < 0 ? 0 : balances[last];
  }

  /**
   * Calls {@code action} with each transfer in statement order and whether it credits this account, under this
   * log's monitor (so {@code action} must not take locks). For verification: the stored running balances are not
   * passed on, the verifier recomputes them.
   */
  synchronized void forEachTransfer(BiConsumer<Transfer, Boolean> action) {
    for (int i = 0; i < size; i++) {
      action.accept(transfers[i], changes[i] > 0);
    }
  }

  /** Compares the statement position of {@code t} with {@code (recordedAt, id)}, in {@link StatementCursor#ORDER}. */
  private static int compare(Transfer t, Instant recordedAt, UUID id) {
    int c = t.recordedAt().compareTo(recordedAt);
    return c != 0 ? c : StatementCursor.compareUuids(t.id(), id);
  }

  private static int compare(Transfer t, StatementCursor key) {
    return compare(t, key.recordedAt(), key.transferId());
  }

  /** Index of the last entry whose key is {@code <= key}, or -1. */
  private int lastAtOrBefore(StatementCursor key) {
    int lo = 0;
    int hi = size - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (compare(transfers[mid], key) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Index of the first entry whose key is {@code >= key} ({@code size} if none). */
  private int firstAtOrAfter(StatementCursor key) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compare(transfers[mid], key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
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
        i = Math.max(i, firstAtOrAfter(new StatementCursor(floorMicros(query.from()), new UUID(0, 0))));
      }
    } else {
      i = size - 1;
      if (query.after() != null) {
        i = firstAtOrAfter(query.after()) - 1;
      }
      if (query.to() != null) {
        i = Math.min(i, lastAtOrBefore(new StatementCursor(floorMicros(query.to()), MAX_UUID)));
      }
    }
    int step = forward ? 1 : -1;
    List<StatementLine> lines = new ArrayList<>(Math.min(query.limit(), 64));
    StatementCursor next = null;
    for (; i >= 0 && i < size; i += step) {
      Transfer transfer = transfers[i];
      if (!query.includes(transfer.recordedAt(), transfer.id())) {
        Instant t = transfer.recordedAt();
        boolean pastEnd = forward ? query.to() != null && !t.isBefore(query.to())
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
      lines.add(new StatementLine(transfers[i], changes[i], balances[i]));
    }
    return new StatementPage(lines, next);
  }

  private static Instant floorMicros(Instant t) {
    return t.truncatedTo(ChronoUnit.MICROS);
  }
}
