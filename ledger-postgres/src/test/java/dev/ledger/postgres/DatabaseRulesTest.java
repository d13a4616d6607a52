package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.util.PSQLException;

/**
 * The database enforces the ledger's rules by itself, for any client: these tests bypass the library and send raw SQL
 * as a role with exactly the application's privileges (USAGE, SELECT, EXECUTE on the write functions). Such a role
 * cannot write a table at all; it can only call append_transfers, with any arguments it likes, and every rule holds.
 * Changes to history are refused even to the owner.
 */
class DatabaseRulesTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase();

    private String s;
    private String role;
    private Ledger ledger;

    @BeforeEach
    void setUp() throws SQLException {
        PostgresLedgerStore store = DB.newStore();
        s = store.schema();
        ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(AccountId.of("bank"), "USD"));
        ledger.open(NewAccount.of(AccountId.of("alice"), "USD").withOpeningBalance(100, AccountId.of("bank")));
        ledger.open(NewAccount.of(AccountId.of("bob"), "USD"));
        ledger.open(NewAccount.of(AccountId.of("eve"), "EUR"));
        // alice: index 0 sends 30 to bob (cumulative debits 30)
        ledger.transfer(AccountId.of("alice"), AccountId.of("bob"), 30, "USD");
        role = "rules_app_" + s;
        DB.sql(
                "CREATE ROLE " + role + " NOLOGIN",
                "GRANT USAGE ON SCHEMA " + s + " TO " + role,
                "GRANT SELECT ON ALL TABLES IN SCHEMA " + s + " TO " + role,
                "GRANT EXECUTE ON FUNCTION " + s + ".append_transfers(uuid[], text[], text[], bigint[], text[], text[],"
                        + " timestamptz, boolean, boolean, boolean, text[], smallint[], uuid[], timestamptz[], interval[]) TO "
                        + role,
                "GRANT EXECUTE ON FUNCTION " + s
                        + ".open_account(text, text, timestamptz, uuid, text, bigint, text, boolean,"
                        + " bigint, bigint) TO " + role);
    }

    @AfterEach
    void dropRole() throws SQLException {
        DB.sql("DROP OWNED BY " + role, "DROP ROLE " + role);
    }

    /** One call of append_transfers as the application's role; returns "status detail" of its first row. */
    private String call(
            String source, String destination, String amount, String currency, String notBefore, String options)
            throws SQLException {
        try (Connection c = DB.server().connect(DB.name());
                Statement st = c.createStatement()) {
            st.execute("SET ROLE " + role);
            try (ResultSet rs = st.executeQuery("SELECT status, detail FROM " + s + ".append_transfers(ARRAY['"
                    + UUID.randomUUID() + "']::uuid[], ARRAY['" + source + "'], ARRAY['" + destination + "'], ARRAY["
                    + amount
                    + "]::bigint[], ARRAY['" + currency + "'], ARRAY[NULL]::text[], " + notBefore + ", false" + options
                    + ")")) {
                rs.next();
                return rs.getString(1) + " " + rs.getString(2);
            }
        }
    }

    private String call(String source, String destination, long amount, String currency) throws SQLException {
        return call(source, destination, Long.toString(amount), currency, "clock_timestamp()", "");
    }

    private String sqlStateOfCall(String source, String destination, String amount, String options) {
        try {
            return "no error: " + call(source, destination, amount, "USD", "clock_timestamp()", options);
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    private String sqlStateAsRole(String sql) {
        try (Connection c = DB.server().connect(DB.name());
                Statement st = c.createStatement()) {
            st.execute("SET ROLE " + role);
            st.execute(sql);
            return "no error";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    private long transfers() throws SQLException {
        return DB.queryLong("SELECT count(*) FROM " + s + ".transfer");
    }

    private long balance(String account) {
        return ledger.balance(AccountId.of(account));
    }

    /**
     * One call of append_transfers as the application's role with two-phase items: each item is {id, source,
     * destination, amount, kind, pending id or NULL, expiry SQL or NULL}; returns each item's "status detail".
     */
    private List<String> callTwoPhase(String[]... items) throws SQLException {
        StringBuilder ids = new StringBuilder();
        StringBuilder sources = new StringBuilder();
        StringBuilder destinations = new StringBuilder();
        StringBuilder amounts = new StringBuilder();
        StringBuilder kinds = new StringBuilder();
        StringBuilder pendings = new StringBuilder();
        StringBuilder expiries = new StringBuilder();
        for (String[] item : items) {
            String sep = ids.length() == 0 ? "" : ", ";
            ids.append(sep).append('\'').append(item[0]).append('\'');
            sources.append(sep).append('\'').append(item[1]).append('\'');
            destinations.append(sep).append('\'').append(item[2]).append('\'');
            amounts.append(sep).append(item[3]);
            kinds.append(sep).append(item[4]);
            pendings.append(sep).append(item[5] == null ? "NULL" : "'" + item[5] + "'");
            expiries.append(sep).append(item[6] == null ? "NULL" : item[6]);
        }
        String currencies = String.join(", ", java.util.Collections.nCopies(items.length, "'USD'"));
        String references = String.join(", ", java.util.Collections.nCopies(items.length, "NULL"));
        List<String> results = new java.util.ArrayList<>();
        try (Connection c = DB.server().connect(DB.name());
                Statement st = c.createStatement()) {
            st.execute("SET ROLE " + role);
            try (ResultSet rs = st.executeQuery("SELECT status, detail FROM " + s + ".append_transfers(ARRAY[" + ids
                    + "]::uuid[], ARRAY[" + sources + "], ARRAY[" + destinations + "], ARRAY[" + amounts
                    + "]::bigint[], ARRAY["
                    + currencies + "], ARRAY[" + references
                    + "]::text[], clock_timestamp(), false, false, false, NULL, ARRAY["
                    + kinds + "]::smallint[], ARRAY[" + pendings + "]::uuid[], ARRAY[" + expiries
                    + "]::timestamptz[], NULL)")) {
                while (rs.next()) {
                    results.add(rs.getString(1) + " " + rs.getString(2));
                }
            }
        }
        return results;
    }

    private static String[] item(
            UUID id,
            String source,
            String destination,
            long amount,
            int kind,
            @org.jspecify.annotations.Nullable UUID pending,
            @org.jspecify.annotations.Nullable String expiry) {
        return new String[] {
            id.toString(),
            source,
            destination,
            Long.toString(amount),
            Integer.toString(kind),
            pending == null ? null : pending.toString(),
            expiry
        };
    }

    @Test
    void appendTransfers_twoPhaseFromPlainSql_everyRuleHeldByTheFunction() throws SQLException {
        UUID hold = UUID.randomUUID();
        assertTrue(callTwoPhase(item(hold, "alice", "bob", 70, 1, null, null))
                .get(0)
                .startsWith("OK"));
        // the hold uses all of alice's 70: a debit of 1, or another hold, is refused
        assertTrue(call("alice", "bob", 1, "USD").startsWith("INSUFFICIENT_FUNDS"));
        assertTrue(callTwoPhase(item(UUID.randomUUID(), "alice", "bob", 1, 1, null, null))
                .get(0)
                .startsWith("INSUFFICIENT_FUNDS"));
        // bob cannot post alice's hold (it is not his), nor can alice post more than it holds
        assertTrue(callTwoPhase(item(UUID.randomUUID(), "bob", "alice", 70, 2, hold, null))
                .get(0)
                .startsWith("PENDING_NOT_FOUND"));
        assertTrue(callTwoPhase(item(UUID.randomUUID(), "alice", "bob", 71, 2, hold, null))
                .get(0)
                .startsWith("POST_EXCEEDS_PENDING"));
        // a hold (of bob's, who has funds) that expired before it was recorded
        String expired = callTwoPhase(
                        item(UUID.randomUUID(), "bob", "alice", 1, 1, null, "clock_timestamp() - interval '1 h'"))
                .get(0);
        assertTrue(expired.startsWith("INVALID_EXPIRY"), expired);
        // two resolutions in one call: the first wins, the second is told
        long before = transfers();
        List<String> both = callTwoPhase(
                item(UUID.randomUUID(), "alice", "bob", 50, 2, hold, null),
                item(UUID.randomUUID(), "alice", "bob", 70, 3, hold, null));
        assertTrue(both.get(0).startsWith("OK") && both.get(1).startsWith("PENDING_ALREADY_POSTED"), both.toString());
        assertEquals(before + 1, transfers());
        assertEquals(20, balance("alice"));
        assertEquals(80, balance("bob"));
        assertEquals(new dev.ledger.core.Balances(20, 0, 0), ledger.balances(AccountId.of("alice")));
        // malformed two-phase arguments are refused before anything is read
        for (String[] bad : List.of(
                item(UUID.randomUUID(), "alice", "bob", 1, 2, null, null),
                item(UUID.randomUUID(), "alice", "bob", 1, 0, hold, null),
                item(UUID.randomUUID(), "alice", "bob", 1, 0, null, "clock_timestamp() + interval '1 h'"),
                item(UUID.randomUUID(), "alice", "bob", 1, 4, null, null))) {
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> callTwoPhase(bad));
            assertEquals("22023", e.getSQLState(), e.getMessage());
        }
        assertTrue(ledger.verify().ok(), ledger.verify().describe());
    }

    @Test
    void appendTransfers_valid_recordedByTheFunction() throws SQLException {
        long before = transfers();
        assertTrue(call("alice", "bob", 70, "USD").startsWith("OK"));
        assertEquals(before + 1, transfers());
        assertEquals(0, balance("alice"));
        assertEquals(100, balance("bob"));
        assertEquals(1, DB.queryLong("SELECT max(source_index) FROM " + s + ".transfer WHERE source = 'alice'"));
        assertTrue(ledger.verify().ok());
    }

    @Test
    void appendTransfers_overdraw_insufficientFundsAndNothingRecorded() throws SQLException {
        long before = transfers();
        String result = call("alice", "bob", 71, "USD");
        assertTrue(result.startsWith("INSUFFICIENT_FUNDS") && result.contains("balance 70"), result);
        assertEquals(before, transfers());
    }

    @Test
    void appendTransfers_unknownAccounts_notFound() throws SQLException {
        assertTrue(call("mallory", "bob", 1, "USD").startsWith("SOURCE_NOT_FOUND"));
        assertTrue(call("alice", "mallory", 1, "USD").startsWith("DESTINATION_NOT_FOUND"));
    }

    @Test
    void appendTransfers_currencyMismatch_refused() throws SQLException {
        assertTrue(call("alice", "eve", 1, "USD").startsWith("CURRENCY_MISMATCH"));
        assertTrue(call("alice", "bob", 1, "EUR").startsWith("CURRENCY_MISMATCH"));
    }

    /**
     * Limits as the application role: a positive lower limit, a negative upper limit or one on an issuer are refused by
     * the table; a line and a cap are enforced by the function.
     */
    @Test
    void openAccount_limits_checkedByTheDatabase() throws SQLException {
        assertEquals(
                "23514",
                sqlStateAsRole("SELECT * FROM " + s + ".open_account('carol', 'USD', now(), NULL, NULL, NULL,"
                        + " NULL, false, 5)"));
        assertEquals(
                "23514",
                sqlStateAsRole("SELECT * FROM " + s + ".open_account('carol', 'USD', now(), NULL, NULL, NULL,"
                        + " NULL, false, -9223372036854775808)"));
        assertEquals(
                "no error",
                sqlStateAsRole("SELECT * FROM " + s + ".open_account('carol', 'USD', now() - interval"
                        + " '1 second', NULL, NULL, NULL, NULL, false, -100)"));
        assertEquals(-100, ledger.account(AccountId.of("carol")).orElseThrow().lowerLimit());
        String refused = call("carol", "bob", 101, "USD");
        assertTrue(refused.startsWith("INSUFFICIENT_FUNDS") && refused.contains("lower limit -100"), refused);
        assertTrue(call("carol", "bob", 100, "USD").startsWith("OK"));
        assertEquals(-100, balance("carol"));
        assertTrue(call("carol", "bob", 1, "USD").startsWith("INSUFFICIENT_FUNDS"));
        assertEquals(
                "23514",
                sqlStateAsRole("SELECT * FROM " + s + ".open_account('dave', 'USD', now(), NULL, NULL, NULL,"
                        + " NULL, false, 0, -1)"));
        // even the owner's raw rows: an issuer with a cap or a lower limit, an ordinary account without a lower limit
        for (String limits : new String[] {"true, NULL, 10", "true, 0, NULL", "false, NULL, NULL"}) {
            assertEquals(
                    "23514",
                    DB.sqlStateOf("INSERT INTO " + s + ".account (id, currency, issuer, lower_limit,"
                            + " upper_limit, opened_at) VALUES ('mint', 'USD', " + limits + ", now())"),
                    limits);
        }
        assertEquals(
                "no error",
                sqlStateAsRole("SELECT * FROM " + s + ".open_account('dave', 'USD', now() - interval"
                        + " '1 second', NULL, NULL, NULL, NULL, false, 0, 150)"));
        assertEquals(150, ledger.account(AccountId.of("dave")).orElseThrow().upperLimit());
        String capped = call("bank", "dave", 151, "USD");
        assertTrue(capped.startsWith("UPPER_LIMIT_EXCEEDED") && capped.contains("upper limit 150"), capped);
        assertTrue(call("bank", "dave", 150, "USD").startsWith("OK"));
        assertTrue(call("bob", "dave", 1, "USD").startsWith("UPPER_LIMIT_EXCEEDED"));
        assertEquals(150, balance("dave"));
        assertTrue(ledger.verify().ok());
    }

    /** Metadata the library would never send, sent by hand as the application role: refused whole, nothing recorded. */
    @Test
    void appendTransfers_malformedMetadata_refusedNamingTheItemAndNothingRecorded() throws SQLException {
        long before = transfers();
        StringBuilder seventeen = new StringBuilder("{");
        for (int i = 0; i < 17; i++) {
            seventeen.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": \"v\"");
        }
        String[] bad = {
            "{\"Bad\": \"v\"}",
            "{\"k\": 1}",
            "{\"k\": null}",
            "[\"k\"]",
            "\"k\"",
            "{}",
            "{\"k\": \"" + "v".repeat(257) + "\"}",
            "{\"" + "k".repeat(65) + "\": \"v\"}",
            seventeen + "}"
        };
        for (String metadata : bad) {
            assertEquals(
                    "22023",
                    sqlStateOfCall("alice", "bob", "1", ", false, false, ARRAY['" + metadata.replace("'", "''") + "']"),
                    metadata);
        }
        assertEquals("22P02", sqlStateOfCall("alice", "bob", "1", ", false, false, ARRAY['{not json']"));
        assertEquals(
                "22023",
                sqlStateOfCall("alice", "bob", "1", ", false, false, ARRAY[NULL, NULL]::text[]"),
                "one metadata per item");
        assertEquals(before, transfers());
        assertTrue(
                call("alice", "bob", "1", "USD", "clock_timestamp()", ", false, false, ARRAY['{\"order\": \"o-1\"}']")
                        .startsWith("OK"));
        assertEquals(before + 1, transfers());
        assertTrue(ledger.verify().ok(), "a hand-made call's metadata is hashed like the library's");
    }

    @Test
    void appendTransfers_malformedArguments_refusedWholeAndNothingRecorded() throws SQLException {
        long before = transfers();
        assertEquals("22023", sqlStateOfCall("alice", "bob", "0", ""));
        assertEquals("22023", sqlStateOfCall("alice", "bob", "-5", ""));
        assertEquals("22023", sqlStateOfCall("alice", "alice", "1", ""));
        assertEquals("22004", sqlStateOfCall("alice", "bob", "NULL", ""));
        try (Connection c = DB.server().connect(DB.name());
                Statement st = c.createStatement()) {
            st.execute("SET ROLE " + role);
            PSQLException tooMany = org.junit.jupiter.api.Assertions.assertThrows(
                    PSQLException.class,
                    () -> st.executeQuery(
                            "SELECT * FROM " + s + ".append_transfers(array_fill(gen_random_uuid(), ARRAY[8193]),"
                                    + " array_fill('alice'::text, ARRAY[8193]), array_fill('bob'::text, ARRAY[8193]),"
                                    + " array_fill(1::bigint, ARRAY[8193]), array_fill('USD'::text, ARRAY[8193]),"
                                    + " array_fill(NULL::text, ARRAY[8193]), clock_timestamp(), false)"));
            assertEquals("22023", tooMany.getSQLState());
        }
        assertEquals(before, transfers());
    }

    @Test
    void appendTransfers_clientDatesInThePast_datedAfterTheSourcesLastDebitAndTheSeal() throws SQLException {
        String result = call("alice", "bob", "1", "USD", "clock_timestamp() - interval '1 day'", "");
        assertTrue(result.startsWith("OK"), result);
        assertEquals(
                1,
                DB.queryLong("SELECT count(*) FROM " + s + ".transfer a JOIN " + s + ".transfer b"
                        + " ON a.source = b.source AND b.source_index = a.source_index + 1"
                        + " WHERE a.source = 'alice' AND b.recorded_at >= a.recorded_at"));
        assertTrue(ledger.verify().ok(), ledger.verify().describe());
    }

    @Test
    void appendTransfers_clientDatesBeyondTheClockAndSkew_clockAheadAndNothingRecorded() throws SQLException {
        long before = transfers();
        String result = call("alice", "bob", "1", "USD", "clock_timestamp() + interval '2 minutes'", "");
        assertTrue(result.startsWith("CLOCK_AHEAD"), result);
        assertEquals(before, transfers());
    }

    @Test
    void appendTransfers_fundingFlagFromNonIssuer_refused() throws SQLException {
        String result = call("alice", "bob", "1", "USD", "clock_timestamp()", ", true");
        assertTrue(result.startsWith("FUNDING_ACCOUNT_NOT_ISSUER"), result);
    }

    @Test
    void appendTransfers_writesItsOwnTransactionId() throws SQLException {
        try (Connection c = DB.server().connect(DB.name());
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SET ROLE " + role);
            UUID id = UUID.randomUUID();
            st.executeQuery(
                            "SELECT * FROM " + s + ".append_transfers(ARRAY['" + id + "']::uuid[], ARRAY['alice'],"
                                    + " ARRAY['bob'], ARRAY[1]::bigint[], ARRAY['USD'], ARRAY[NULL]::text[], clock_timestamp(), false)")
                    .close();
            try (ResultSet rs = st.executeQuery(
                    "SELECT created_xid = pg_current_xact_id() FROM " + s + ".transfer" + " WHERE id = '" + id + "'")) {
                rs.next();
                assertTrue(rs.getBoolean(1));
            }
            c.commit();
        }
    }

    @Test
    void applicationRole_anyWriteToAnyTable_permissionDenied() throws SQLException {
        long before = transfers();
        String[] refused = {
            "INSERT INTO " + s + ".transfer (source, source_index, id, destination, amount, currency, recorded_at,"
                    + " source_debits) VALUES ('alice', 1, gen_random_uuid(), 'bob', 1, 'USD', now(), 31)",
            "INSERT INTO " + s + ".account (id, currency, issuer, opened_at) VALUES ('mint', 'USD', true, now())",
            "INSERT INTO " + s + ".credit_checkpoint (account, through, credits) VALUES ('alice', now(), 1000000)",
            "INSERT INTO " + s + ".credit (account, recorded_at, id, amount, source, source_index, currency)"
                    + " VALUES ('alice', now(), gen_random_uuid(), 1000000, 'bank', 99, 'USD')",
            "UPDATE " + s + ".credit SET amount = amount + 1",
            "DELETE FROM " + s + ".credit",
            "INSERT INTO " + s + ".seal (sealed_through) VALUES ('infinity')",
            "INSERT INTO " + s + ".seal_horizon (seq, horizon) VALUES (1, '1')",
            "INSERT INTO " + s + ".seal_summarized (seq) VALUES (1)",
            "INSERT INTO " + s + ".flyway_schema_history (installed_rank, description, type, script, installed_by,"
                    + " execution_time, success) VALUES (99, 'x', 'SQL', 'x', 'x', 0, false)",
            "UPDATE " + s + ".setting SET max_clock_skew = interval '100 years'",
            "UPDATE " + s + ".transfer SET amount = 1",
            "DELETE FROM " + s + ".transfer",
            "TRUNCATE " + s + ".transfer",
            "SELECT " + s + ".insert_account('mint', 'USD', true, now(), NULL, NULL)",
            "SELECT * FROM " + s + ".open_issuer('mint', 'USD', now())",
            "ALTER TABLE " + s + ".transfer DISABLE TRIGGER ALL",
            "DROP TABLE " + s + ".transfer"
        };
        for (String sql : refused) {
            assertEquals("42501", sqlStateAsRole(sql), sql);
        }
        assertEquals(before, transfers());
        assertEquals(0, DB.queryLong("SELECT count(*) FROM " + s + ".account WHERE id = 'mint'"));
    }

    @Test
    void ownerRawInsert_rowConstraints_holdForEveryWriter() {
        String insert = "INSERT INTO " + s + ".transfer (source, source_index, id, destination, amount, currency,"
                + " recorded_at, source_debits) VALUES ('alice', %d, gen_random_uuid(), '%s', %d, 'USD', now(), %d)";
        assertEquals("23514", DB.sqlStateOf(insert.formatted(1, "bob", 0, 30)));
        assertEquals("23514", DB.sqlStateOf(insert.formatted(1, "alice", 1, 31)));
        assertEquals("23505", DB.sqlStateOf(insert.formatted(0, "bob", 1, 1)));
    }

    @Test
    void ownerUpdateDeleteTruncate_ofHistory_refused() throws SQLException {
        long before = transfers();
        for (String sql : new String[] {
            "UPDATE " + s + ".transfer SET amount = amount + 1",
            "UPDATE " + s + ".transfer SET destination = 'alice' WHERE destination = 'bob'",
            "DELETE FROM " + s + ".transfer",
            "TRUNCATE " + s + ".transfer",
            "TRUNCATE " + s + ".transfer CASCADE",
            "UPDATE " + s + ".account SET issuer = true WHERE id = 'alice'",
            "DELETE FROM " + s + ".account WHERE id = 'bob'",
            "TRUNCATE " + s + ".account CASCADE",
            "TRUNCATE " + s + ".seal CASCADE",
            "TRUNCATE " + s + ".credit_checkpoint",
            "TRUNCATE " + s + ".seal_horizon",
            "UPDATE " + s + ".credit SET amount = amount + 1",
            "DELETE FROM " + s + ".credit",
            "TRUNCATE " + s + ".credit"
        }) {
            assertEquals("LG001", DB.sqlStateOf(sql), sql);
        }
        assertEquals(before, transfers());
    }

    @Test
    void replicationRole_replica_stillRefusesChanges() throws SQLException {
        try (Connection c = DB.server().connect(DB.name());
                Statement st = c.createStatement()) {
            st.execute("SET session_replication_role = replica");
            for (String sql : new String[] {
                "UPDATE " + s + ".transfer SET amount = 1",
                "DELETE FROM " + s + ".transfer",
                "UPDATE " + s + ".credit SET amount = 1",
                "DELETE FROM " + s + ".credit"
            }) {
                PSQLException e = org.junit.jupiter.api.Assertions.assertThrows(
                        PSQLException.class,
                        () -> st.execute(sql),
                        "not refused under session_replication_role=replica: " + sql);
                assertEquals("LG001", e.getSQLState(), e.getMessage());
            }
        }
    }
}
