package dev.ledger.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class ConcurrentRunTest {
    @Test
    void run_allTasksFinish_returnsOutcomesInTaskOrder() {
        List<ConcurrentRun.Outcome<Integer>> outcomes = ConcurrentRun.run(3, i -> {
            if (i == 1) {
                throw new IllegalStateException("task 1");
            }
            return i * 10;
        });

        assertEquals(3, outcomes.size());
        assertEquals(0, outcomes.get(0).value());
        assertEquals("task 1", String.valueOf(outcomes.get(1).error().getMessage()));
        assertEquals(20, outcomes.get(2).value());
    }

    @Test
    void run_aTaskOutlivesTheTimeout_failsNamingTheTasksStillRunningAndWhereTheyAre() {
        CountDownLatch never = new CountDownLatch(1);

        AssertionFailedError failure = assertThrows(
                AssertionFailedError.class,
                () -> ConcurrentRun.run(2, Duration.ofMillis(300), i -> {
                    if (i == 1) {
                        try {
                            never.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return i;
                }));

        String message = failure.getMessage();
        assertTrue(message.contains("did not finish within PT0.3S"), message);
        assertTrue(message.contains("1 of 2 still running"), message);
        assertTrue(message.contains("task 1 WAITING"), "the hung task, by its index:\n" + message);
        assertTrue(message.contains("CountDownLatch.await"), "where the hung task waits:\n" + message);
    }
}
