package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store's configuration, migrations and basic round trips. */
class PostgresLedgerStoreTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase();

    private static final AccountId BANK = AccountId.of("bank");
    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");

    @Test
    void migrate_twice_appliesMigrationsOnce() {
        String schema = DB.newSchemaName();
        assertTrue(PostgresLedgerStore.migrate(DB.dataSource(), schema) >= 1);
        PostgresLedgerStore store = DB.track(PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .schema(schema)
                .build());
        assertEquals(0, store.migrate());
    }

    @Test
    void currentVersion_matchesNewestShippedMigration() throws Exception {
        URL dir = PostgresLedgerStore.class.getResource("/dev/ledger/postgres/migration");
        int newest = 0;
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = Pattern.compile("V(\\d+)__.*\\.sql")
                        .matcher(f.getFileName().toString());
                if (m.matches()) {
                    newest = Math.max(newest, Integer.parseInt(m.group(1)));
                }
            }
        }
        assertEquals(newest, Migrations.CURRENT_VERSION);
    }

    @Test
    void build_onePooledConnection_works() {
        String schema = DB.newSchemaName();
        PostgresLedgerStore.migrate(DB.dataSource(), schema);
        try (PostgresLedgerStore store = PostgresLedgerStore.builder()
                .jdbcUrl(DB.jdbcUrl())
                .schema(schema)
                .maximumPoolSize(1)
                .build()) {
            assertTrue(store.findAccount(BANK).isEmpty());
        }
    }

    @Test
    void build_schemaNotMigrated_failsWithInstructions() {
        String schema = DB.newSchemaName();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .schema(schema)
                .build());
        assertTrue(e.getMessage().contains(schema) && e.getMessage().contains("migrate()"), e.getMessage());
    }

    @Test
    void migrate_distributedWithoutCitus_failsNamingTheExtensionAndNothingIsDistributed() throws Exception {
        String schema = DB.newSchemaName();
        LedgerUnavailableException e = assertThrows(
                LedgerUnavailableException.class, () -> PostgresLedgerStore.migrate(DB.dataSource(), schema, true));
        assertTrue(e.getMessage().contains("CREATE EXTENSION citus"), e.getMessage());
        assertEquals(0, DB.queryLong("SELECT count(*) FROM " + schema + ".setting WHERE distributed"));
        // The schema itself is migrated and usable on one node.
        DB.track(PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .schema(schema)
                .summarizeEvery(Duration.ZERO)
                .build());
    }

    @Test
    void build_functionsOlderThanTheLibrary_failsUntilMigrated() throws Exception {
        String schema = DB.newSchemaName();
        PostgresLedgerStore.migrate(DB.dataSource(), schema);
        PostgresLedgerStore running = DB.track(PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .schema(schema)
                .summarizeEvery(java.time.Duration.ZERO)
                .build());
        running.requireSchemaCurrent();
        // As if the write functions had been applied from an older jar: the history holds another checksum for them.
        assertEquals(
                1,
                DB.queryLong("SELECT count(*) FROM " + schema + ".flyway_schema_history"
                        + " WHERE version IS NULL AND description = '4 writes'"));
        DB.sql("UPDATE " + schema + ".flyway_schema_history SET checksum = checksum + 1"
                + " WHERE version IS NULL AND description = '4 writes'");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .schema(schema)
                .build());
        assertTrue(
                e.getMessage().contains("R 4 writes (outdated)")
                        && e.getMessage().contains("migrate()"),
                e.getMessage());
        assertThrows(IllegalStateException.class, running::requireSchemaCurrent, "a running store sees it too");

        assertEquals(1, PostgresLedgerStore.migrate(DB.dataSource(), schema), "the write functions are applied again");
        DB.track(PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .schema(schema)
                .build());
    }

    @Test
    void builder_invalidSchema_rejectedNamingIt() {
        for (String bad :
                new String[] {"", "Ledger", "1ledger", "led-ger", "ledger;drop", "pg_ledger", "a".repeat(64)}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> PostgresLedgerStore.builder().schema(bad),
                    bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void builder_badPoolSettings_rejected() {
        assertThrows(IllegalArgumentException.class, () -> PostgresLedgerStore.builder()
                .maximumPoolSize(0));
        assertThrows(IllegalArgumentException.class, () -> PostgresLedgerStore.builder()
                .maximumPoolSize(1001));
        assertThrows(IllegalArgumentException.class, () -> PostgresLedgerStore.builder()
                .connectionTimeout(Duration.ofMillis(10)));
        assertThrows(IllegalArgumentException.class, () -> PostgresLedgerStore.builder()
                .jdbcUrl("jdbc:mysql://x/y"));
        assertThrows(IllegalArgumentException.class, () -> PostgresLedgerStore.builder()
                .socketTimeout(Duration.ofMillis(500)));
    }

    @Test
    void summaryCheckpointAfter_outOfRange_refusedNamingIt() {
        for (int bad : new int[] {0, -1, BalanceSummarizer.MAX_CHECKPOINT_COUNT + 1, Integer.MAX_VALUE}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> PostgresLedgerStore.builder().summaryCheckpointAfter(bad),
                    "summaryCheckpointAfter(" + bad + ")");
            assertTrue(e.getMessage().contains("got " + bad), e.getMessage());
        }
        PostgresLedgerStore.builder().summaryCheckpointAfter(1);
        PostgresLedgerStore.builder().summaryCheckpointAfter(BalanceSummarizer.MAX_CHECKPOINT_COUNT);
    }

    @Test
    void builder_simpleQueryMode_refused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PostgresLedgerStore.builder()
                .jdbcUrl(DB.jdbcUrl() + "&preferQueryMode=simple")
                .build());
        assertTrue(e.getMessage().contains("preferQueryMode=simple"), e.getMessage());
    }

    @Test
    void builder_bothDataSourceAndUrl_refused() {
        assertThrows(IllegalStateException.class, () -> PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .jdbcUrl(DB.jdbcUrl())
                .build());
        assertThrows(
                IllegalStateException.class, () -> PostgresLedgerStore.builder().build());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .maximumPoolSize(3)
                .build());
        assertTrue(e.getMessage().contains("maximumPoolSize"), e.getMessage());
    }

    @Test
    void build_unreachableServer_storeUnavailable() {
        LedgerUnavailableException e =
                assertThrows(LedgerUnavailableException.class, () -> PostgresLedgerStore.builder()
                        .jdbcUrl("jdbc:postgresql://127.0.0.1:1/none?user=x")
                        .connectionTimeout(Duration.ofMillis(500))
                        .build());
        assertEquals(LedgerUnavailableException.Kind.STORE_UNAVAILABLE, e.kind());
    }

    @Test
    void jdbcUrlStore_ownsItsPool_andRecordsTransfers() {
        String schema = DB.newSchemaName();
        try (Ledger ledger = Ledger.builder(PostgresLedgerStore.builder()
                        .jdbcUrl(DB.jdbcUrl())
                        .schema(schema)
                        .maximumPoolSize(2)
                        .migrateOnStart(true)
                        .build())
                .build()) {
            ledger.open(NewAccount.issuer(BANK, "USD"));
            ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(100, BANK));
            ledger.open(NewAccount.of(BOB, "USD"));
            Transfer t = ledger.transfer(ALICE, BOB, 40, "USD");
            assertEquals(0, t.sourceIndex());
            assertEquals(60, ledger.balance(ALICE));
            assertEquals(40, ledger.balance(BOB));
            assertEquals(-100, ledger.balance(BANK));
            assertEquals(2, ledger.statement(StatementQuery.of(ALICE)).lines().size());
            LedgerRejectedException e =
                    assertThrows(LedgerRejectedException.class, () -> ledger.transfer(ALICE, BOB, 61, "USD"));
            assertEquals(RejectionReason.INSUFFICIENT_FUNDS, e.reason());
            assertTrue(e.getMessage().contains("alice") && e.getMessage().contains("60"), e.getMessage());
        }
    }

    @Test
    void stores_onDifferentSchemas_areIndependent() {
        try (Ledger a = Ledger.builder(DB.newStore()).build();
                Ledger b = Ledger.builder(DB.newStore()).build()) {
            a.open(NewAccount.issuer(BANK, "USD"));
            assertTrue(a.account(BANK).isPresent());
            assertTrue(b.account(BANK).isEmpty());
            assertNotEquals(null, a.account(BANK).orElseThrow().openedAt());
        }
    }
}
