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
import java.util.concurrent.atomic.AtomicReferenceArray;
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
        return run(threads, TIMEOUT, task);
    }

    /**
     * As {@link #run(int, IntFunction)}, waiting at most {@code timeout} for the tasks (for work that a slow store,
     * such as a distributed one, takes long to do). On a timeout the failure names the tasks still running and shows
     * where each one was, so that a hang can be told from slowness.
     */
    public static <T> List<Outcome<T>> run(int threads, Duration timeout, IntFunction<T> task) {
        // The thread running each task, while it runs: what a timeout reports.
        AtomicReferenceArray<Thread> running = new AtomicReferenceArray<>(threads);
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
                    if (!start.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                        throw new IllegalStateException("not started");
                    }
                    running.set(index, Thread.currentThread());
                    try {
                        return new Outcome<T>(task.apply(index), null);
                    } catch (RuntimeException | Error e) {
                        return new Outcome<T>(null, e);
                    } finally {
                        running.set(index, null);
                    }
                }));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("the worker threads did not start within " + timeout);
            }
            start.countDown();
            List<Outcome<T>> outcomes = new ArrayList<>();
            for (Future<Outcome<T>> future : futures) {
                long left = Math.max(0, deadline - System.nanoTime());
                try {
                    outcomes.add(future.get(left, TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    fail("concurrent tasks did not finish within " + timeout + " (deadlock or hang?): "
                            + stillRunning(running));
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

    /** How many tasks are still running, and where each one is (its innermost frames). */
    private static String stillRunning(AtomicReferenceArray<Thread> running) {
        int count = 0;
        StringBuilder stacks = new StringBuilder();
        for (int i = 0; i < running.length(); i++) {
            Thread thread = running.get(i);
            if (thread == null) {
                continue;
            }
            count++;
            stacks.append("\ntask ").append(i).append(' ').append(thread.getState());
            StackTraceElement[] frames = thread.getStackTrace();
            for (int f = 0; f < Math.min(frames.length, 12); f++) {
                stacks.append("\n    at ").append(frames[f]);
            }
        }
        return count + " of " + running.length() + " still running" + stacks;
    }
}
