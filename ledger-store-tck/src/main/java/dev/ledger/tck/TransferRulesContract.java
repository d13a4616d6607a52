package dev.ledger.tck;

import static dev.ledger.tck.LedgerFixture.id;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ledger.core.AccountId;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The rules of a single transfer: what is recorded, and every reason it is refused (recording nothing). */
public interface TransferRulesContract extends LedgerFixture {

    @Test
    default void transfer_withinBalance_movesAmountAndRecordsTransfer() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId bob = openAccount("bob");
        clock().advanceMicros(250);
        Transfer t = transfer(alice, bob, 30);
        assertEquals(new Transfer(t.id(), alice, 0, bob, 30, USD, clock().instant(), null), t);
        assertBalance(alice, 70);
        assertBalance(bob, 30);
        assertBalance(bank, -100);
        assertStatement(bob, List.of(t));
    }

    @Test
    default void transfer_withIdAndReference_recordsBoth() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        UUID id = UUID.randomUUID();
        String reference = "invoice 42 \u00e9\u00e8 \ud83d\ude00 \u4e2d\u6587";
        Transfer t = transfer(TransferRequest.of(bank, alice, 5, USD).withId(id).withReference(reference));
        assertEquals(id, t.id());
        assertEquals(reference, t.reference());
        assertEquals(Optional.of(t), ledger().findTransfer(id));
        assertBalance(alice, 5);
    }

    @Test
    default void transfer_maximumLengthReference_recorded() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        Transfer t = transfer(TransferRequest.of(bank, alice, 5, USD).withReference("r".repeat(256)));
        assertEquals(256, Objects.requireNonNull(t.reference()).length());
    }

    @Test
    default void transfer_shorthand_sameAsRequest() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        Transfer t = ledger().transfer(bank, alice, 9, USD);
        books().recorded(t);
        assertBalances();
        assertEquals(new Transfer(t.id(), bank, 0, alice, 9, USD, clock().instant(), null), t);
        assertEquals(7, t.id().version(), "generated transfer id is a version 7 UUID: " + t.id());
    }

    @Test
    default void transfer_zeroAmount_rejectedWithNonPositiveAmount() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        assertRejected(RejectionReason.NON_POSITIVE_AMOUNT, () -> ledger().transfer(bank, alice, 0, USD), "0");
    }

    @Test
    default void transfer_negativeAmount_rejectedWithNonPositiveAmount() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 10, bank);
        assertRejected(RejectionReason.NON_POSITIVE_AMOUNT, () -> ledger().transfer(alice, bank, -3, USD), "-3");
        assertRejected(
                RejectionReason.NON_POSITIVE_AMOUNT,
                () -> ledger().transfer(alice, bank, Long.MIN_VALUE, USD),
                Long.MIN_VALUE);
    }

    @Test
    default void transfer_sameAccount_rejectedWithSameAccount() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 10, bank);
        assertRejected(RejectionReason.SAME_ACCOUNT, () -> ledger().transfer(alice, alice, 1, USD), "alice");
        assertRejected(RejectionReason.SAME_ACCOUNT, () -> ledger().transfer(bank, bank, 1, USD), "bank");
    }

    @Test
    default void transfer_unknownDestination_rejectedWithDestinationNotFound() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 10, bank);
        UUID id = UUID.randomUUID();
        assertRejected(
                RejectionReason.DESTINATION_NOT_FOUND,
                () -> ledger().transfer(
                                TransferRequest.of(alice, id("nobody"), 1, USD).withId(id)),
                "nobody");
        assertNotRecorded(id);
    }

    @Test
    default void transfer_unknownSource_rejectedWithSourceNotFound() {
        AccountId alice = openAccount("alice");
        UUID id = UUID.randomUUID();
        assertRejected(
                RejectionReason.SOURCE_NOT_FOUND,
                () -> ledger().transfer(
                                TransferRequest.of(id("nobody"), alice, 1, USD).withId(id)),
                "nobody");
        assertNotRecorded(id);
    }

    @Test
    default void transfer_amountAboveBalance_rejectedWithInsufficientFunds() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId bob = openAccount("bob");
        transfer(alice, bob, 60);
        UUID id = UUID.randomUUID();
        assertRejected(
                RejectionReason.INSUFFICIENT_FUNDS,
                () -> ledger().transfer(TransferRequest.of(alice, bob, 41, USD).withId(id)),
                "alice",
                "41");
        assertNotRecorded(id);
        assertBalance(alice, 40);
        assertBalance(bob, 60);
    }

    @Test
    default void transfer_fromEmptyAccount_rejectedWithInsufficientFunds() {
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        assertRejected(RejectionReason.INSUFFICIENT_FUNDS, () -> ledger().transfer(alice, bob, 1, USD), "alice");
    }

    @Test
    default void transfer_wholeBalance_allowedAndLeavesZero() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId bob = openAccount("bob");
        transfer(alice, bob, 100);
        assertBalance(alice, 0);
        assertBalance(bob, 100);
        assertRejected(RejectionReason.INSUFFICIENT_FUNDS, () -> ledger().transfer(alice, bob, 1, USD), "alice");
        transfer(bob, alice, 100);
        assertBalance(bob, 0);
        assertBalance(alice, 100);
    }

    @Test
    default void transfer_fromIssuer_goesNegativeAndKeepsIssuing() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        transfer(bank, alice, 500);
        assertBalance(bank, -500);
        transfer(bank, bob, 250);
        assertBalance(bank, -750);
        transfer(alice, bank, 100);
        assertBalance(bank, -650);
        transfer(bank, alice, 1_000);
        assertBalance(bank, -1_650);
        assertBalance(alice, 1_400);
        assertBalance(bob, 250);
    }

    @Test
    default void transfer_issuerToIssuer_bothMayGoNegative() {
        AccountId central = openIssuer("central");
        AccountId branch = openIssuer("branch");
        AccountId alice = openAccount("alice");
        transfer(branch, central, 70);
        assertBalance(branch, -70);
        assertBalance(central, 70);
        transfer(central, branch, 100);
        transfer(central, alice, 10);
        assertBalance(central, -40);
        assertBalance(branch, 30);
    }

    @Test
    default void transfer_requestCurrencyDiffersFromAccounts_rejectedWithCurrencyMismatch() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 10, bank);
        AccountId bob = openAccount("bob");
        assertRejected(RejectionReason.CURRENCY_MISMATCH, () -> ledger().transfer(alice, bob, 1, EUR), "EUR");
    }

    @Test
    default void transfer_destinationInOtherCurrency_rejectedWithCurrencyMismatch() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 10, bank);
        AccountId pierre = openAccount("pierre", EUR);
        assertRejected(
                RejectionReason.CURRENCY_MISMATCH, () -> ledger().transfer(alice, pierre, 1, USD), "pierre", "EUR");
        assertRejected(
                RejectionReason.CURRENCY_MISMATCH, () -> ledger().transfer(alice, pierre, 1, EUR), "alice", "USD");
    }

    @Test
    default void transfer_sourceInOtherCurrency_rejectedWithCurrencyMismatch() {
        AccountId euroBank = openIssuer("euro-bank", EUR);
        AccountId pierre = openFunded("pierre", 10, euroBank);
        AccountId alice = openAccount("alice");
        assertRejected(
                RejectionReason.CURRENCY_MISMATCH, () -> ledger().transfer(pierre, alice, 1, USD), "pierre", "EUR");
        assertRejected(
                RejectionReason.CURRENCY_MISMATCH,
                () -> ledger().transfer(euroBank, alice, 1, USD),
                "euro-bank",
                "EUR");
    }

    @Test
    default void transfer_issuerDebitsUpToLongMax_allowedThenRejectedWithBalanceOverflow() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        transfer(bank, alice, Long.MAX_VALUE - 1);
        transfer(bank, bob, 1);
        assertBalance(bank, -Long.MAX_VALUE);
        assertRejected(RejectionReason.BALANCE_OVERFLOW, () -> ledger().transfer(bank, bob, 1, USD), "bank");
    }

    @Test
    default void transfer_issuerResendsAfterRepayment_rejectedWithBalanceOverflow() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        transfer(bank, alice, Long.MAX_VALUE);
        assertBalance(alice, Long.MAX_VALUE);
        assertRejected(RejectionReason.BALANCE_OVERFLOW, () -> ledger().transfer(bank, alice, 1, USD));
        transfer(alice, bank, Long.MAX_VALUE);
        assertBalance(alice, 0);
        assertBalance(bank, 0);
        // Both balances are zero, but the issuer's cumulative debits and alice's cumulative credits are at the limit.
        assertRejected(RejectionReason.BALANCE_OVERFLOW, () -> ledger().transfer(bank, alice, 1, USD));
    }

    @Test
    default void transfer_creditsAboveLongMax_rejectedWithBalanceOverflow() {
        AccountId bank = openIssuer("bank");
        AccountId other = openIssuer("other-bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        transfer(bank, alice, Long.MAX_VALUE);
        transfer(alice, bob, Long.MAX_VALUE);
        assertBalance(alice, 0);
        // other-bank has issued nothing, so only alice's cumulative credits can overflow.
        assertRejected(RejectionReason.BALANCE_OVERFLOW, () -> ledger().transfer(other, alice, 1, USD), "alice");
        transfer(other, bank, 5);
        assertBalance(bank, 5 - Long.MAX_VALUE);
    }

    @Test
    default void transfer_indices_countFromZeroPerSource() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        assertEquals(0, transfer(bank, alice, 10).sourceIndex());
        assertEquals(1, transfer(bank, bob, 10).sourceIndex());
        assertEquals(0, transfer(alice, bob, 3).sourceIndex());
        assertEquals(2, transfer(bank, alice, 1).sourceIndex());
        assertEquals(0, transfer(bob, bank, 13).sourceIndex());
        assertEquals(1, transfer(alice, bank, 8).sourceIndex());
    }

    @Test
    default void transfer_rejectedAttemptsDoNotConsumeIndices() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 10, bank);
        AccountId bob = openAccount("bob");
        assertRejected(RejectionReason.INSUFFICIENT_FUNDS, () -> ledger().transfer(alice, bob, 11, USD));
        assertRejected(RejectionReason.DESTINATION_NOT_FOUND, () -> ledger().transfer(alice, id("carol"), 1, USD));
        assertEquals(0, transfer(alice, bob, 4).sourceIndex());
        assertRejected(RejectionReason.CURRENCY_MISMATCH, () -> ledger().transfer(alice, bob, 1, EUR));
        assertEquals(1, transfer(alice, bob, 6).sourceIndex());
    }

    @SuppressWarnings("NullAway") // passes null on purpose: the rejection is what it checks
    @Test
    default void transfer_nullRequest_rejectedWithMissingValue() {
        openAccount("alice");
        assertRejected(RejectionReason.MISSING_VALUE, () -> ledger().transfer(null), "transfer request");
    }

    @Test
    default void findTransfer_recordedAndUnknownIds_presentAndEmpty() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        Transfer t = transfer(bank, alice, 12);
        assertEquals(Optional.of(t), ledger().findTransfer(t.id()));
        assertEquals(Optional.empty(), ledger().findTransfer(UUID.randomUUID()));
        assertEquals(Optional.empty(), ledger().findTransfer(new UUID(0, 0)));
    }

    @Test
    default void transfer_idOfRejectedAttempt_freeForLaterTransfer() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        UUID id = UUID.randomUUID();
        assertRejected(RejectionReason.INSUFFICIENT_FUNDS, () -> ledger().transfer(
                        TransferRequest.of(alice, bob, 5, USD).withId(id)));
        assertNotRecorded(id);
        Transfer t = transfer(TransferRequest.of(bank, bob, 7, USD).withId(id));
        assertEquals(bank, t.source());
    }
}
