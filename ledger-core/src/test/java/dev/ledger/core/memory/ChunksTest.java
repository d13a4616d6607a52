package dev.ledger.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The chunk layout of the in-memory store's growing storage: every item has exactly one place. */
class ChunksTest {

    @Test
    void chunkAndOffset_consecutiveItems_fillEachChunkInOrderThenTheNext() {
        Chunks chunks = new Chunks(2, 5);
        int chunk = 0;
        int offset = 0;
        for (int item = 0; item < 1_000; item++) {
            if (offset == chunks.size(chunk)) {
                chunk++;
                offset = 0;
            }
            assertEquals(chunk, chunks.chunk(item), "chunk of item " + item);
            assertEquals(offset, chunks.offset(item), "offset of item " + item);
            offset++;
        }
        assertEquals(4, chunks.size(0));
        assertEquals(32, chunks.size(3));
        assertEquals(32, chunks.size(40), "sizes stop growing at 2^max");
    }

    @Test
    void count_coversTheLargestItem() {
        for (Chunks chunks : new Chunks[] {new Chunks(10, 18), new Chunks(4, 13), new Chunks(2, 5)}) {
            int last = chunks.chunk(Integer.MAX_VALUE);
            assertEquals(last + 1, chunks.count());
            assertTrue(
                    chunks.offset(Integer.MAX_VALUE) < chunks.size(last),
                    "offset of the largest item within its chunk");
            long total = 0;
            for (int k = 0; k < chunks.count(); k++) {
                total += chunks.size(k);
            }
            assertTrue(total >= 1L << 31, "the chunks hold 2^31 items: " + total);
        }
    }
}
