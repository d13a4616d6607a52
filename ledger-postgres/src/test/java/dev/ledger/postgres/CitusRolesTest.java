package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.core.AccountId;
import dev.ledger.core.BatchMode;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.TransferResult;
import dev.ledger.core.VerificationReport;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.util.PSQLException;

/**
 * The README's least-privilege setup on the Citus cluster, as written there (the same blocks as {@link RolesTest}),
 * with the schema distributed by the migrator: Citus propagates the roles, the schema and the grants to the workers.
 * The application role works through SELECT and EXECUTE alone, and is refused every write, on the coordinator and on
 * the workers' shards alike.
 */
class CitusRolesTest {
    @RegisterExtension
    static final CitusCluster CLUSTER = new CitusCluster();

    private static final String ID = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    private static final String SUFFIX = "_c" + ID;
    private static final String PASSWORD = "pw-" + ID;
    private static final String SCHEMA = ("ledger_roles_" + ID).toLowerCase(Locale.ROOT);
    private static final String MIGRATOR = "ledger_migrator" + SUFFIX;
    private static final String APP = "ledger_app" + SUFFIX;
    private static final String ISSUER = "ledger_issuer" + SUFFIX;
    private static final String TREASURY = "ledger_treasury" + SUFFIX;
    private static final List<HikariDataSource> POOLS = new ArrayList<>();

    private static String database() {
        return URI.create(CitusCluster.url().substring("jdbc:".length()))
                .getPath()
                .substring(1);
    }

    @BeforeAll
    static void setUpRoles() throws Exception {
        CLUSTER.execute("GRANT TEMPORARY ON DATABASE " + database() + " TO PUBLIC"); // what REVOKE below undoes
        for (String sql : RolesTest.readmeRoleSql(0, SUFFIX, PASSWORD, database(), SCHEMA)) {
            CLUSTER.execute(sql);
        }
        List<String> citus = RolesTest.readmeRoleSql(2, SUFFIX, PASSWORD, database(), SCHEMA);
        assertEquals(2, citus.size(), "README's Citus block: " + citus);
        for (String sql : citus) {
            CLUSTER.execute(sql); // the owner may log in to the workers; the migrator changes shards one at a time
        }
        PostgresLedgerStore.migrate(pool(MIGRATOR, "SET citus.shard_count TO 4"), SCHEMA, true);
        try (Connection c = connect(CitusCluster.url(), MIGRATOR);
                Statement st = c.createStatement()) {
            for (String grant : RolesTest.readmeRoleSql(1, SUFFIX, PASSWORD, database(), SCHEMA)) {
                st.execute(grant);
            }
        }
        CLUSTER.execute("CREATE ROLE " + TREASURY + " LOGIN PASSWORD '" + PASSWORD + "' IN ROLE " + ISSUER);
    }

    @AfterAll
    static void dropRoles() throws SQLException {
        for (HikariDataSource pool : POOLS) {
            pool.close();
        }
        CLUSTER.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        for (String role : new String[] {TREASURY, ISSUER, APP, MIGRATOR, "ledger_owner" + SUFFIX}) {
            CLUSTER.execute("DROP OWNED BY " + role);
            CLUSTER.execute("DROP ROLE " + role);
        }
        CLUSTER.execute("GRANT TEMPORARY ON DATABASE " + database() + " TO PUBLIC");
    }

    private static HikariDataSource pool(String user) {
        return pool(user, null);
    }

    private static HikariDataSource pool(String user, String initSql) {
        HikariDataSource pool = RolesTest.rolePool(CitusCluster.url(), user, PASSWORD, initSql, "citus-roles-" + user);
        POOLS.add(pool);
        return pool;
    }

    private static Connection connect(String url, String user) throws SQLException {
        return DriverManager.getConnection(url.replaceFirst("\\?.*$", ""), user, PASSWORD);
    }

    @Test
    void owner_loginToTheCoordinator_refused() {
        SQLException e = assertThrows(SQLException.class, () -> connect(CitusCluster.url(), "ledger_owner" + SUFFIX)
                .close());
        assertEquals("28000", e.getSQLState(), e.getMessage());
    }

    @Test
    void distribute_asTheMigrator_tablesDistributedAndOwnedByTheOwner() throws SQLException {
        assertEquals(
                1,
                CLUSTER.query("SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = '" + SCHEMA
                        + ".transfer'::regclass"));
        for (int port : CLUSTER.nodePorts().subList(1, CLUSTER.nodePorts().size())) {
            assertEquals(
                    0,
                    CLUSTER.onNode(
                            port,
                            "SELECT count(*) FROM pg_class WHERE relnamespace = '" + SCHEMA
                                    + "'::regnamespace AND relowner <> 'ledger_owner" + SUFFIX + "'::regrole"),
                    "objects on " + port + " not owned by the owner role");
        }
    }

    @Test
    void applicationRole_anyWriteOnCoordinatorOrWorkerShards_permissionDenied() throws SQLException {
        try (Connection c = connect(CitusCluster.url(), APP);
                Statement st = c.createStatement()) {
            for (String sql : RolesTest.refusedToTheApplicationRole(SCHEMA)) {
                PSQLException e = assertThrows(
                        PSQLException.class, () -> st.execute(sql), "the application role could run: " + sql);
                assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage());
            }
        }
        // On a worker: the distributed tables (Citus routes them) and the shards themselves.
        int worker = CLUSTER.nodePorts().get(1);
        List<String> shards = new ArrayList<>();
        for (String table : List.of("transfer", "credit", "account", "credit_checkpoint", "transfer_id")) {
            shards.add(SCHEMA + "." + table + "_"
                    + CLUSTER.query("SELECT min(shardid) FROM pg_dist_shard s JOIN"
                            + " pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid) WHERE n.nodeport = "
                            + worker
                            + " AND s.logicalrelid = '" + SCHEMA + "." + table + "'::regclass"));
        }
        try (Connection c = connect(CitusCluster.nodeUrl(worker), APP);
                Statement st = c.createStatement()) {
            // Citus's own guard against changing shards by hand is a setting any session may turn off: only the
            // privileges stand in the way.
            st.execute("SET citus.enable_manual_changes_to_shards TO on");
            List<String> refused = new ArrayList<>(List.of(
                    "INSERT INTO " + SCHEMA
                            + ".account (id, currency, issuer, opened_at) VALUES ('mint', 'USD', true, now())",
                    "INSERT INTO " + shards.get(2)
                            + " (id, currency, issuer, opened_at) VALUES ('mint', 'USD', true, now())",
                    "INSERT INTO " + shards.get(3) + " (account, through, credits) VALUES ('alice', now(), 1000000)",
                    "INSERT INTO " + shards.get(1)
                            + " (account, recorded_at, id, amount, source, source_index, currency)"
                            + " VALUES ('alice', now(), gen_random_uuid(), 1000000, 'bank', 99, 'USD')",
                    "INSERT INTO " + shards.get(4) + " (id, source) VALUES (gen_random_uuid(), 'x')",
                    "ALTER TABLE " + shards.get(0) + " DISABLE TRIGGER ALL"));
            for (String shard : shards) {
                refused.add("DELETE FROM " + shard);
                refused.add("UPDATE " + shard + " SET "
                        + (shard.contains(".transfer_id_")
                                ? "source = 'x'"
                                : shard.contains(".credit_checkpoint_") ? "credits = 0" : "currency = 'x'"));
                refused.add("TRUNCATE " + shard);
            }
            for (String sql : refused) {
                PSQLException e = assertThrows(
                        PSQLException.class,
                        () -> st.execute(sql),
                        "the application role could run" + " on a worker: " + sql);
                assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage());
            }
        }
        assertEquals(0, CLUSTER.query("SELECT count(*) FROM " + SCHEMA + ".account WHERE id = 'mint'"));
    }

    @Test
    void applicationRole_openIssuer_refusedNamingThePrivilege() {
        try (Ledger ledger = Ledger.builder(store(APP)).build()) {
            LedgerUnavailableException e = assertThrows(
                    LedgerUnavailableException.class,
                    () -> ledger.open(NewAccount.issuer(AccountId.of("app-mint"), "USD")));
            assertTrue(e.getMessage().contains("open_issuer") && e.getMessage().contains("42501"), e.getMessage());
            assertTrue(ledger.account(AccountId.of("app-mint")).isEmpty());
        }
    }

    @Test
    void applicationRole_library_worksWithSelectAndExecuteOnly() throws Exception {
        try (Ledger treasury = Ledger.builder(store(TREASURY)).build()) {
            treasury.open(NewAccount.issuer(AccountId.of("bank"), "USD"));
        }
        PostgresLedgerStore store = store(APP);
        try (Ledger ledger = Ledger.builder(store).build()) {
            AccountId bank = AccountId.of("bank");
            AccountId alice = AccountId.of("alice");
            AccountId bob = AccountId.of("bob");
            ledger.open(NewAccount.of(alice, "USD").withOpeningBalance(100, bank));
            ledger.open(NewAccount.of(bob, "USD"));
            Transfer t =
                    ledger.transfer(TransferRequest.of(alice, bob, 30, "USD").withReference("as the app role"));
            assertEquals(t, ledger.findTransfer(t.id()).orElseThrow()); // reads transfer_id, created by distribute()
            assertEquals(
                    t,
                    ledger.transfer(TransferRequest.of(alice, bob, 30, "USD")
                            .withId(t.id())
                            .withReference("as the app role")));
            List<TransferResult> batch = ledger.transferBatch(
                    List.of(TransferRequest.of(alice, bob, 1, "USD"), TransferRequest.of(bob, alice, 2, "USD")),
                    BatchMode.LINKED);
            assertEquals(2, batch.size());
            assertEquals(71, ledger.balance(alice));
            assertEquals(29, ledger.balance(bob));
            assertEquals(
                    3,
                    ledger.statement(StatementQuery.of(bob).limit(10)).lines().size());
            VerificationReport report = ledger.verify(ledger.chainHeads());
            assertTrue(report.ok(), report.describe());
            // The summariser, through its one function: it reads the workers as the owner (who logs in there only).
            Instant last = ((TransferResult.Recorded) batch.get(1)).transfer().recordedAt();
            for (int i = 0;
                    i < 50
                            && store.summarizedThrough()
                                    .filter(x -> !x.isBefore(last))
                                    .isEmpty();
                    i++) {
                store.summarize();
                Thread.sleep(2);
            }
            assertTrue(!store.summarizedThrough().orElseThrow().isBefore(last), "summarised through the last transfer");
            assertTrue(
                    CLUSTER.query("SELECT count(*) FROM " + SCHEMA + ".credit_checkpoint WHERE account = 'alice'") > 0,
                    "the summariser wrote checkpoints as the app role");
            assertEquals(71, ledger.balanceAsOf(alice, store.summarizedThrough().orElseThrow()));
        }
    }

    /**
     * A misconfigured cluster: the owner cannot log in to one worker (the change made while a round runs, after its
     * seal, so that the first to meet it is the summariser's check of the workers). The summariser cannot tell whether
     * that worker holds a transfer still committing, so it must not summarise; it fails the round naming the worker and
     * the rule instead of waiting in silence.
     */
    @Test
    void summarize_ownerCannotLogInToAWorker_failsNamingTheWorkerAndTheRule() throws Exception {
        try (Ledger treasury = Ledger.builder(store(TREASURY)).build()) {
            treasury.open(NewAccount.issuer(AccountId.of("eur_bank"), "EUR"));
        }
        try (Ledger ledger = Ledger.builder(store(APP)).build()) { // a credit to seal
            ledger.open(NewAccount.of(AccountId.of("carol"), "EUR").withOpeningBalance(5, AccountId.of("eur_bank")));
        }
        int worker = CLUSTER.nodePorts().get(1);
        BalanceSummarizer summarizer = new BalanceSummarizer(
                pool(APP), SCHEMA, Duration.ofMillis(1), Duration.ofSeconds(1), SummarizerListener.none());
        summarizer.afterSealInsert = () -> ownerLogin(worker, false);
        try {
            Thread.sleep(5);
            LedgerUnavailableException e = assertThrows(LedgerUnavailableException.class, () -> {
                for (int i = 0; i < 20; i++) {
                    summarizer.runOnce();
                }
            });
            assertTrue(
                    e.getMessage().contains("could not run on Citus worker(s) localhost:" + worker + " (")
                            && e.getMessage().contains("must be able to log in to every worker"),
                    e.getMessage());
        } finally {
            ownerLogin(worker, true);
        }
    }

    /** Lets the schema owner log in to {@code worker}, or not (on that worker only). */
    private static void ownerLogin(int worker, boolean login) {
        try (Connection c = DriverManager.getConnection(CitusCluster.nodeUrl(worker));
                Statement st = c.createStatement()) {
            st.execute("SET citus.enable_alter_role_propagation TO off");
            st.execute("ALTER ROLE ledger_owner" + SUFFIX + (login ? " LOGIN" : " NOLOGIN"));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PostgresLedgerStore store(String user) {
        return PostgresLedgerStore.builder()
                .dataSource(pool(user))
                .schema(SCHEMA)
                .distributed(true)
                .summarizeEvery(Duration.ZERO)
                .sealLag(Duration.ofMillis(1))
                .summaryCheckpointAfter(1) // (the few credits of these tests are checkpointed at once)
                .build();
    }
}
