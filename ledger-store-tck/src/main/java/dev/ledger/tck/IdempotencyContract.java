package dev.ledger.tck;

import static dev.ledger.tck.LedgerFixture.id;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ledger.core.AccountId;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A transfer id is an idempotency key: a replay returns the original, different content is refused. */
public interface IdempotencyContract extends LedgerFixture {

    /** Replays {@code request}, checks it returns {@code original} and records nothing. */
    private void assertReplayReturnsOriginal(TransferRequest request, Transfer original) {
        Snapshot before = snapshot();
        Transfer replayed = ledger().transfer(request);
        assertEquals(original, replayed, "a replay returns the transfer recorded the first time");
        assertEquals(before, snapshot(), "a replay records nothing");
        assertBalances();
    }

    @Test
    default void transfer_sameIdSameContent_returnsOriginalAndRecordsNothing() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId bob = openAccount("bob");
        TransferRequest request = TransferRequest.of(alice, bob, 30, USD)
                .withId(UUID.randomUUID())
                .withReference("rent");
        Transfer original = transfer(request);
        clock().advance(Duration.ofHours(1));
        assertReplayReturnsOriginal(request, original);
        clock().rewind(Duration.ofHours(2));
        assertReplayReturnsOriginal(request, original);
        assertEquals(Optional.of(original), ledger().findTransfer(original.id()));
        assertBalance(alice, 70);
        assertBalance(bob, 30);
    }

    @Test
    default void transfer_replayAfterLaterTransfers_returnsOriginalIndexAndTime() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        TransferRequest request = TransferRequest.of(bank, alice, 10, USD).withId(UUID.randomUUID());
        Transfer original = transfer(request);
        clock().advanceMicros(10);
        transfer(bank, alice, 1);
        clock().advanceMicros(10);
        transfer(bank, alice, 2);
        assertReplayReturnsOriginal(request, original);
        assertEquals(0, original.sourceIndex());
    }

    @Test
    default void transfer_replayWhenSourceNowInsufficient_returnsOriginal() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 50, bank);
        AccountId bob = openAccount("bob");
        TransferRequest request = TransferRequest.of(alice, bob, 50, USD).withId(UUID.randomUUID());
        Transfer original = transfer(request);
        assertBalance(alice, 0);
        assertReplayReturnsOriginal(request, original);
    }

    @Test
    default void transfer_sameIdDifferentAmount_rejectedWithIdReused() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        UUID id = UUID.randomUUID();
        Transfer original = transfer(TransferRequest.of(bank, alice, 10, USD).withId(id));
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(TransferRequest.of(bank, alice, 11, USD).withId(id)),
                id,
                "11");
        assertEquals(Optional.of(original), ledger().findTransfer(id));
    }

    @Test
    default void transfer_sameIdDifferentDestination_rejectedWithIdReused() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        UUID id = UUID.randomUUID();
        transfer(TransferRequest.of(bank, alice, 10, USD).withId(id));
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(TransferRequest.of(bank, bob, 10, USD).withId(id)),
                id,
                "bob");
        // The id is checked before the accounts: a replay naming an unknown account is still an id reuse.
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(
                                TransferRequest.of(bank, id("nobody"), 10, USD).withId(id)),
                id);
    }

    @Test
    default void transfer_sameIdDifferentSource_rejectedWithIdReused() {
        AccountId bank = openIssuer("bank");
        AccountId other = openIssuer("other-bank");
        AccountId alice = openAccount("alice");
        UUID id = UUID.randomUUID();
        transfer(TransferRequest.of(bank, alice, 10, USD).withId(id));
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(
                                TransferRequest.of(other, alice, 10, USD).withId(id)),
                id,
                "other-bank");
    }

    @Test
    default void transfer_sameIdDifferentReference_rejectedWithIdReused() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        UUID id = UUID.randomUUID();
        TransferRequest request =
                TransferRequest.of(bank, alice, 10, USD).withId(id).withReference("first");
        Transfer original = transfer(request);
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(request.withReference("second")),
                id,
                "second");
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(request.withReference(null)),
                id);
        assertReplayReturnsOriginal(request, original);
    }

    @Test
    default void transfer_sameIdWithReferenceWhereOriginalHadNone_rejectedWithIdReused() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        UUID id = UUID.randomUUID();
        TransferRequest request = TransferRequest.of(bank, alice, 10, USD).withId(id);
        transfer(request);
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(request.withReference("")),
                id);
    }

    @Test
    default void transfer_sameIdDifferentCurrency_rejectedWithIdReused() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        UUID id = UUID.randomUUID();
        transfer(TransferRequest.of(bank, alice, 10, USD).withId(id));
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(TransferRequest.of(bank, alice, 10, EUR).withId(id)),
                id,
                "EUR");
    }

    @Test
    default void transfer_fundingTransferIdReplayed_returnsFundingTransfer() {
        AccountId bank = openIssuer("bank");
        UUID fundingId = UUID.randomUUID();
        AccountId alice = open(NewAccount.of(id("alice"), USD)
                        .withOpeningBalance(25, bank)
                        .withFundingTransferId(fundingId))
                .id();
        Transfer funding = ledger().findTransfer(fundingId).orElseThrow();
        clock().advance(Duration.ofSeconds(5));
        TransferRequest same =
                TransferRequest.of(bank, alice, 25, USD).withId(fundingId).withReference(FUNDING_REFERENCE);
        assertReplayReturnsOriginal(same, funding);
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(TransferRequest.of(bank, alice, 25, USD).withId(fundingId)),
                fundingId);
        assertBalance(alice, 25);
    }

    @Test
    default void open_fundingTransferIdOfFundedAccount_rejectedWithIdReused() {
        AccountId bank = openIssuer("bank");
        UUID fundingId = UUID.randomUUID();
        open(NewAccount.of(id("alice"), USD).withOpeningBalance(25, bank).withFundingTransferId(fundingId));
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().open(NewAccount.of(id("bob"), USD)
                        .withOpeningBalance(25, bank)
                        .withFundingTransferId(fundingId)),
                fundingId);
        assertEquals(Optional.empty(), ledger().account(id("bob")), "a rejected open leaves no account behind");
        openAccount("bob");
    }

    @Test
    default void transfer_replayedManyTimes_recordsOnce() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 10, bank);
        AccountId bob = openAccount("bob");
        TransferRequest request = TransferRequest.of(alice, bob, 10, USD).withId(UUID.randomUUID());
        Transfer original = transfer(request);
        for (int i = 0; i < 5; i++) {
            clock().advanceMicros(7);
            assertReplayReturnsOriginal(request, original);
        }
        assertEquals(2, fullStatement(alice).size());
        assertEquals(1, fullStatement(bob).size());
    }
}
