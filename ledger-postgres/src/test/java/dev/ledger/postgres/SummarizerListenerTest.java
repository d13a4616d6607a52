package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.postgres.SummarizerListener.Outcome;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The summariser's rounds and lag as a {@link SummarizerListener} sees them; the pool's metrics tracker. */
class SummarizerListenerTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(10);

    private static final AccountId BANK = AccountId.of("bank");

    /** Each round as "OUTCOME checkpoints", and each lag. */
    static final class Recording implements SummarizerListener {
        final List<String> rounds = Collections.synchronizedList(new ArrayList<>());
        final List<Duration> lags = Collections.synchronizedList(new ArrayList<>());
        final List<String> schemas = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void roundEnded(String schema, Outcome outcome, int checkpoints, long nanos) {
            assertTrue(nanos >= 0);
            schemas.add(schema);
            rounds.add(outcome + " " + checkpoints);
        }

        @Override
        public void lag(String schema, Duration lag) {
            lags.add(lag);
        }
    }

    private static PostgresLedgerStore store(String schema, SummarizerListener listener) {
        return DB.track(PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .schema(schema)
                .migrateOnStart(true)
                .summarizeEvery(Duration.ZERO)
                .sealLag(Duration.ofMillis(1))
                .summaryWaitLimit(Duration.ofMillis(200))
                .summaryCheckpointAfter(1) // (every credited account: the rounds report checkpoints)
                .summarizerListener(listener)
                .build());
    }

    @Test
    void summarize_roundsReportedWithOutcomeCheckpointsAndLag() throws Exception {
        Recording recording = new Recording();
        String schema = DB.newSchemaName();
        PostgresLedgerStore store = store(schema, recording);
        Ledger ledger = Ledger.builder(store).build();

        assertEquals(0, store.summarize());
        assertEquals(List.of("IDLE 0"), recording.rounds, "nothing recorded yet");
        assertTrue(recording.lags.isEmpty(), "no lag before the first summary");
        assertTrue(store.summarizerLag().isEmpty());

        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(AccountId.of("a"), "USD").withOpeningBalance(10, BANK));
        Thread.sleep(5);
        int written = store.summarize();
        assertTrue(written > 0);
        assertEquals("SUMMARIZED " + written, recording.rounds.get(1));
        assertEquals(1, recording.lags.size());
        Duration lag = recording.lags.get(0);
        assertTrue(!lag.isNegative() && lag.compareTo(Duration.ofSeconds(10)) < 0, lag::toString);
        assertTrue(store.summarizerLag().orElseThrow().compareTo(lag) >= 0, "the lag grows while idle");
        assertEquals(List.of(schema, schema), recording.schemas);

        assertEquals(0, store.summarize());
        assertEquals("IDLE 0", recording.rounds.get(2));
        assertEquals(2, recording.lags.size(), "a lag after each round once summarised");
    }

    @Test
    void summarize_olderTransactionRunning_waitTimedOut() throws Exception {
        Recording recording = new Recording();
        PostgresLedgerStore store = store(DB.newSchemaName(), recording);
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(AccountId.of("a"), "USD").withOpeningBalance(10, BANK));
        Thread.sleep(5);
        try (Connection old = DB.server().connect(DB.name())) {
            old.setAutoCommit(false);
            try (Statement st = old.createStatement()) {
                st.execute("SELECT pg_current_xact_id()");
            }
            assertEquals(0, store.summarize());
            old.rollback();
        }
        assertEquals(List.of("WAIT_TIMED_OUT 0"), recording.rounds);
    }

    @Test
    void summarize_throwingListener_roundUnaffected() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        PostgresLedgerStore store = store(DB.newSchemaName(), new SummarizerListener() {
            @Override
            public void roundEnded(String schema, Outcome outcome, int checkpoints, long nanos) {
                calls.incrementAndGet();
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void lag(String schema, Duration lag) {
                calls.incrementAndGet();
                throw new IllegalStateException("listener bug");
            }
        });
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(AccountId.of("a"), "USD").withOpeningBalance(10, BANK));
        Thread.sleep(5);
        assertTrue(store.summarize() > 0);
        assertEquals(2, calls.get());
        assertEquals(10, ledger.balance(AccountId.of("a")));
    }

    @Test
    void builder_metricsTrackerFactoryWithOwnDataSource_refused() {
        MetricsTrackerFactory factory = (poolName, stats) -> new com.zaxxer.hikari.metrics.IMetricsTracker() {};
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .metricsTrackerFactory(factory)
                .build());
        assertTrue(e.getMessage().contains("metricsTrackerFactory"), e.getMessage());
        assertThrows(
                NullPointerException.class, () -> PostgresLedgerStore.builder().metricsTrackerFactory(null));
        assertThrows(
                NullPointerException.class, () -> PostgresLedgerStore.builder().summarizerListener(null));
    }

    @Test
    void jdbcUrlStore_metricsTrackerFactory_usedForTheOwnedPool() {
        List<String> pools = Collections.synchronizedList(new ArrayList<>());
        MetricsTrackerFactory factory = (poolName, stats) -> {
            pools.add(poolName);
            return new com.zaxxer.hikari.metrics.IMetricsTracker() {};
        };
        String schema = DB.newSchemaName();
        try (PostgresLedgerStore store = PostgresLedgerStore.builder()
                .jdbcUrl(DB.jdbcUrl())
                .schema(schema)
                .maximumPoolSize(2)
                .migrateOnStart(true)
                .summarizeEvery(Duration.ZERO)
                .metricsTrackerFactory(factory)
                .build()) {
            assertTrue(store.findAccount(BANK).isEmpty());
        }
        assertEquals(List.of("ledger-" + schema), pools);
    }
}
