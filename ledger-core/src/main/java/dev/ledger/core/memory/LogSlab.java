package dev.ledger.core.memory;

import dev.ledger.core.LedgerUnavailableException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The memory of every {@link AccountLog} of a store: blocks of {@value #BLOCK_ENTRIES} entries of {@value #ENTRY}
 * longs, cut from large shared arrays. A log grows by taking a block, never by copying, and the large arrays are
 * allocated once and never move: the garbage collector neither copies nor traces the logs' entries.
 *
 * <p>A block belongs to one log, which reads and writes it under its own monitor; the arrays are published through an
 * atomic array, so a block taken by one thread is seen by any thread that later holds that log's monitor.
 */
final class LogSlab {
    /** Longs per entry. */
    static final int ENTRY = 3;

    static final int BLOCK_SHIFT = 6;
    static final int BLOCK_ENTRIES = 1 << BLOCK_SHIFT;
    private static final int BLOCK = ENTRY * BLOCK_ENTRIES;
    /** From 16 blocks (24 KiB) to 8192 blocks (12 MiB) an array. */
    private static final Chunks CHUNKS = new Chunks(4, 13);

    private final AtomicInteger next = new AtomicInteger();
    private final AtomicReferenceArray<long[]> slabs = new AtomicReferenceArray<>(CHUNKS.count());

    /** Takes a new block; its entries are zero. */
    int newBlock() {
        int block = next.getAndIncrement();
        if (block < 0) {
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                    "the in-memory store's account logs are full",
                    null);
        }
        int k = CHUNKS.chunk(block);
        if (slabs.get(k) == null) {
            slabs.compareAndExchange(k, null, new long[BLOCK * CHUNKS.size(k)]);
        }
        return block;
    }

    /** The array holding {@code block}. */
    long[] array(int block) {
        return slabs.get(CHUNKS.chunk(block));
    }

    /** Where {@code block} starts in its {@link #array}. */
    static int base(int block) {
        return CHUNKS.offset(block) * BLOCK;
    }
}
