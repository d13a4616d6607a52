package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.util.PSQLException;

/**
 * The database enforces the ledger's rules by itself: these tests bypass the library and write raw SQL as the
 * schema owner (the test database's superuser, the strongest client short of disabling triggers).
 */
class DatabaseRulesTest {
  @RegisterExtension
  static final PostgresDatabase DB = new PostgresDatabase();

  private String s;
  private Ledger ledger;

  @BeforeEach
  void setUp() {
    PostgresLedgerStore store = DB.newStore();
    s = store.schema();
    ledger = Ledger.builder(store).build();
    ledger.open(NewAccount.issuer(AccountId.of("bank"), "USD"));
    ledger.open(NewAccount.of(AccountId.of("alice"), "USD").withOpeningBalance(100, AccountId.of("bank")));
    ledger.open(NewAccount.of(AccountId.of("bob"), "USD"));
    ledger.open(NewAccount.of(AccountId.of("eve"), "EUR"));
    // alice: index 0 sends 30 to bob (cumulative debits 30)
    ledger.transfer(AccountId.of("alice"), AccountId.of("bob"), 30, "USD");
  }

  /** A raw INSERT of a transfer row; values are SQL literals. */
  private String insert(String source, long index, String destination, long amount, String currency, long debits) {
    return "INSERT INTO " + s + ".transfer (source, source_index, id, destination, amount, currency, recorded_at,"
        + " source_debits) VALUES ('" + source + "', " + index + ", '" + UUID.randomUUID() + "', '" + destination
        + "', " + amount + ", '" + currency + "', now(), " + debits + ")";
  }

  private void assertRefused(String expectedState, String expectedConstraint, String... sql) {
    try {
      DB.sql(sql);
    } catch (SQLException e) {
      assertEquals(expectedState, e.getSQLState(), e.getMessage());
      if (expectedConstraint != null) {
        assertEquals(expectedConstraint, ((PSQLException) e).getServerErrorMessage().getConstraint(), e.getMessage());
      }
      return;
    }
    throw new AssertionError("expected SQLSTATE " + expectedState + " from " + String.join("; ", sql));
  }

  private long transfers() throws SQLException {
    return DB.queryLong("SELECT count(*) FROM " + s + ".transfer");
  }

  @Test
  void rawInsert_valid_accepted() throws SQLException {
    long before = transfers();
    DB.sql(insert("alice", 1, "bob", 70, "USD", 100));
    assertEquals(before + 1, transfers());
    assertEquals(0, ledger.balance(AccountId.of("alice")));
  }

  @Test
  void rawInsert_overdraw_refused() throws SQLException {
    long before = transfers();
    assertRefused("23514", "transfer_funds_sufficient", insert("alice", 1, "bob", 71, "USD", 101));
    assertEquals(before, transfers());
  }

  @Test
  void rawInsert_indexGap_refused() {
    assertRefused("23514", "transfer_index_contiguous", insert("alice", 2, "bob", 1, "USD", 31));
  }

  @Test
  void rawInsert_duplicateIndex_refused() {
    assertRefused("23505", "transfer_pkey", insert("alice", 0, "bob", 1, "USD", 1));
  }

  @Test
  void rawInsert_wrongCumulativeDebits_refused() {
    assertRefused("23514", "transfer_debits_cumulative", insert("alice", 1, "bob", 1, "USD", 1));
  }

  @Test
  void rawInsert_nonPositiveAmount_refused() {
    assertRefused("23514", "transfer_amount_positive", insert("alice", 1, "bob", 0, "USD", 30));
    assertRefused("23514", "transfer_amount_positive", insert("alice", 1, "bob", -5, "USD", 25));
  }

  @Test
  void rawInsert_sameAccount_refused() {
    assertRefused("23514", "transfer_distinct_accounts", insert("alice", 1, "alice", 1, "USD", 31));
  }

  @Test
  void rawInsert_unknownAccounts_refused() {
    assertRefused("23503", "transfer_source_exists", insert("mallory", 0, "bob", 1, "USD", 1));
    assertRefused("23503", "transfer_destination_exists", insert("alice", 1, "mallory", 1, "USD", 31));
  }

  @Test
  void rawInsert_currencyMismatch_refused() {
    assertRefused("23514", "transfer_currency_matches", insert("alice", 1, "eve", 1, "USD", 31));
    assertRefused("23514", "transfer_currency_matches", insert("alice", 1, "bob", 1, "EUR", 31));
  }

  @Test
  void rawInsert_duplicateId_refused() throws SQLException {
    String id = UUID.randomUUID().toString();
    DB.sql(insert("alice", 1, "bob", 1, "USD", 31).replaceFirst("'[0-9a-f-]{36}'", "'" + id + "'"));
    assertRefused("23505", "transfer_id_key",
        insert("bank", 1, "bob", 1, "USD", 101).replaceFirst("'[0-9a-f-]{36}'", "'" + id + "'"));
  }

  @Test
  void rawInsert_timeBeforePreviousDebit_refused() {
    assertRefused("23514", "transfer_time_monotonic",
        insert("alice", 1, "bob", 1, "USD", 31).replace("now()", "now() - interval '1 day'"));
  }

  @Test
  void rawUpdateDeleteTruncate_ofTransfers_refused() throws SQLException {
    long before = transfers();
    assertRefused("LG001", null, "UPDATE " + s + ".transfer SET amount = amount + 1");
    assertRefused("LG001", null, "UPDATE " + s + ".transfer SET destination = 'alice' WHERE destination = 'bob'");
    assertRefused("LG001", null, "DELETE FROM " + s + ".transfer");
    assertRefused("LG001", null, "TRUNCATE " + s + ".transfer");
    assertRefused("LG001", null, "TRUNCATE " + s + ".transfer CASCADE");
    assertEquals(before, transfers());
  }

  @Test
  void rawUpdateDeleteTruncate_ofAccounts_refused() {
    assertRefused("LG001", null, "UPDATE " + s + ".account SET issuer = true WHERE id = 'alice'");
    assertRefused("LG001", null, "DELETE FROM " + s + ".account WHERE id = 'bob'");
    assertRefused("LG001", null, "TRUNCATE " + s + ".account CASCADE");
  }

  @Test
  void replicationRole_replica_stillRefusesChanges() throws SQLException {
    try (Connection c = DB.server().connect(DB.name()); Statement st = c.createStatement()) {
      st.execute("SET session_replication_role = replica");
      for (String sql : new String[] {
          "UPDATE " + s + ".transfer SET amount = 1",
          "DELETE FROM " + s + ".transfer",
          insert("alice", 1, "bob", 1000, "USD", 1030)}) {
        try {
          st.execute(sql);
          throw new AssertionError("not refused under session_replication_role=replica: " + sql);
        } catch (PSQLException e) {
          assertTrue(e.getSQLState().equals("LG001") || e.getSQLState().equals("23514"), e.getMessage());
        }
      }
    }
  }

  @Test
  void applicationRole_selectAndInsertOnly_cannotChangeHistory() throws SQLException {
    String role = "ledger_app_" + s;
    DB.sql("CREATE ROLE " + role + " NOLOGIN",
        "GRANT USAGE ON SCHEMA " + s + " TO " + role,
        "GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA " + s + " TO " + role);
    try (Connection c = DB.server().connect(DB.name()); Statement st = c.createStatement()) {
      st.execute("SET ROLE " + role);
      st.execute(insert("alice", 1, "bob", 5, "USD", 35));
      for (String sql : new String[] {
          "UPDATE " + s + ".transfer SET amount = 1",
          "DELETE FROM " + s + ".transfer",
          "TRUNCATE " + s + ".transfer",
          "UPDATE " + s + ".account SET issuer = true",
          "ALTER TABLE " + s + ".transfer DISABLE TRIGGER transfer_guard",
          "DROP TABLE " + s + ".transfer"}) {
        try {
          st.execute(sql);
          throw new AssertionError("the application role could run: " + sql);
        } catch (PSQLException e) {
          assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage());
        }
      }
    } finally {
      DB.sql("DROP OWNED BY " + role, "DROP ROLE " + role);
    }
  }

  @Test
  void guardTrigger_setsCreatedXid_ignoringClientValue() throws SQLException {
    DB.sql(insert("alice", 1, "bob", 1, "USD", 31).replace("(source, source_index,", "(created_xid, source, source_index,")
        .replace("VALUES (", "VALUES ('1'::xid8, "));
    assertNull(DB.sqlStateOf("SELECT 1"));
    assertEquals(0, DB.queryLong("SELECT count(*) FROM " + s + ".transfer WHERE created_xid = '1'::xid8"));
  }
}
