package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Coalescing;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The plans {@code append_transfers} runs. PL/pgSQL makes a statement's generic plan once per session and keeps it
 * until the tables' statistics change, so a plan made while the ledger was small must still read a few index entries
 * per item when the ledger is large. The plans are read through {@code auto_explain}, sent to this session as notices.
 */
class QueryPlanTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(4);

    @Test
    void appendTransfers_planMadeOnANewLedger_probesEachIdThroughItsIndex() throws Exception {
        String schema = DB.newSchemaName();
        Ledger ledger =
                Ledger.builder(DB.newStore(schema)).coalescing(Coalescing.off()).build();
        AccountId bank = AccountId.of("bank");
        ledger.open(NewAccount.issuer(bank, "USD"));
        for (String name : List.of("a1", "a2", "a3")) {
            ledger.open(NewAccount.of(AccountId.of(name), "USD").withOpeningBalance(100, bank));
        }

        assertBatchScansNoTable(schema, 3);
    }

    /**
     * The hot-accounts benchmark's shape: 1,000 funded accounts, analysed before the first transfer. There a sequential
     * scan of {@code transfer} was the cheaper plan for the ids of a batch (the table was small), and the session kept
     * it while the table grew.
     */
    @Test
    void appendTransfers_planMadeOnAnAnalysedLedgerOfAThousandAccounts_probesEachIdThroughItsIndex() throws Exception {
        String schema = DB.newSchemaName();
        Ledger ledger =
                Ledger.builder(DB.newStore(schema)).coalescing(Coalescing.off()).build();
        ledger.open(NewAccount.issuer(AccountId.of("bank"), "USD"));
        DB.sql("SELECT count(*) FROM generate_series(1, 1000) g, LATERAL " + schema + ".open_account('a' || g, 'USD',"
                + " now() - interval '1 minute', gen_random_uuid(), 'bank', 100) x");
        DB.sql("ANALYZE " + schema + ".account, " + schema + ".transfer, " + schema + ".credit");

        assertBatchScansNoTable(schema, 1000);
    }

    /**
     * Records a batch of three transfers among a1, a2 and a3 in a new session (so its plans are made now, on the ledger
     * as it is), after {@code recorded} transfers, and checks its plans: each id looked up through its index, and no
     * table of the ledger read whole.
     */
    private static void assertBatchScansNoTable(String schema, int recorded) throws SQLException {
        String plans = explainedBatch(
                schema,
                recorded,
                "SELECT count(*) FROM " + schema + ".append_transfers("
                        + "ARRAY[gen_random_uuid(), gen_random_uuid(), gen_random_uuid()],"
                        + " ARRAY['a1', 'a2', 'a3'], ARRAY['a2', 'a3', 'a1'], ARRAY[1, 2, 3]::bigint[],"
                        + " ARRAY['USD', 'USD', 'USD'], ARRAY[NULL, NULL, NULL]::text[], now(), false)");

        String probe = planOf(plans, "array_agg(u.s_slot)");
        assertTrue(
                probe.contains("Index Scan using transfer_id_key on transfer"),
                "the ids are looked up through transfer_id_key:\n" + probe);
        for (String table : List.of("account", "transfer", "credit", "credit_checkpoint", "seal")) {
            assertFalse(
                    plans.contains("Seq Scan on " + table + " "), "no statement scans all of " + table + ":\n" + plans);
        }
    }

    /** Runs {@code sql} in a new session with every statement's plan (nested ones too) reported; returns the plans. */
    private static String explainedBatch(String schema, int recorded, String sql) throws SQLException {
        try (Connection c = DB.dataSource().getConnection();
                Statement st = c.createStatement()) {
            try {
                st.execute("LOAD 'auto_explain'");
            } catch (SQLException e) {
                throw new AssertionError(
                        "this test reads plans through the auto_explain module, which the test server must provide and"
                                + " the test role must be allowed to LOAD (a superuser): " + e.getMessage(),
                        e);
            }
            st.execute("SET auto_explain.log_min_duration = 0");
            st.execute("SET auto_explain.log_nested_statements = on");
            st.execute("SET auto_explain.log_level = notice");
            st.execute("SET client_min_messages = notice");
            try (ResultSet rs = st.executeQuery(sql)) {
                assertTrue(rs.next());
                assertEquals(3, rs.getInt(1), "one result row per item");
            }
            StringBuilder plans = new StringBuilder();
            for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                plans.append(w.getMessage()).append("\n\n");
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".transfer")) {
                assertTrue(rs.next());
                assertEquals(recorded + 3, rs.getInt(1), "the batch's three transfers recorded");
            }
            return plans.toString();
        }
    }

    /** The one reported plan whose query text contains {@code marker}. */
    private static String planOf(String plans, String marker) {
        List<String> found = new ArrayList<>();
        for (String plan : plans.split("\n\n")) {
            if (plan.contains(marker)) {
                found.add(plan);
            }
        }
        assertEquals(1, found.size(), "one plan of the statement with " + marker + " in:\n" + plans);
        return found.get(0);
    }
}
