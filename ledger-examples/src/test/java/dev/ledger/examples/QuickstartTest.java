package dev.ledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The quickstart tells its story on the in-memory store; the PostgreSQL run is what the quickstart profile does. */
class QuickstartTest {

    @Test
    void main_inMemory_printsTheStory() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            Quickstart.main(new String[] {"--in-memory"});
        } finally {
            System.setOut(original);
        }
        String story = captured.toString(StandardCharsets.UTF_8);

        for (String expected : new String[] {
            "store   in memory",
            "alice  ordinary  USD  opened 09:00:01  with 100.00 funded by bank",
            "09:00:03  alice       0  bob             25.00  lunch",
            "09:00:05  alice       1  bob             30.00  rent share",
            "bob -> alice 500.00: refused with INSUFFICIENT_FUNDS; nothing recorded",
            "the same transfer, returned again",
            "recorded once",
            "refused with ID_REUSED_WITH_DIFFERENT_CONTENT",
            "  alice       47.50           80.00",
            "page 2",
            "  hold of 50.00                  100.00      50.00      50.00",
            "  captured 42.50                  57.50       0.00      57.50",
            "  an hour later                   57.50       0.00      57.50",
            "3 succeeded, 17 refused with INSUFFICIENT_FUNDS, 0 other",
            "race-3 balance now 0.00; its debits hold indices 0, 1, 2, without gaps",
            "20 succeeded, 0 conflicts surfaced",
            "race-100 balance now 0.80; its debits hold indices 0 to 19, without gaps",
            "Done in "
        }) {
            assertTrue(story.contains(expected), "missing \"" + expected + "\" in:\n" + story);
        }
    }

    @Test
    void run_unknownArgument_printsUsageToStderrAndReturns2() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Quickstart.run(
                new String[] {"--bogus"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(2, status);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("unknown argument '--bogus'") && message.contains("Usage:"), message);
    }

    @Test
    void run_help_printsUsageAndReturns0() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status =
                Quickstart.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        assertEquals(0, status);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--jdbc-url URL"));
    }
}
