package dev.ledger.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Runs tasks on real threads released together by a start latch, with a bounded wait: a store that deadlocks or hangs
 * fails the test instead of hanging the build.
 */
public final class ConcurrentRun {
    /** The longest a concurrent test waits for all its threads. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** What one task returned or threw. */
    public record Outcome<T>(@Nullable T value, @Nullable Throwable error) {
        public boolean succeeded() {
            return error == null;
        }
    }

    private ConcurrentRun() {}

    /**
     * Runs {@code task(0)} .. {@code task(threads - 1)}, each on its own thread, all starting at once; returns their
     * outcomes in task order. Fails if they do not all finish within {@link #TIMEOUT}.
     */
    public static <T> List<Outcome<T>> run(int threads, IntFunction<T> task) {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "contract-worker");
            t.setDaemon(true);
            return t;
        });
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Outcome<T>>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    if (!start.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                        throw new IllegalStateException("not started");
                    }
                    try {
                        return new Outcome<T>(task.apply(index), null);
                    } catch (RuntimeException | Error e) {
                        return new Outcome<T>(null, e);
                    }
                }));
            }
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            if (!ready.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("the worker threads did not start within " + TIMEOUT);
            }
            start.countDown();
            List<Outcome<T>> outcomes = new ArrayList<>();
            for (Future<Outcome<T>> future : futures) {
                long left = Math.max(0, deadline - System.nanoTime());
                try {
                    outcomes.add(future.get(left, TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    fail("concurrent tasks did not finish within " + TIMEOUT + " (deadlock or hang?)");
                } catch (ExecutionException e) {
                    fail("worker failed outside its task", e.getCause());
                }
            }
            return outcomes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for workers", e);
        } finally {
            pool.shutdownNow();
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
