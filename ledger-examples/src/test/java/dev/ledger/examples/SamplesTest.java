package dev.ledger.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.Ledger;
import dev.ledger.core.memory.InMemoryLedgerStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Each of the quickstart's samples, run on its own (after the accounts it needs), prints its part of the story. */
class SamplesTest {
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final Race.Conflicts conflicts = new Race.Conflicts();
    private final SteppingClock clock = new SteppingClock(Story.START);
    private final Ledger ledger = Ledger.builder(new InMemoryLedgerStore())
            .clock(clock)
            .listener(conflicts)
            .build();
    private final Story story = new Story(new PrintStream(printed, true, StandardCharsets.UTF_8), ledger, clock);

    @Test
    void accountsSample_inMemory_printsIndicesAndTheRefusedOverdraft() {
        Instant past = AccountsSample.run(story);
        assertPrinted(
                "alice  ordinary  USD  opened 09:00:01  with 100.00 funded by bank",
                "09:00:03  alice       0  bob             25.00  lunch",
                "09:00:04  bob         0  alice            5.00  change",
                "09:00:05  alice       1  bob             30.00  rent share",
                "bob -> alice 500.00: refused with INSUFFICIENT_FUNDS; nothing recorded");
        assertTrue(past.equals(Instant.parse("2026-01-01T09:00:04Z")), past::toString);
    }

    @Test
    void idempotencySample_afterAccounts_recordsOnceAndRefusesOtherContent() {
        AccountsSample.run(story);
        IdempotencySample.run(story);
        assertPrinted(
                "the same transfer, returned again",
                "recorded once: alice's statement has 1 line with this id",
                "same id, amount 3.00: refused with ID_REUSED_WITH_DIFFERENT_CONTENT");
    }

    @Test
    void balancesSample_afterAccounts_printsNowAsOfAndPages() {
        Instant past = AccountsSample.run(story);
        BalancesSample.run(story, past);
        assertPrinted(
                "  bank      -100.00         -100.00",
                "  alice       50.00           80.00",
                "  bob         50.00           20.00",
                "page 1",
                "    -25.00  to bob      lunch",
                "page 2  (after the cursor of the line above)",
                "    -30.00  to bob      rent share");
    }

    @Test
    void cardPaymentSample_afterAccounts_printsHoldCaptureAndExpiry() {
        AccountsSample.run(story);
        CardPaymentSample.run(story);
        assertPrinted(
                "  hold of 50.00                  100.00      50.00      50.00",
                "  captured 42.50                  57.50       0.00      57.50",
                "  an hour later                   57.50       0.00      57.50");
    }

    @Test
    void racesSample_afterAccounts_threeOfTwentyThenAllTwentyWithoutGaps() throws Exception {
        AccountsSample.run(story);
        RacesSample.run(story, conflicts);
        assertPrinted(
                "3 succeeded, 17 refused with INSUFFICIENT_FUNDS, 0 other",
                "race-3 balance now 0.00; its debits hold indices 0, 1, 2, without gaps",
                "20 succeeded, 0 conflicts surfaced",
                "race-100 balance now 0.80; its debits hold indices 0 to 19, without gaps");
    }

    private void assertPrinted(String... expected) {
        String out = printed.toString(StandardCharsets.UTF_8);
        for (String line : expected) {
            assertTrue(out.contains(line), "missing \"" + line + "\" in:\n" + out);
        }
    }
}
