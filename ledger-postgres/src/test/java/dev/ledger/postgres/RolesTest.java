package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.core.AccountId;
import dev.ledger.core.BatchMode;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.TransferResult;
import dev.ledger.core.VerificationReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.util.PSQLException;

/**
 * The least-privilege setup of the README ("A least-privilege application role"), run exactly as written there (the
 * block is read from README.md; only the role names get a unique suffix, since roles are cluster-wide, and the
 * passwords are filled in): the owner cannot log in, the migrator migrates, and the application role can do everything
 * the library needs and nothing that changes history.
 */
class RolesTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(4);

    private static final String SCHEMA = "ledger";
    private static final String PASSWORD =
            "pw-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    private static final String SUFFIX =
            "_" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    private static final String OWNER = "ledger_owner" + SUFFIX;
    private static final String MIGRATOR = "ledger_migrator" + SUFFIX;
    private static final String APP = "ledger_app" + SUFFIX;
    private static final String ISSUER = "ledger_issuer" + SUFFIX;
    /** A back-office tool's login role, member of the README's issuer role (created by this test, not the README). */
    private static final String TREASURY = "ledger_treasury" + SUFFIX;

    private static final List<HikariDataSource> POOLS = new ArrayList<>();

    /**
     * The README's SQL blocks for the least-privilege setup (0: roles, before the migrations; 1: grants, after them),
     * with unique role names and a real password.
     */
    static List<String> readmeRoleSql(int blockIndex) throws IOException {
        return readmeRoleSql(blockIndex, SUFFIX, PASSWORD, DB.name(), SCHEMA);
    }

    /**
     * The README's SQL blocks for the least-privilege setup, the roles' names suffixed with {@code suffix}, the
     * passwords {@code password}, the database {@code database} and the schema {@code schema} (also run on Citus by
     * {@link CitusRolesTest}).
     */
    static List<String> readmeRoleSql(int blockIndex, String suffix, String password, String database, String schema)
            throws IOException {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int section = text.indexOf("### A least-privilege application role");
        assertTrue(section >= 0, "README.md has no section 'A least-privilege application role'");
        Matcher block = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL).matcher(text);
        assertTrue(block.find(section), "no ```sql block after the least-privilege section of README.md");
        for (int i = 0; i < blockIndex; i++) {
            assertTrue(block.find(), "no ```sql block " + i + " after the least-privilege section of README.md");
        }
        String sql = block.group(1)
                .replaceAll("\\bledger\\b", schema)
                .replaceAll("\\bledger_owner\\b", "ledger_owner" + suffix)
                .replaceAll("\\bledger_migrator\\b", "ledger_migrator" + suffix)
                .replaceAll("\\bledger_app\\b", "ledger_app" + suffix)
                .replaceAll("\\bledger_issuer\\b", "ledger_issuer" + suffix)
                .replace("PASSWORD '...'", "PASSWORD '" + password + "'")
                .replace("ON DATABASE app ", "ON DATABASE " + database + " ");
        List<String> statements = new ArrayList<>();
        for (String statement : sql.replaceAll("(?m)--.*$", "").split(";[ \\t]*(\\n|$)")) { // a statement ends its line
            if (!statement.isBlank()) {
                statements.add(statement.strip());
            }
        }
        return statements;
    }

    @BeforeAll
    static void setUpRoles() throws Exception {
        List<String> roles = readmeRoleSql(0);
        assertTrue(roles.size() >= 6, "README role SQL looks incomplete: " + roles);
        DB.sql(roles.toArray(String[]::new));
        PostgresLedgerStore.migrate(pool(MIGRATOR), SCHEMA);
        List<String> grants = readmeRoleSql(1);
        assertTrue(grants.size() >= 4, "README grant SQL looks incomplete: " + grants);
        try (Connection c = connect(MIGRATOR);
                Statement st = c.createStatement()) {
            for (String grant : grants) {
                st.execute(grant);
            }
        }
        DB.sql("CREATE ROLE " + TREASURY + " LOGIN PASSWORD '" + PASSWORD + "' IN ROLE " + ISSUER);
    }

    @AfterAll
    static void dropRoles() throws SQLException {
        for (HikariDataSource pool : POOLS) {
            pool.close();
        }
        DB.sql("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        for (String role : new String[] {TREASURY, ISSUER, APP, MIGRATOR, OWNER}) {
            DB.sql("DROP OWNED BY " + role, "DROP ROLE " + role);
        }
    }

    private static HikariDataSource pool(String user) {
        HikariDataSource pool = rolePool(DB.server().jdbcUrl(DB.name()), user, PASSWORD, null, "roles-" + user);
        POOLS.add(pool);
        return pool;
    }

    /**
     * A pool of 3 logging in as {@code user} with {@code password} to {@code jdbcUrl} (its query string dropped),
     * running {@code initSql} on each new connection (also for {@link CitusRolesTest}).
     */
    static HikariDataSource rolePool(String jdbcUrl, String user, String password, String initSql, String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl.replaceFirst("\\?.*$", ""));
        config.setUsername(user);
        config.setPassword(password);
        config.setConnectionInitSql(initSql);
        config.setMaximumPoolSize(3);
        config.setMinimumIdle(0);
        config.setPoolName(name);
        return new HikariDataSource(config);
    }

    private static Connection connect(String user) throws SQLException {
        return DriverManager.getConnection(DB.server().jdbcUrl(DB.name()).replaceFirst("\\?.*$", ""), user, PASSWORD);
    }

    @Test
    void migrationOwner_login_refused() {
        SQLException e = assertThrows(SQLException.class, () -> connect(OWNER).close());
        assertEquals("28000", e.getSQLState(), e.getMessage());
    }

    @Test
    void migrator_objects_ownedByNologinOwner() throws SQLException {
        assertEquals(
                1,
                DB.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = '" + SCHEMA + "'" + " AND nspowner = '"
                        + OWNER + "'::regrole"));
        assertEquals(
                0,
                DB.queryLong("SELECT count(*) FROM pg_class WHERE relnamespace = '" + SCHEMA + "'::regnamespace"
                        + " AND relowner <> '" + OWNER + "'::regrole"));
        assertTrue(DB.queryLong("SELECT count(*) FROM pg_class WHERE relnamespace = '" + SCHEMA + "'::regnamespace"
                        + " AND relkind = 'r'")
                >= 5);
    }

    /**
     * Every write to any table is refused to the application role, including the forgeries of the adversarial review: a
     * credit checkpoint (credits to spend), a seal at 'infinity' (every later transfer failing), a row of
     * flyway_schema_history (every later build() failing), an issuer account (minting money).
     */
    @Test
    void applicationRole_anyWriteOrSchemaChange_permissionDenied() throws SQLException {
        String s = SCHEMA + ".";
        List<String> refused = refusedToTheApplicationRole(SCHEMA);
        try (Connection c = connect(APP);
                Statement st = c.createStatement()) {
            for (String sql : refused) {
                PSQLException e = assertThrows(
                        PSQLException.class, () -> st.execute(sql), "the application role could run: " + sql);
                assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage());
            }
        }
        assertEquals(0, DB.queryLong("SELECT count(*) FROM " + s + "account WHERE id = 'mint'"));
        assertEquals(0, DB.queryLong("SELECT count(*) FROM " + s + "seal WHERE sealed_through = 'infinity'"));
        assertEquals("A", triggerState("transfer_immutable"), "the history trigger is still ENABLE ALWAYS");
        assertEquals(
                0,
                DB.queryLong(
                        "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                                + " WHERE n.nspname = '" + SCHEMA
                                + "' AND p.proname IN ('append_transfers', 'open_account', 'open_issuer',"
                                + " 'open_funded', 'insert_account', 'summarizer_step') AND has_function_privilege('public', p.oid, 'EXECUTE')"),
                "PUBLIC may execute a write function");
    }

    /**
     * Statements the application role must be refused (42501) on {@code schema}: every kind of write to every table,
     * the forgeries of the adversarial review, the owner's privileges (also run on Citus by {@link CitusRolesTest}).
     */
    static List<String> refusedToTheApplicationRole(String schema) {
        String s = schema + ".";
        return List.of(
                "INSERT INTO " + s + "credit_checkpoint (account, through, credits) VALUES ('alice', now(), 1000000)",
                "INSERT INTO " + s + "credit (account, recorded_at, id, amount, source, source_index, currency)"
                        + " VALUES ('alice', now(), gen_random_uuid(), 1000000, 'bank', 99, 'USD')",
                "UPDATE " + s + "credit SET amount = amount + 1",
                "DELETE FROM " + s + "credit",
                "TRUNCATE " + s + "credit",
                "INSERT INTO " + s + "seal (sealed_through) VALUES ('infinity')",
                "INSERT INTO " + s + "seal_horizon (seq, horizon) VALUES (1, '1')",
                "INSERT INTO " + s + "seal_summarized (seq) VALUES (1)",
                "INSERT INTO " + s + "flyway_schema_history (installed_rank, description, type, script, installed_by,"
                        + " execution_time, success) VALUES (99, 'evil', 'SQL', 'V99__evil.sql', 'x', 0, false)",
                "INSERT INTO " + s + "account (id, currency, issuer, opened_at) VALUES ('mint', 'USD', true, now())",
                "INSERT INTO " + s + "transfer (source, source_index, id, destination, amount, currency, recorded_at,"
                        + " source_debits) VALUES ('mint', 0, gen_random_uuid(), 'alice', 1000000, 'USD', now(), 1000000)",
                "SELECT * FROM " + s + "open_issuer('mint', 'USD', now())",
                "SELECT " + s + "insert_account('mint', 'USD', true, now(), NULL, NULL)",
                "SELECT * FROM " + s
                        + "open_funded(true, 'mint', 'USD', now(), NULL, NULL, NULL, NULL, false, NULL, NULL)",
                "UPDATE " + s + "setting SET max_clock_skew = interval '100 years'",
                "UPDATE " + s + "transfer SET amount = amount + 1",
                "DELETE FROM " + s + "transfer",
                "TRUNCATE " + s + "transfer",
                "UPDATE " + s + "account SET issuer = true",
                "DELETE FROM " + s + "account",
                "TRUNCATE " + s + "account",
                "UPDATE " + s + "credit_checkpoint SET credits = 0",
                "DELETE FROM " + s + "seal",
                "ALTER TABLE " + s + "transfer ADD COLUMN x int",
                "ALTER TABLE " + s + "transfer DISABLE TRIGGER transfer_immutable",
                "ALTER TABLE " + s + "transfer DISABLE TRIGGER ALL",
                "CREATE TRIGGER evil BEFORE INSERT ON " + s + "transfer FOR EACH ROW EXECUTE FUNCTION " + s
                        + "refuse_history_change()",
                "DROP TRIGGER transfer_immutable ON " + s + "transfer",
                "DROP TABLE " + s + "transfer",
                "CREATE TABLE " + s + "evil (x int)",
                "CREATE OR REPLACE FUNCTION " + s + "append_transfers(uuid[], text[], text[], bigint[], text[], text[],"
                        + " timestamptz, boolean, boolean, boolean, text[], smallint[], uuid[], timestamptz[], interval[])"
                        + " RETURNS SETOF record LANGUAGE sql AS 'SELECT NULL::record'",
                "SET session_replication_role = replica",
                "CREATE TEMP TABLE account (id text)");
    }

    private static String triggerState(String trigger) throws SQLException {
        try (Connection c = DB.dataSource().getConnection();
                Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT tgenabled FROM pg_trigger WHERE tgname = '" + trigger + "'"
                        + " AND tgrelid = '" + SCHEMA + ".transfer'::regclass")) {
            assertTrue(rs.next(), "no trigger " + trigger);
            return rs.getString(1);
        }
    }

    /** Opens issuers as the treasury tool's role (a member of the README's issuer role). */
    private static void openIssuers(String... ids) {
        try (PostgresLedgerStore store = PostgresLedgerStore.builder()
                        .dataSource(pool(TREASURY))
                        .schema(SCHEMA)
                        .summarizeEvery(Duration.ZERO)
                        .build();
                Ledger treasury = Ledger.builder(store).build()) {
            for (String id : ids) {
                treasury.open(NewAccount.issuer(AccountId.of(id), "USD"));
            }
        }
    }

    @Test
    void applicationRole_openIssuer_refusedNamingThePrivilege() {
        try (PostgresLedgerStore store = PostgresLedgerStore.builder()
                        .dataSource(pool(APP))
                        .schema(SCHEMA)
                        .summarizeEvery(Duration.ZERO)
                        .build();
                Ledger ledger = Ledger.builder(store).build()) {
            LedgerUnavailableException e = assertThrows(
                    LedgerUnavailableException.class,
                    () -> ledger.open(NewAccount.issuer(AccountId.of("app-mint"), "USD")));
            assertEquals(LedgerUnavailableException.Kind.STORE_UNAVAILABLE, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("open_issuer") && e.getMessage().contains("42501"), e.getMessage());
            assertTrue(ledger.account(AccountId.of("app-mint")).isEmpty());
        }
    }

    @Test
    void applicationRole_library_worksWithSelectAndExecuteOnly() throws SQLException {
        openIssuers("bank");
        try (PostgresLedgerStore store = PostgresLedgerStore.builder()
                        .dataSource(pool(APP))
                        .schema(SCHEMA)
                        .summarizeEvery(Duration.ZERO)
                        .sealLag(Duration.ofMillis(1))
                        .summaryCheckpointAfter(1) // (the few credits below are checkpointed at once)
                        .build();
                Ledger ledger = Ledger.builder(store).build()) {
            AccountId bank = AccountId.of("bank");
            AccountId alice = AccountId.of("alice");
            AccountId bob = AccountId.of("bob");
            ledger.open(NewAccount.of(alice, "USD").withOpeningBalance(100, bank));
            ledger.open(NewAccount.of(bob, "USD"));
            ledger.transfer(TransferRequest.of(alice, bob, 30, "USD").withReference("as the app role"));
            assertEquals(70, ledger.balance(alice));
            assertEquals(30, ledger.balance(bob));
            List<TransferResult> batch = ledger.transferBatch(
                    List.of(TransferRequest.of(alice, bob, 1, "USD"), TransferRequest.of(bob, alice, 2, "USD")),
                    BatchMode.LINKED);
            assertEquals(2, batch.size());
            int checkpoints = 0;
            for (int round = 0; round < 50 && checkpoints == 0; round++) {
                sleep(5);
                checkpoints += store.summarize(); // seal, horizon, wait, checkpoints: all through summarizer_step
            }
            assertTrue(checkpoints > 0, "the summariser wrote no checkpoint as the application role");
            assertTrue(store.summarizedThrough().isPresent());
            ledger.transfer(alice, bob, 5, "USD");
            assertEquals(66, ledger.balance(alice));
            assertEquals(34, ledger.balance(bob));
            assertEquals(
                    4,
                    ledger.statement(StatementQuery.of(bob).limit(10)).lines().size());
            VerificationReport report = ledger.verify(ledger.chainHeads()); // needs SELECT only
            assertTrue(report.ok(), report.describe());
            // Other tests of this class share the schema: compare with what the superuser counts.
            assertEquals(DB.queryLong("SELECT count(*) FROM " + SCHEMA + ".account"), report.accounts());
            assertEquals(DB.queryLong("SELECT count(*) FROM " + SCHEMA + ".transfer"), report.transfers());
        }
        assertTrue(DB.queryLong("SELECT count(*) FROM " + SCHEMA + ".credit_checkpoint") > 0);
        assertFalse(DB.queryLong("SELECT count(*) FROM " + SCHEMA + ".seal_summarized") == 0);
    }

    /**
     * A session's temporary tables named like the ledger's must never be read in their place by the schema's functions.
     * Here the application role gets TEMP back (a setup that kept PostgreSQL's default) and tries the three shadowings
     * found by the adversarial review, each with a call of the write function that the shadow would have let through.
     */
    @Test
    void temporaryTables_shadowingAccountTransferSeal_forgedTransfersRefused() throws SQLException {
        openIssuers("shadow-bank");
        DB.sql("GRANT TEMPORARY ON DATABASE " + DB.name() + " TO " + APP);
        try (PostgresLedgerStore store = PostgresLedgerStore.builder()
                        .dataSource(pool(APP))
                        .schema(SCHEMA)
                        .summarizeEvery(Duration.ZERO)
                        .sealLag(Duration.ofMillis(1))
                        .build();
                Ledger ledger = Ledger.builder(store).build();
                Connection c = connect(APP);
                Statement st = c.createStatement()) {
            AccountId bank = AccountId.of("shadow-bank");
            AccountId alice = AccountId.of("shadow-alice");
            AccountId bob = AccountId.of("shadow-bob");
            ledger.open(NewAccount.of(alice, "USD").withOpeningBalance(10, bank));
            ledger.open(NewAccount.of(bob, "USD"));
            String s = SCHEMA + ".";

            // 1. Every account an issuer: the funds check would be skipped.
            st.execute("CREATE TEMP TABLE account AS SELECT id, currency, true AS issuer, opened_at FROM " + s
                    + "account");
            assertEquals("INSUFFICIENT_FUNDS", debit(st, alice, 1_000_000, "clock_timestamp()"));
            st.execute("DROP TABLE pg_temp.account");

            // 2. A fake predecessor at index 41 and fake credits of 10,000,000.
            st.execute("CREATE TEMP TABLE transfer AS SELECT * FROM " + s + "transfer WHERE false");
            st.execute(
                    "INSERT INTO pg_temp.transfer (source, source_index, id, destination, amount, currency, recorded_at,"
                            + " source_debits, created_xid, chain_hash) VALUES"
                            + " ('" + alice + "', 41, gen_random_uuid(), '" + bob
                            + "', 1, 'USD', '2000-01-01', 0, '1', '\\x'),"
                            + " ('" + bank + "', 0, gen_random_uuid(), '" + alice
                            + "', 10000000, 'USD', '2000-01-01', 10000000, '1',"
                            + " '\\x')");
            assertEquals("INSUFFICIENT_FUNDS", debit(st, alice, 5_000_000, "clock_timestamp()"));
            st.execute("DROP TABLE pg_temp.transfer");

            // 3. No seal: a transfer dated behind a seal, which would change balances already reported final.
            sleep(20);
            for (int round = 0; round < 50 && store.summarizedThrough().isEmpty(); round++) {
                store.summarize();
                sleep(5);
            }
            assertTrue(store.summarizedThrough().isPresent(), "the summariser sealed nothing");
            st.execute("CREATE TEMP TABLE seal AS SELECT * FROM " + s + "seal WHERE false");
            assertEquals(
                    "OK", debit(st, alice, 1, "(SELECT max(sealed_through) FROM " + s + "seal) - interval '1 day'"));
            st.execute("DROP TABLE pg_temp.seal");
            assertEquals(
                    0,
                    DB.queryLong("SELECT count(*) FROM " + s + "transfer t WHERE t.recorded_at <="
                            + " (SELECT max(sealed_through) FROM " + s + "seal) AND t.source = '" + alice
                            + "' AND t.amount = 1"),
                    "a transfer was dated at or behind the seal");

            assertEquals(9, ledger.balance(alice));
            assertEquals(1, ledger.balance(bob));
            VerificationReport report = ledger.verify();
            assertTrue(report.ok(), report.describe());
        } finally {
            DB.sql("REVOKE TEMPORARY ON DATABASE " + DB.name() + " FROM " + APP);
        }
    }

    /** A call of the write function, as any client could send it; returns its status. */
    private static String debit(Statement st, AccountId source, long amount, String notBefore) throws SQLException {
        try (var rs = st.executeQuery("SELECT status FROM " + SCHEMA + ".append_transfers(ARRAY[gen_random_uuid()],"
                + " ARRAY['" + source + "'], ARRAY['shadow-bob'], ARRAY[" + amount + "]::bigint[], ARRAY['USD'],"
                + " ARRAY['forged']::text[], " + notBefore + ", false)")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
