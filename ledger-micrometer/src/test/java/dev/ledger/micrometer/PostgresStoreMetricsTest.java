package dev.ledger.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.postgres.PostgresLedgerStore;
import dev.ledger.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The documented meters after real calls on an embedded PostgreSQL store that owns its pool. */
class PostgresStoreMetricsTest {
    @RegisterExtension
    static final PostgresDatabase DB = new PostgresDatabase(10);

    private static final AccountId BANK = AccountId.of("bank");
    private static final AccountId HOT = AccountId.of("hot");
    private static final AccountId SHOP = AccountId.of("shop");
    private static final int THREADS = 8;
    private static final int EACH = 5;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void bind_ownedPool_ledgerSummariserAndPoolMeters() throws Exception {
        String schema = DB.newSchemaName();
        PostgresLedgerStore store = PostgresStoreMetrics.bind(
                        PostgresLedgerStore.builder()
                                .jdbcUrl(DB.jdbcUrl())
                                .schema(schema)
                                .maximumPoolSize(THREADS)
                                .migrateOnStart(true)
                                .summarizeEvery(Duration.ZERO)
                                .sealLag(Duration.ofMillis(1)),
                        registry)
                .build();
        try (Ledger ledger =
                Ledger.builder(store).listener(LedgerMetrics.listener(registry)).build()) {
            ledger.open(NewAccount.issuer(BANK, "USD"));
            ledger.open(NewAccount.of(HOT, "USD").withOpeningBalance(1_000, BANK));
            ledger.open(NewAccount.of(SHOP, "USD"));
            // Debits of one account from several threads at once: some attempts lose the index race.
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        for (int j = 0; j < EACH; j++) {
                            ledger.transfer(HOT, SHOP, 1, "USD");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                threads.add(t);
                t.start();
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertThrows(LedgerRejectedException.class, () -> ledger.transfer(SHOP, HOT, 1_000, "USD"));
            assertEquals(1_000 - THREADS * EACH, ledger.balance(HOT));

            double recorded = registry.get("ledger.transfers")
                    .tags("outcome", "recorded", "reason", "none")
                    .counter()
                    .count();
            assertEquals(THREADS * EACH, recorded);
            assertEquals(
                    1,
                    registry.get("ledger.transfers")
                            .tags("outcome", "rejected", "reason", "INSUFFICIENT_FUNDS")
                            .counter()
                            .count());
            double conflicts = registry.get("ledger.conflicts")
                    .tag("operation", "transfer")
                    .counter()
                    .count();
            double retries = registry.get("ledger.retries")
                    .tag("operation", "transfer")
                    .counter()
                    .count();
            assertEquals(conflicts, retries, "every conflict was retried (none gave up)");
            assertEquals(
                    THREADS * EACH + retries,
                    registry.get("ledger.transfer.attempts")
                            .tag("outcome", "recorded")
                            .summary()
                            .totalAmount(),
                    "attempts = transfers + retries");
            assertEquals(
                    THREADS * EACH,
                    registry.get("ledger.calls")
                            .tags("operation", "transfer", "outcome", "success", "reason", "none")
                            .timer()
                            .count());
            assertEquals(
                    1,
                    registry.get("ledger.calls")
                            .tags("operation", "balance", "outcome", "success")
                            .timer()
                            .count());

            Thread.sleep(5);
            int checkpoints = store.summarize();
            assertTrue(checkpoints > 0);
            assertEquals(
                    1,
                    registry.get("ledger.summarizer.rounds")
                            .tags("schema", schema, "outcome", "summarized")
                            .timer()
                            .count());
            assertEquals(
                    checkpoints,
                    registry.get("ledger.summarizer.checkpoints")
                            .tag("schema", schema)
                            .counter()
                            .count());
            double lag = registry.get("ledger.summarizer.lag")
                    .tag("schema", schema)
                    .timeGauge()
                    .value(TimeUnit.SECONDS);
            assertTrue(lag >= 0 && lag < 60, "lag " + lag);
            store.summarize();
            assertEquals(
                    1,
                    registry.get("ledger.summarizer.rounds")
                            .tags("schema", schema, "outcome", "idle")
                            .timer()
                            .count());

            String pool = "ledger-" + schema;
            assertFalse(registry.find("hikaricp.connections")
                    .tag("pool", pool)
                    .gauges()
                    .isEmpty());
            assertTrue(registry.get("hikaricp.connections.max")
                            .tag("pool", pool)
                            .gauge()
                            .value()
                    == THREADS);
            assertTrue(registry.get("hikaricp.connections.usage")
                            .tag("pool", pool)
                            .timer()
                            .count()
                    > 0);
        }
    }

    @Test
    void summarizerListener_ownDataSource_summariserMetersWithoutPoolMeters() throws Exception {
        String schema = DB.newSchemaName();
        PostgresLedgerStore store = DB.track(PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .schema(schema)
                .migrateOnStart(true)
                .summarizeEvery(Duration.ZERO)
                .summarizerListener(PostgresStoreMetrics.summarizerListener(registry))
                .build());
        store.summarize();
        assertEquals(
                1,
                registry.get("ledger.summarizer.rounds")
                        .tags("schema", schema, "outcome", "idle")
                        .timer()
                        .count());
        assertTrue(registry.find("ledger.summarizer.lag").meters().isEmpty(), "no summary yet, so no lag");
        assertTrue(registry.find("hikaricp.connections").meters().isEmpty());
    }

    @Test
    void bind_ownDataSource_buildRefusesThePoolTracker() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PostgresStoreMetrics.bind(
                        PostgresLedgerStore.builder().dataSource(DB.dataSource()), registry)
                .build());
        assertTrue(e.getMessage().contains("metricsTrackerFactory"), e.getMessage());
    }
}
