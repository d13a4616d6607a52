package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Credits forged past 2^63-1 (two credits of 5 * 10^18 from two issuers, guard trigger disabled): {@code verify()}
 * names the account and the transfer that passes the limit, with exact totals and no wrapped value.
 */
class CreditOverflowVerifyTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(4);

    @Test
    void verify_forgedCreditsBeyond2pow63_balanceOverflowNamingTheSecondTransfer() throws Exception {
        PostgresLedgerStore store = DB.newStore();
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(AccountId.of("bank-1"), "USD"));
        ledger.open(NewAccount.issuer(AccountId.of("bank-2"), "USD"));
        ledger.open(NewAccount.of(AccountId.of("whale"), "USD"));
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS).plusMillis(1);
        Forgery.transfer(DB, store.schema(), "bank-1", "whale", 5_000_000_000_000_000_000L, at);
        UUID second =
                Forgery.transfer(DB, store.schema(), "bank-2", "whale", 5_000_000_000_000_000_000L, at.plusMillis(1));

        VerificationReport report = ledger.verify();

        assertEquals(1, report.findings().size(), report.describe());
        Finding f = report.findings().get(0);
        assertEquals(Kind.BALANCE_OVERFLOW, f.kind(), report.describe());
        assertEquals("whale", f.account());
        assertEquals(second, f.transferId());
        assertEquals(OptionalLong.of(0), f.index());
        assertTrue(
                f.message().contains("'bank-2' index 0") && f.message().contains("= 10000000000000000000"),
                f.message());
        assertFalse(report.describe().contains("8446744073709551616"), "a wrapped value: " + report.describe());
    }
}
