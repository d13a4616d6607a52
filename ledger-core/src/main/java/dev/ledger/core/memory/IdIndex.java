package dev.ledger.core.memory;

import dev.ledger.core.LedgerUnavailableException;
import java.util.UUID;

/**
 * The transfer ids of an {@link InMemoryLedgerStore}: each maps to its row in the {@link TransferTable}, or is claimed
 * by an attempt in flight. Open addressing over primitive arrays in {@value #SEGMENTS} segments, each guarded by its
 * own monitor (held for one probe, never while taking another lock); a caller waiting for an id in flight waits on the
 * segment's monitor, which releases it.
 */
final class IdIndex {
    private static final int SEGMENTS = 64;
    /** {@link #claim} and {@link #find}: no row; {@link #claim}: the caller now holds the id. */
    static final int ABSENT = -1;
    /** {@link #claim} without waiting: another attempt holds the id. */
    static final int IN_FLIGHT = -2;

    private final Segment[] segments = new Segment[SEGMENTS];

    IdIndex() {
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment();
        }
    }

    private static long hash(long high, long low) {
        long h = high * 0x9E37_79B9_7F4A_7C15L ^ low;
        h ^= h >>> 31;
        h *= 0xBF58_476D_1CE4_E5B9L;
        return h ^ (h >>> 29);
    }

    private Segment segment(long hash) {
        return segments[(int) (hash >>> 56) & (SEGMENTS - 1)];
    }

    /**
     * Claims the id for the caller ({@link #ABSENT}: the caller must {@link #settle} it), or returns the row it is
     * recorded in; when another attempt holds it, waits for that outcome if {@code wait}, else returns
     * {@link #IN_FLIGHT}.
     */
    int claim(UUID id, boolean wait) {
        long high = id.getMostSignificantBits();
        long low = id.getLeastSignificantBits();
        long hash = hash(high, low);
        return segment(hash).claim(id, high, low, hash, wait);
    }

    /** The row the id is recorded in, or {@link #ABSENT}; waits for an attempt holding it. */
    int find(UUID id) {
        long high = id.getMostSignificantBits();
        long low = id.getLeastSignificantBits();
        long hash = hash(high, low);
        return segment(hash).find(id, high, low, hash);
    }

    /** Ends the caller's claim of the id: recorded in {@code row}, or released when {@code row} is negative. */
    void settle(UUID id, int row) {
        long high = id.getMostSignificantBits();
        long low = id.getLeastSignificantBits();
        long hash = hash(high, low);
        segment(hash).settle(high, low, hash, row);
    }

    /** Slots of 3 longs (id high, id low, state), so that one probe touches one cache line. */
    private static final class Segment {
        private static final long EMPTY = 0;
        private static final long DELETED = 1;
        private static final long CLAIMED = 2;
        /** States from here on are rows: state = row + ROW. */
        private static final long ROW = 3;

        private long[] slots = new long[3 * 64];
        /** Slots not empty (including deleted ones). */
        private int used;

        private int waiters;

        private int mask() {
            return slots.length / 3 - 1;
        }

        /** The slot holding the id, or -1 - (the slot to insert it at). */
        private int probe(long high, long low, long hash) {
            int mask = mask();
            int deleted = -1;
            for (int i = (int) hash & mask; ; i = (i + 1) & mask) {
                long state = slots[3 * i + 2];
                if (state == EMPTY) {
                    return -1 - (deleted >= 0 ? deleted : i);
                }
                if (state == DELETED) {
                    if (deleted < 0) {
                        deleted = i;
                    }
                } else if (slots[3 * i] == high && slots[3 * i + 1] == low) {
                    return i;
                }
            }
        }

        synchronized int claim(UUID id, long high, long low, long hash, boolean wait) {
            while (true) {
                int slot = probe(high, low, hash);
                if (slot < 0) {
                    int free = -1 - slot;
                    if (slots[3 * free + 2] == EMPTY) {
                        used++;
                    }
                    slots[3 * free] = high;
                    slots[3 * free + 1] = low;
                    slots[3 * free + 2] = CLAIMED;
                    if (used * 4 > mask() * 3) {
                        rehash();
                    }
                    return ABSENT;
                }
                long state = slots[3 * slot + 2];
                if (state != CLAIMED) {
                    return (int) (state - ROW);
                }
                if (!wait) {
                    return IN_FLIGHT;
                }
                await(id);
            }
        }

        synchronized int find(UUID id, long high, long low, long hash) {
            while (true) {
                int slot = probe(high, low, hash);
                if (slot < 0) {
                    return ABSENT;
                }
                long state = slots[3 * slot + 2];
                if (state != CLAIMED) {
                    return (int) (state - ROW);
                }
                await(id);
            }
        }

        synchronized void settle(long high, long low, long hash, int row) {
            int slot = probe(high, low, hash);
            if (slot < 0 || slots[3 * slot + 2] != CLAIMED) {
                throw new IllegalStateException("transfer id settled without being claimed");
            }
            slots[3 * slot + 2] = row >= 0 ? row + ROW : DELETED;
            if (waiters > 0) {
                notifyAll();
            }
        }

        private void await(UUID id) {
            waiters++;
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LedgerUnavailableException(
                        LedgerUnavailableException.Kind.INTERRUPTED,
                        "interrupted while waiting for a concurrent attempt with transfer id " + id,
                        id,
                        e);
            } finally {
                waiters--;
            }
        }

        /**
         * Doubles the table when live ids fill three eighths of it (else rebuilds it at its size), dropping deleted
         * slots: between rehashes, at most three quarters of the slots are used.
         */
        private void rehash() {
            long[] old = slots;
            int live = 0;
            for (int i = 2; i < old.length; i += 3) {
                if (old[i] != EMPTY && old[i] != DELETED) {
                    live++;
                }
            }
            int capacity = old.length / 3;
            if (live * 8 > capacity * 3) {
                capacity *= 2;
            }
            slots = new long[3 * capacity];
            used = 0;
            for (int i = 0; i < old.length; i += 3) {
                long state = old[i + 2];
                if (state != EMPTY && state != DELETED) {
                    int slot = -1 - probe(old[i], old[i + 1], hash(old[i], old[i + 1]));
                    slots[3 * slot] = old[i];
                    slots[3 * slot + 1] = old[i + 1];
                    slots[3 * slot + 2] = state;
                    used++;
                }
            }
        }
    }
}
