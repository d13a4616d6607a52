package dev.ledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.postgres.PostgresLedgerStore;
import dev.ledger.testing.PostgresDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {
    @RegisterExtension
    static final PostgresDatabase DB = new PostgresDatabase(4);

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return VerifyCommand.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void run_badArguments_usageStatus() {
        assertEquals(2, run());
        assertEquals(2, run("--jdbc-url"));
        assertEquals(2, run("--bogus", "x"));
        assertEquals(2, run("--jdbc-url", DB.jdbcUrl(), "--schema", "x; DROP SCHEMA ledger"));
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("schema must match"),
                err.toString(StandardCharsets.UTF_8));
        assertEquals(0, run("--help"));
    }

    @Test
    void run_help_usageWithEveryOptionAndExitStatusOnStandardOutput() {
        assertEquals(0, run("-h"));
        for (String expected : new String[] {
            "--jdbc-url=URL",
            "--schema=S",
            "--heads=FILE",
            "--export-heads=FILE",
            "default: ledger",
            "Exit status:",
            "3   could not verify"
        }) {
            assertTrue(out().contains(expected), expected + " in " + out());
        }
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void run_unknownOrIncompleteOption_namesItAndPrintsUsageOnStandardError() {
        assertEquals(2, run("--jdbc-url", DB.jdbcUrl(), "--bogus"));
        String err = this.err.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("'--bogus'") && err.contains("Usage:"), err);
        assertEquals("", out());

        assertEquals(2, run("--schema", "ledger"));
        assertTrue(
                this.err.toString(StandardCharsets.UTF_8).contains("Missing required option: '--jdbc-url=URL'"),
                this.err.toString(StandardCharsets.UTF_8));
        assertEquals(2, run("--jdbc-url", DB.jdbcUrl(), "extra"));
    }

    @Test
    void run_unreachableOrMissingSchema_cannotRunStatus() {
        assertEquals(3, run("--jdbc-url", DB.jdbcUrl(), "--schema", "no_such_schema"));
    }

    @Test
    void run_intactThenTailDeleted_okThenProblemsWithHeads() throws Exception {
        PostgresLedgerStore store = DB.track(PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .schema(DB.newSchemaName())
                .migrateOnStart(true)
                .summarizeEvery(Duration.ZERO)
                .build());
        Ledger ledger = Ledger.builder(store).build();
        AccountId bank = AccountId.of("bank");
        ledger.open(NewAccount.issuer(bank, "USD"));
        ledger.open(NewAccount.of(AccountId.of("alice"), "USD").withOpeningBalance(100, bank));
        ledger.open(NewAccount.of(AccountId.of("bob"), "USD").withOpeningBalance(50, bank));
        ledger.transfer(AccountId.of("alice"), AccountId.of("bob"), 30, "USD");
        Path heads = dir.resolve("heads.txt");

        assertEquals(
                0, run("--jdbc-url", DB.jdbcUrl(), "--schema", store.schema(), "--export-heads", heads.toString()));
        assertTrue(out().startsWith("OK: 3 accounts, 3 transfers, 2 hash chains verified"), out());
        List2.assertLines(Files.readAllLines(heads), "alice 0 ", "bank 1 ");

        // A superuser deletes bob's funding, the newest debit of bank, and its credit row: the chains alone still look
        // intact.
        DB.sql(
                "ALTER TABLE " + store.schema() + ".transfer DISABLE TRIGGER transfer_immutable",
                "ALTER TABLE " + store.schema() + ".credit DISABLE TRIGGER credit_immutable",
                "DELETE FROM " + store.schema() + ".credit WHERE id = (SELECT id FROM " + store.schema()
                        + ".transfer WHERE source = 'bank' AND source_index = 1)",
                "DELETE FROM " + store.schema() + ".transfer WHERE source = 'bank' AND source_index = 1",
                "ALTER TABLE " + store.schema() + ".credit ENABLE ALWAYS TRIGGER credit_immutable",
                "ALTER TABLE " + store.schema() + ".transfer ENABLE ALWAYS TRIGGER transfer_immutable");
        assertEquals(1, run("--jdbc-url", DB.jdbcUrl(), "--schema", store.schema(), "--heads", heads.toString()));
        assertTrue(out().contains("HEAD_MISMATCH 'bank' index 1"), out());
        assertTrue(out().contains("1 finding(s)"), out());
        assertEquals(0, run("--jdbc-url", DB.jdbcUrl(), "--schema", store.schema()), "without the heads nothing shows");
    }

    /** Line-prefix assertions. */
    static final class List2 {
        static void assertLines(java.util.List<String> lines, String... prefixes) {
            java.util.List<String> data =
                    lines.stream().filter(l -> !l.startsWith("#")).toList();
            assertEquals(prefixes.length, data.size(), String.valueOf(lines));
            for (int i = 0; i < prefixes.length; i++) {
                assertTrue(
                        data.get(i).startsWith(prefixes[i]) && data.get(i).length() == prefixes[i].length() + 64,
                        data.get(i));
            }
        }
    }
}
