package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.TransferRequest;
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
 * The least-privilege setup of the README ("A least-privilege application role"), run exactly as written there
 * (the block is read from README.md; only the role names get a unique suffix, since roles are cluster-wide, and
 * the passwords are filled in): the owner cannot log in, the migrator migrates, and the application role can
 * do everything the library needs and nothing that changes history.
 */
class RolesTest {
  @RegisterExtension
  static final PostgresDatabase DB = new PostgresDatabase(4);

  private static final String SCHEMA = "ledger";
  private static final String PASSWORD = "pw-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  private static final String SUFFIX = "_" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  private static final String OWNER = "ledger_owner" + SUFFIX;
  private static final String MIGRATOR = "ledger_migrator" + SUFFIX;
  private static final String APP = "ledger_app" + SUFFIX;

  private static final List<HikariDataSource> POOLS = new ArrayList<>();

  /** The README's SQL block for the least-privilege setup, with unique role names and a real password. */
  static List<String> readmeRoleSql() throws IOException {
    Path readme = Path.of("..", "README.md");
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    int section = text.indexOf("### A least-privilege application role");
    assertTrue(section >= 0, "README.md has no section 'A least-privilege application role'");
    Matcher block = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL).matcher(text);
    assertTrue(block.find(section), "no ```sql block after the least-privilege section of README.md");
    String sql = block.group(1)
        .replaceAll("\\bledger_owner\\b", OWNER)
        .replaceAll("\\bledger_migrator\\b", MIGRATOR)
        .replaceAll("\\bledger_app\\b", APP)
        .replace("PASSWORD '...'", "PASSWORD '" + PASSWORD + "'");
    List<String> statements = new ArrayList<>();
    for (String statement : sql.replaceAll("(?m)--.*$", "").split(";")) {
      if (!statement.isBlank()) {
        statements.add(statement.strip());
      }
    }
    return statements;
  }

  @BeforeAll
  static void setUpRoles() throws Exception {
    List<String> statements = readmeRoleSql();
    assertTrue(statements.size() >= 6, "README role SQL looks incomplete: " + statements);
    DB.sql(statements.toArray(String[]::new));
    PostgresLedgerStore.migrate(pool(MIGRATOR), SCHEMA);
  }

  @AfterAll
  static void dropRoles() throws SQLException {
    for (HikariDataSource pool : POOLS) {
      pool.close();
    }
    DB.sql("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    for (String role : new String[] {APP, MIGRATOR, OWNER}) {
      DB.sql("DROP OWNED BY " + role, "DROP ROLE " + role);
    }
  }

  private static HikariDataSource pool(String user) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(DB.server().jdbcUrl(DB.name()).replaceFirst("\\?.*$", ""));
    config.setUsername(user);
    config.setPassword(PASSWORD);
    config.setMaximumPoolSize(3);
    config.setMinimumIdle(0);
    config.setPoolName("roles-" + user);
    HikariDataSource pool = new HikariDataSource(config);
    POOLS.add(pool);
    return pool;
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
    assertEquals(1, DB.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = '" + SCHEMA + "'"
        + " AND nspowner = '" + OWNER + "'::regrole"));
    assertEquals(0, DB.queryLong("SELECT count(*) FROM pg_class WHERE relnamespace = '" + SCHEMA + "'::regnamespace"
        + " AND relowner <> '" + OWNER + "'::regrole"));
    assertTrue(DB.queryLong("SELECT count(*) FROM pg_class WHERE relnamespace = '" + SCHEMA + "'::regnamespace"
        + " AND relkind = 'r'") >= 5);
  }

  @Test
  void applicationRole_historyChanges_permissionDenied() throws SQLException {
    String s = SCHEMA + ".";
    String[] refused = {
        "UPDATE " + s + "transfer SET amount = amount + 1",
        "DELETE FROM " + s + "transfer",
        "TRUNCATE " + s + "transfer",
        "UPDATE " + s + "account SET issuer = true",
        "DELETE FROM " + s + "account",
        "TRUNCATE " + s + "account",
        "UPDATE " + s + "credit_checkpoint SET credits = 0",
        "DELETE FROM " + s + "seal",
        "ALTER TABLE " + s + "transfer ADD COLUMN x int",
        "ALTER TABLE " + s + "transfer DISABLE TRIGGER transfer_guard",
        "ALTER TABLE " + s + "transfer DISABLE TRIGGER ALL",
        "CREATE TRIGGER evil BEFORE INSERT ON " + s + "transfer FOR EACH ROW EXECUTE FUNCTION " + s
            + "refuse_history_change()",
        "DROP TRIGGER transfer_guard ON " + s + "transfer",
        "DROP TABLE " + s + "transfer",
        "CREATE TABLE " + s + "evil (x int)",
        "CREATE OR REPLACE FUNCTION " + s + "guard_transfer() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
        "SET session_replication_role = replica"};
    try (Connection c = connect(APP); Statement st = c.createStatement()) {
      for (String sql : refused) {
        PSQLException e = assertThrows(PSQLException.class, () -> st.execute(sql), "the application role could run: " + sql);
        assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage());
      }
    }
    assertEquals("A", triggerState("transfer_guard"), "the guard trigger is still ENABLE ALWAYS");
  }

  private static String triggerState(String trigger) throws SQLException {
    try (Connection c = DB.dataSource().getConnection(); Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT tgenabled FROM pg_trigger WHERE tgname = '" + trigger + "'"
            + " AND tgrelid = '" + SCHEMA + ".transfer'::regclass")) {
      assertTrue(rs.next(), "no trigger " + trigger);
      return rs.getString(1);
    }
  }

  @Test
  void applicationRole_library_worksWithSelectAndInsertOnly() throws SQLException {
    try (PostgresLedgerStore store = PostgresLedgerStore.builder().dataSource(pool(APP)).schema(SCHEMA)
        .summarizeEvery(Duration.ZERO).sealLag(Duration.ofMillis(1)).build();
        Ledger ledger = Ledger.builder(store).build()) {
      AccountId bank = AccountId.of("bank");
      AccountId alice = AccountId.of("alice");
      AccountId bob = AccountId.of("bob");
      ledger.open(NewAccount.issuer(bank, "USD"));
      ledger.open(NewAccount.of(alice, "USD").withOpeningBalance(100, bank));
      ledger.open(NewAccount.of(bob, "USD"));
      ledger.transfer(TransferRequest.of(alice, bob, 30, "USD").withReference("as the app role"));
      assertEquals(70, ledger.balance(alice));
      assertEquals(30, ledger.balance(bob));
      int checkpoints = 0;
      for (int round = 0; round < 50 && checkpoints == 0; round++) {
        sleep(5);
        checkpoints += store.summarize(); // seal, wait for older transactions, write checkpoints: INSERTs only
      }
      assertTrue(checkpoints > 0, "the summariser wrote no checkpoint as the application role");
      assertTrue(store.summarizedThrough().isPresent());
      ledger.transfer(alice, bob, 5, "USD");
      assertEquals(65, ledger.balance(alice));
      assertEquals(35, ledger.balance(bob));
      assertEquals(2, ledger.statement(StatementQuery.of(bob).limit(10)).lines().size());
      VerificationReport report = ledger.verify(ledger.chainHeads()); // needs SELECT only
      assertTrue(report.ok(), report.describe());
      assertEquals(3, report.accounts());
      assertEquals(3, report.transfers());
    }
    assertTrue(DB.queryLong("SELECT count(*) FROM " + SCHEMA + ".credit_checkpoint") > 0);
    assertFalse(DB.queryLong("SELECT count(*) FROM " + SCHEMA + ".seal_summarized") == 0);
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
