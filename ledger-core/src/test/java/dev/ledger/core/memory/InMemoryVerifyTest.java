package dev.ledger.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.ChainHead;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.VerificationReport;
import dev.ledger.core.VerificationReport.Kind;
import dev.ledger.core.internal.TransferHashes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** verify() and chainHeads() of the in-memory store: the same chains as PostgreSQL's, from the same encoding. */
class InMemoryVerifyTest {

    @Test
    void verify_randomLedger_noFindingAndHeadsMatchRecomputedChains() {
        long seed = Long.getLong("ledger.test.seed", System.nanoTime());
        System.out.println("InMemoryVerifyTest seed=" + seed + " (replay with -Dledger.test.seed=" + seed + ")");
        Random random = new Random(seed);
        Ledger ledger = Ledger.inMemory();
        AccountId bank = AccountId.of("bank");
        ledger.open(NewAccount.issuer(bank, "USD"));
        int n = 8;
        for (int i = 0; i < n; i++) {
            ledger.open(NewAccount.of(AccountId.of("a" + i), "USD").withOpeningBalance(500, bank));
        }
        List<Transfer> recorded = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int from = random.nextInt(n);
            int to = (from + 1 + random.nextInt(n - 1)) % n;
            try {
                recorded.add(ledger.transfer(TransferRequest.of(
                                AccountId.of("a" + from), AccountId.of("a" + to), 1 + random.nextInt(40), "USD")
                        .withReference(random.nextBoolean() ? null : "ref ü " + i)));
            } catch (dev.ledger.core.LedgerRejectedException e) {
                assertEquals("INSUFFICIENT_FUNDS", e.reason().name());
            }
        }
        List<ChainHead> heads = ledger.chainHeads();
        VerificationReport report = ledger.verify(heads);
        assertTrue(report.ok(), report.describe());
        assertEquals(n + 1, report.accounts());
        assertEquals(n + recorded.size(), report.transfers());
        // The head of a0 is the Java chain over its debits in index order.
        byte[] hash = TransferHashes.zero();
        long last = -1;
        for (Transfer t : recorded) {
            if (t.source().value().equals("a0")) {
                hash = TransferHashes.chain(hash, t);
                last = t.sourceIndex();
            }
        }
        if (last >= 0) {
            assertTrue(heads.contains(ChainHead.of("a0", last, hash)), heads.toString());
        }
    }

    /**
     * Credits and debits with a frozen clock: each debit is dated a microsecond after the credit it spends, and every
     * balance as of every instant is consistent.
     */
    @Test
    void verify_fundedAndSpentWithFrozenClock_noFinding() {
        Instant frozen = Instant.parse("2026-01-01T09:00:00.000001Z");
        Ledger ledger =
                Ledger.builder(new InMemoryLedgerStore()).clock(() -> frozen).build();
        AccountId bank = AccountId.of("bank");
        ledger.open(NewAccount.issuer(bank, "USD"));
        ledger.open(NewAccount.of(AccountId.of("alice"), "USD").withOpeningBalance(100, bank));
        ledger.open(NewAccount.of(AccountId.of("bob"), "USD"));
        ledger.transfer(TransferRequest.of(AccountId.of("alice"), AccountId.of("bob"), 100, "USD"));
        ledger.transfer(TransferRequest.of(AccountId.of("bob"), AccountId.of("alice"), 60, "USD"));
        ledger.transfer(TransferRequest.of(AccountId.of("alice"), AccountId.of("bob"), 60, "USD"));

        VerificationReport report = ledger.verify();

        assertTrue(report.ok(), report.describe());
        assertEquals(100, ledger.balanceAsOf(AccountId.of("alice"), frozen), "her debits are dated after her funding");
        assertEquals(0, ledger.balance(AccountId.of("alice")));
    }

    @Test
    void verify_trustedHeadWrongOrBeyondChain_headMismatch() {
        Ledger ledger = Ledger.inMemory();
        AccountId bank = AccountId.of("bank");
        ledger.open(NewAccount.issuer(bank, "USD"));
        ledger.open(NewAccount.of(AccountId.of("alice"), "USD").withOpeningBalance(10, bank));
        ChainHead real = ledger.chainHeads().get(0);
        ChainHead forged = new ChainHead("bank", 0, "00".repeat(32));
        ChainHead beyond = new ChainHead("bank", 5, real.hash());
        VerificationReport report = ledger.verify(List.of(forged, beyond));
        assertFalse(report.ok());
        assertEquals(2, report.findings().size(), report.describe());
        assertEquals(Kind.HEAD_MISMATCH, report.findings().get(0).kind());
        assertEquals(OptionalLong.of(0), report.findings().get(0).index());
        assertEquals(OptionalLong.of(5), report.findings().get(1).index());
        assertTrue(report.findings().get(1).message().contains("ends at index 0"), report.describe());
        assertTrue(ledger.verify(List.of(real)).ok());
    }

    @Test
    void chainHead_lineFormat_roundTripsAndRejectsMalformed() {
        ChainHead head = new ChainHead("acct:1", 42, "AB".repeat(32));
        assertEquals("acct:1 42 " + "ab".repeat(32), head.toLine());
        assertEquals(head, ChainHead.parseLine(head.toLine()));
        for (String bad : new String[] {"", "a 1", "a x " + "00".repeat(32), "a -1 " + "00".repeat(32), "a 1 zz"}) {
            try {
                ChainHead.parseLine(bad);
                throw new AssertionError("accepted " + bad);
            } catch (dev.ledger.core.LedgerRejectedException e) {
                assertEquals("INVALID_REQUEST", e.reason().name(), e.getMessage());
            }
        }
    }
}
