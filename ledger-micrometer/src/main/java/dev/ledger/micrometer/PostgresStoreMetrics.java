package dev.ledger.micrometer;

import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.ledger.postgres.PostgresLedgerStore;
import dev.ledger.postgres.SummarizerListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * Micrometer meters for a {@link PostgresLedgerStore}: its balance summariser and, for a pool the store owns,
 * HikariCP's own pool meters. Needs {@code ledger-postgres} on the class path (an optional dependency of this module).
 *
 * <pre>{@code
 * PostgresLedgerStore store = PostgresStoreMetrics.bind(PostgresLedgerStore.builder()
 *         .jdbcUrl(url).username(user).password(secret), meterRegistry)
 *     .build();
 * }</pre>
 *
 * <p>Meters: {@value #SUMMARIZER_ROUNDS} (timer, tags {@value #SCHEMA} and {@code outcome}: {@code summarized},
 * {@code idle}, {@code busy}, {@code wait_timed_out}, {@code failed}), {@value #SUMMARIZER_CHECKPOINTS} (counter, tag
 * {@value #SCHEMA}), {@value #SUMMARIZER_LAG} (time gauge, tag {@value #SCHEMA}; registered at the first round after a
 * summary exists), and HikariCP's {@code hikaricp.connections*} meters tagged {@code pool=ledger-<schema>}. See
 * {@code docs/metrics.md}.
 */
public final class PostgresStoreMetrics {
    /** Timer of balance summariser rounds. */
    public static final String SUMMARIZER_ROUNDS = "ledger.summarizer.rounds";
    /** Counter of credit checkpoints written. */
    public static final String SUMMARIZER_CHECKPOINTS = "ledger.summarizer.checkpoints";
    /** Time gauge: the database clock minus the instant through which balances are summarised. */
    public static final String SUMMARIZER_LAG = "ledger.summarizer.lag";
    /** Tag: the store's schema. */
    public static final String SCHEMA = "schema";

    private PostgresStoreMetrics() {}

    /**
     * Sets {@code builder}'s summariser listener to {@link #summarizerListener(MeterRegistry)} and its pool metrics
     * tracker to HikariCP's {@link MicrometerMetricsTrackerFactory}, both on {@code registry}. For a store built with
     * {@code jdbcUrl(...)}: with your own {@code dataSource(...)}, {@code build()} refuses the tracker (instrument your
     * pool yourself and use {@link #summarizerListener(MeterRegistry)}).
     *
     * @return {@code builder}
     */
    public static PostgresLedgerStore.Builder bind(PostgresLedgerStore.Builder builder, MeterRegistry registry) {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(registry, "registry");
        return builder.summarizerListener(new SummarizerMetrics(registry))
                .metricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    }

    /** A summariser listener recording the summariser meters into {@code registry}. */
    public static SummarizerListener summarizerListener(MeterRegistry registry) {
        return new SummarizerMetrics(Objects.requireNonNull(registry, "registry"));
    }
}
