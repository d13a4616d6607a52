package dev.ledger.spring;

import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.postgres.PostgresLedgerStore;
import java.time.Duration;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The ledger's health: DOWN when the database cannot be reached or the schema lacks a migration of this library;
 * {@value #DEGRADED} when the balance summaries lag more than {@code ledger.summarizer.max-lag} (the ledger is correct
 * and available, but balance reads cost more until they catch up: add DEGRADED to
 * {@code management.endpoint.health.status.order} to rank it); UP otherwise. Details: schema, summarizer lag.
 */
public final class LedgerHealthIndicator implements HealthIndicator {
    /** The status for summaries lagging beyond the configured maximum. */
    public static final String DEGRADED = "DEGRADED";

    private final PostgresLedgerStore store;
    private final Duration maxLag;

    LedgerHealthIndicator(PostgresLedgerStore store, Duration maxLag) {
        this.store = store;
        this.maxLag = maxLag;
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up().withDetail("schema", store.schema());
        try {
            store.requireSchemaCurrent();
            Optional<Duration> lag = store.summarizerLag();
            health.withDetail("summarizerLag", lag.map(Duration::toString).orElse("none yet"));
            if (lag.isPresent() && lag.get().compareTo(maxLag) > 0) {
                health.status(new Status(DEGRADED, "balance summaries lag " + lag.get() + ", more than " + maxLag));
            }
        } catch (IllegalStateException e) {
            health.down().withDetail("error", String.valueOf(e.getMessage()));
        } catch (LedgerUnavailableException e) {
            health.down().withDetail("error", String.valueOf(e.getMessage()));
        }
        return health.build();
    }
}
