package dev.ledger.postgres.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Transfer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The checker's own rules catch what they are for (no database: crafted histories). */
class BankCheckerTest {
    private static final Instant T = Instant.parse("2026-06-01T12:00:00Z");

    private static Transfer transfer(String source, long index, String destination, long amount, Instant at) {
        return new Transfer(
                UUID.randomUUID(), AccountId.of(source), index, AccountId.of(destination), amount, "USD", at, null);
    }

    private static Bank.FinalState history(Transfer... transfers) {
        return new Bank.FinalState(
                Map.of("bank", true, "alice", false, "bob", false),
                Map.of(),
                List.of(transfers),
                transfers.length,
                transfers.length,
                Map.of(),
                Map.of());
    }

    @Test
    void debitsDatedAfterTheCreditsTheySpend_debitAtTheCreditsMicrosecond_reported() {
        List<String> v = BankChecker.debitsDatedAfterTheCreditsTheySpend(
                history(transfer("bank", 0, "alice", 100, T), transfer("alice", 0, "bob", 100, T)));

        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).contains("credits recorded strictly before it are 0"), v.get(0));
    }

    @Test
    void debitsDatedAfterTheCreditsTheySpend_debitAMicrosecondLater_clean() {
        List<String> v = BankChecker.debitsDatedAfterTheCreditsTheySpend(history(
                transfer("bank", 0, "alice", 100, T), transfer("alice", 0, "bob", 60, T.plusNanos(1_000)),
                transfer("alice", 1, "bob", 40, T.plusNanos(1_000)), transfer("bank", 1, "bob", 5, T)));

        assertEquals(List.of(), v);
    }

    @Test
    void debitsDatedAfterTheCreditsTheySpend_debitsBackInTimeOrOverdrawn_reported() {
        List<String> v = BankChecker.debitsDatedAfterTheCreditsTheySpend(history(
                transfer("bank", 0, "alice", 100, T),
                transfer("alice", 0, "bob", 60, T.plusSeconds(2)),
                transfer("alice", 1, "bob", 50, T.plusSeconds(1))));

        assertEquals(2, v.size(), v.toString());
        assertTrue(v.get(0).contains("dated before the source's previous debit"), v.get(0));
        assertTrue(v.get(1).contains("debits to 110"), v.get(1));
    }
}
