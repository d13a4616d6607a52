package dev.ledger.spring;

import dev.ledger.postgres.PostgresLedgerStore;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * Runs {@link PostgresLedgerStore#summarize()} every interval on an executor: the application's (a
 * {@code ScheduledExecutorService} bean named {@value LedgerAutoConfiguration#EXECUTOR_BEAN}), or one thread of its
 * own, stopped with the context. A failing round is logged and retried at the next interval.
 */
public final class SummarizerSchedule implements SmartLifecycle {
    private static final System.Logger LOG = System.getLogger(SummarizerSchedule.class.getName());

    private final PostgresLedgerStore store;
    private final ScheduledExecutorService executor;
    private final boolean ownsExecutor;
    private final Duration interval;
    private @Nullable ScheduledFuture<?> task;

    SummarizerSchedule(
            PostgresLedgerStore store, ScheduledExecutorService executor, boolean ownsExecutor, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("ledger.summarizer.interval must be positive, got " + interval);
        }
        this.store = store;
        this.executor = executor;
        this.ownsExecutor = ownsExecutor;
        this.interval = interval;
    }

    @Override
    public synchronized void start() {
        if (task == null) {
            long millis = Math.max(1, interval.toMillis());
            task = executor.scheduleWithFixedDelay(this::round, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    private void round() {
        try {
            store.summarize();
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "ledger balance summariser round failed (will retry): {0}",
                    e.getMessage());
        }
    }

    @Override
    public synchronized void stop() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
        if (ownsExecutor) {
            executor.shutdownNow();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return task != null;
    }

    /** Whether the executor is the starter's own (else the application's, which the starter never shuts down). */
    public boolean ownsExecutor() {
        return ownsExecutor;
    }
}
