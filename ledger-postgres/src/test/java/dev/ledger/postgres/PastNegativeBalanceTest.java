package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.VerificationReport;
import dev.ledger.core.VerificationReport.Finding;
import dev.ledger.core.VerificationReport.Kind;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An overdraft forged by a superuser (guard trigger disabled) and then topped up by a later credit: the final balance
 * is fine, the balance as of the overdraft was not, and {@code verify()} must say so.
 */
class PastNegativeBalanceTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(4);

    @Test
    void verify_forgedOverdraftToppedUpLater_negativeBalanceNamingTheAccountAndDebit() throws Exception {
        PostgresLedgerStore store = DB.newStore();
        Ledger ledger = Ledger.builder(store).build();
        AccountId bank = AccountId.of("bank");
        AccountId alice = AccountId.of("alice");
        AccountId bob = AccountId.of("bob");
        ledger.open(NewAccount.issuer(bank, "USD"));
        ledger.open(NewAccount.of(alice, "USD"));
        ledger.open(NewAccount.of(bob, "USD"));
        Instant overdraftAt = Instant.now().truncatedTo(ChronoUnit.MICROS).plusMillis(1);
        UUID overdraft = Forgery.transfer(DB, store.schema(), "alice", "bob", 999_990, overdraftAt);
        Forgery.transfer(DB, store.schema(), "bank", "alice", 1_000_000, overdraftAt.plusMillis(1));

        VerificationReport report = ledger.verify();

        assertEquals(10, ledger.balance(alice), "the final balance is not negative");
        assertEquals(-999_990, ledger.balanceAsOf(alice, overdraftAt));
        assertEquals(1, report.findings().size(), "only the past balance is wrong: " + report.describe());
        Finding f = report.findings().get(0);
        assertEquals(Kind.NEGATIVE_BALANCE, f.kind(), report.describe());
        assertEquals("alice", f.account());
        assertEquals(overdraft, f.transferId());
        assertEquals(OptionalLong.of(0), f.index());
        assertTrue(f.message().contains("-999990") && f.message().contains(overdraftAt.toString()), f.message());
    }
}
