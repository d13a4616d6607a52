package dev.ledger.tck;

import static dev.ledger.tck.LedgerFixture.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Opening accounts, with and without an opening balance, and looking them up. */
public interface AccountContract extends LedgerFixture {

    @Test
    default void open_withoutOpeningBalance_zeroBalanceAndEmptyStatement() {
        AccountId a = openAccount("alice");
        assertBalance(a, 0);
        assertEquals(List.of(), fullStatement(a));
        assertEquals(0, ledger().balanceAsOf(a, clock().instant()));
    }

    @Test
    default void open_withOpeningBalance_fundedByIssuerInOneTransfer() {
        AccountId bank = openIssuer("bank");
        clock().advanceMicros(5);
        UUID fundingId = UUID.randomUUID();
        Account alice = open(
                NewAccount.of(id("alice"), USD).withOpeningBalance(150, bank).withFundingTransferId(fundingId));
        assertBalance(alice.id(), 150);
        assertBalance(bank, -150);
        Transfer funding = ledger().findTransfer(fundingId).orElseThrow();
        assertEquals(
                new Transfer(fundingId, bank, 0, alice.id(), 150, USD, clock().instant(), FUNDING_REFERENCE), funding);
        assertStatement(bank, List.of(funding));
        assertStatement(alice.id(), List.of(funding));
    }

    @Test
    default void open_withOpeningBalanceWithoutFundingId_generatesVersion7Id() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 10, bank);
        Transfer funding = fullStatement(alice).get(0).transfer();
        assertEquals(7, funding.id().version(), "generated funding transfer id " + funding.id());
        assertEquals(2, funding.id().variant());
    }

    @Test
    default void open_severalFundedAccounts_issuerIndicesCountUp() {
        AccountId bank = openIssuer("bank");
        for (int i = 0; i < 4; i++) {
            openFunded("acct-" + i, 100 + i, bank);
            clock().advanceMicros(1);
        }
        assertBalance(bank, -(100 + 101 + 102 + 103));
        assertEquals(
                List.of(0L, 1L, 2L, 3L),
                transfers(fullStatement(bank)).stream()
                        .map(Transfer::sourceIndex)
                        .toList());
    }

    @Test
    default void open_issuerWithOpeningBalance_fundedByAnotherIssuer() {
        AccountId central = openIssuer("central");
        Account branch = open(NewAccount.issuer(id("branch"), USD).withOpeningBalance(1_000, central));
        assertTrue(branch.issuer());
        assertBalance(branch.id(), 1_000);
        assertBalance(central, -1_000);
    }

    @Test
    default void open_negativeOpeningBalance_rejectedWithNegativeOpeningBalance() {
        AccountId bank = openIssuer("bank");
        assertRejected(
                RejectionReason.NEGATIVE_OPENING_BALANCE,
                () -> ledger().open(new NewAccount(id("alice"), USD, false, -5, bank, null)),
                "alice",
                "-5");
        assertRejected(
                RejectionReason.NEGATIVE_OPENING_BALANCE,
                () -> ledger().open(NewAccount.of(id("alice"), USD).withOpeningBalance(Long.MIN_VALUE, bank)),
                "alice",
                Long.MIN_VALUE);
        assertEquals(Optional.empty(), ledger().account(id("alice")));
    }

    @Test
    default void open_existingId_rejectedWithAccountExists() {
        AccountId alice = openAccount("alice");
        Account original = ledger().account(alice).orElseThrow();
        clock().advance(Duration.ofSeconds(1));
        assertRejected(RejectionReason.ACCOUNT_EXISTS, () -> ledger().open(NewAccount.of(alice, USD)), "alice");
        assertRejected(RejectionReason.ACCOUNT_EXISTS, () -> ledger().open(NewAccount.issuer(alice, EUR)), "alice");
        assertEquals(Optional.of(original), ledger().account(alice), "the first account is kept unchanged");
    }

    @Test
    default void open_existingIdWithOpeningBalance_rejectedWithAccountExistsAndIssuerUntouched() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 40, bank);
        UUID fundingId = UUID.randomUUID();
        assertRejected(
                RejectionReason.ACCOUNT_EXISTS,
                () -> ledger().open(NewAccount.of(alice, USD)
                        .withOpeningBalance(60, bank)
                        .withFundingTransferId(fundingId)),
                "alice");
        assertBalance(bank, -40);
        assertBalance(alice, 40);
        assertNotRecorded(fundingId);
    }

    @Test
    default void open_idsDifferingInCase_areDistinctAccounts() {
        AccountId lower = openAccount("abc");
        AccountId upper = openAccount("ABC");
        assertEquals(2, books().accounts().size());
        assertTrue(
                ledger().account(lower).isPresent() && ledger().account(upper).isPresent());
    }

    @Test
    default void open_fundedByNonIssuer_rejectedWithFundingAccountNotIssuerAndNoAccountLeft() {
        AccountId bank = openIssuer("bank");
        AccountId rich = openFunded("rich", 1_000, bank);
        UUID fundingId = UUID.randomUUID();
        assertRejected(
                RejectionReason.FUNDING_ACCOUNT_NOT_ISSUER,
                () -> ledger().open(NewAccount.of(id("alice"), USD)
                        .withOpeningBalance(10, rich)
                        .withFundingTransferId(fundingId)),
                "rich");
        assertEquals(Optional.empty(), ledger().account(id("alice")), "a rejected open leaves no account behind");
        assertNotRecorded(fundingId);
        openFunded("alice", 10, bank);
    }

    @Test
    default void open_fundedByUnknownIssuer_rejectedWithSourceNotFoundAndNoAccountLeft() {
        UUID fundingId = UUID.randomUUID();
        assertRejected(
                RejectionReason.SOURCE_NOT_FOUND,
                () -> ledger().open(NewAccount.of(id("alice"), USD)
                        .withOpeningBalance(10, id("ghost-bank"))
                        .withFundingTransferId(fundingId)),
                "ghost-bank");
        assertEquals(Optional.empty(), ledger().account(id("alice")), "a rejected open leaves no account behind");
        assertEquals(Optional.empty(), ledger().findTransfer(fundingId));
        AccountId alice = openAccount("alice");
        assertBalance(alice, 0);
    }

    @Test
    default void open_fundingIssuerInOtherCurrency_rejectedWithCurrencyMismatchAndNoAccountLeft() {
        AccountId euroBank = openIssuer("euro-bank", EUR);
        assertRejected(
                RejectionReason.CURRENCY_MISMATCH,
                () -> ledger().open(NewAccount.of(id("alice"), USD).withOpeningBalance(10, euroBank)),
                "USD",
                "EUR");
        assertEquals(Optional.empty(), ledger().account(id("alice")));
        AccountId alice = openFunded("alice", 10, euroBank);
        assertEquals(EUR, ledger().account(alice).orElseThrow().currency());
    }

    @Test
    default void open_fundingOverflowsIssuerDebits_rejectedWithBalanceOverflowAndNoAccountLeft() {
        AccountId bank = openIssuer("bank");
        openFunded("whale", Long.MAX_VALUE, bank);
        assertRejected(
                RejectionReason.BALANCE_OVERFLOW,
                () -> ledger().open(NewAccount.of(id("alice"), USD).withOpeningBalance(1, bank)),
                "bank");
        assertEquals(Optional.empty(), ledger().account(id("alice")));
        openAccount("alice");
    }

    @Test
    default void open_fundingTransferIdAlreadyUsed_rejectedWithIdReusedAndNoAccountLeft() {
        AccountId bank = openIssuer("bank");
        AccountId bob = openFunded("bob", 5, bank);
        Transfer t = transfer(bank, bob, 7);
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().open(NewAccount.of(id("alice"), USD)
                        .withOpeningBalance(7, bank)
                        .withFundingTransferId(t.id())),
                t.id());
        assertEquals(Optional.empty(), ledger().account(id("alice")));
        openFunded("alice", 7, bank);
    }

    @Test
    default void balance_unknownAccount_rejectedWithAccountNotFound() {
        openAccount("alice");
        assertRejected(RejectionReason.ACCOUNT_NOT_FOUND, () -> ledger().balance(id("bob")), "bob");
        assertRejected(
                RejectionReason.ACCOUNT_NOT_FOUND, () -> ledger().balanceAsOf(id("bob"), clock().instant()), "bob");
        assertRejected(
                RejectionReason.ACCOUNT_NOT_FOUND, () -> ledger().statement(StatementQuery.of(id("bob"))), "bob");
    }

    @Test
    default void account_openedAccount_returnedAsOpened() {
        clock().advance(Duration.ofMinutes(3));
        Account issuer = open(NewAccount.issuer(id("bank"), EUR));
        assertEquals(
                Optional.of(new Account(id("bank"), EUR, true, LedgerStoreContractTest.START.plusSeconds(180))),
                ledger().account(issuer.id()));
        clock().advanceMicros(1);
        Account plain = open(NewAccount.of(id("x.y_z:1-2"), "BTC_SATS"));
        assertEquals(Optional.of(plain), ledger().account(id("x.y_z:1-2")));
        assertFalse(plain.issuer());
    }

    @Test
    default void account_unknownId_empty() {
        openAccount("alice");
        assertEquals(Optional.empty(), ledger().account(id("bob")));
        assertEquals(Optional.empty(), ledger().account(id("ALICE")));
    }
}
