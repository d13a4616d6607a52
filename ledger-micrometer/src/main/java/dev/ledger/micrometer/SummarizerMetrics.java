package dev.ledger.micrometer;

import dev.ledger.postgres.SummarizerListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The {@link SummarizerListener} behind {@link PostgresStoreMetrics}. Thread-safe. */
final class SummarizerMetrics implements SummarizerListener {
    private final MeterRegistry registry;
    /** Lag in nanoseconds by schema; the gauges read these (and the map keeps them strongly reachable). */
    private final Map<String, AtomicLong> lags = new ConcurrentHashMap<>();

    SummarizerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void roundEnded(String schema, Outcome outcome, int checkpoints, long nanos) {
        Timer.builder(PostgresStoreMetrics.SUMMARIZER_ROUNDS)
                .description("Balance summariser rounds by outcome")
                .tags(
                        PostgresStoreMetrics.SCHEMA,
                        schema,
                        LedgerMetrics.OUTCOME,
                        outcome.name().toLowerCase(Locale.ROOT))
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
        if (checkpoints > 0) {
            Counter.builder(PostgresStoreMetrics.SUMMARIZER_CHECKPOINTS)
                    .description("Credit checkpoints written by the balance summariser")
                    .tag(PostgresStoreMetrics.SCHEMA, schema)
                    .register(registry)
                    .increment(checkpoints);
        }
    }

    @Override
    public void lag(String schema, Duration lag) {
        lags.computeIfAbsent(schema, s -> {
                    AtomicLong holder = new AtomicLong();
                    TimeGauge.builder(
                                    PostgresStoreMetrics.SUMMARIZER_LAG, holder, TimeUnit.NANOSECONDS, AtomicLong::get)
                            .description("Database clock minus the instant through which balances are summarised")
                            .tag(PostgresStoreMetrics.SCHEMA, s)
                            .register(registry);
                    return holder;
                })
                .set(lag.toNanos());
    }
}
