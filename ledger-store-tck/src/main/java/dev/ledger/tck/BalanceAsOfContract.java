package dev.ledger.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ledger.core.AccountId;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Recorded times and balances as of an instant. */
public interface BalanceAsOfContract extends LedgerFixture {

    @Test
    default void transfer_recordedAt_isClockReading() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        Instant t1 = clock().advance(Duration.ofMillis(1500));
        assertEquals(t1, transfer(bank, alice, 1).recordedAt());
        Instant t2 = clock().advanceMicros(1);
        assertEquals(t2, transfer(bank, alice, 1).recordedAt());
        assertEquals(t2, transfer(bank, alice, 1).recordedAt(), "the clock did not move: same time");
    }

    @Test
    default void balanceAsOf_beforeAtBetweenAndAfterTransfers_countsTransfersUpToInstant() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        Instant t1 = clock().advance(Duration.ofSeconds(10));
        transfer(bank, alice, 100);
        Instant t2 = clock().advance(Duration.ofSeconds(10));
        transfer(alice, bob, 30);
        Instant t3 = clock().advance(Duration.ofSeconds(10));
        transfer(bank, alice, 5);

        assertEquals(
                0,
                ledger().balanceAsOf(alice, t1.minus(1, ChronoUnit.MICROS)),
                "a microsecond before the first transfer");
        assertEquals(0, ledger().balanceAsOf(alice, t1.minusNanos(1)), "a nanosecond before the first transfer");
        assertEquals(100, ledger().balanceAsOf(alice, t1), "at the first transfer: included");
        assertEquals(
                100, ledger().balanceAsOf(alice, t1.plusNanos(999)), "within the microsecond of the first transfer");
        assertEquals(100, ledger().balanceAsOf(alice, t1.plusSeconds(5)), "between the first and second");
        assertEquals(70, ledger().balanceAsOf(alice, t2), "at the second");
        assertEquals(70, ledger().balanceAsOf(alice, t3.minus(1, ChronoUnit.MICROS)), "just before the third");
        assertEquals(75, ledger().balanceAsOf(alice, t3), "at the third");
        assertEquals(75, ledger().balanceAsOf(alice, t3.plus(Duration.ofDays(365_000))), "far after");
        assertEquals(0, ledger().balanceAsOf(bob, t1), "bob before his credit");
        assertEquals(30, ledger().balanceAsOf(bob, t2), "bob at his credit");
        assertEquals(-100, ledger().balanceAsOf(bank, t2));
        assertEquals(-105, ledger().balanceAsOf(bank, t3));
    }

    @Test
    default void balanceAsOf_beforeAccountOpened_zero() {
        AccountId bank = openIssuer("bank");
        clock().advance(Duration.ofDays(1));
        AccountId alice = openFunded("alice", 50, bank);
        assertEquals(0, ledger().balanceAsOf(alice, LedgerStoreContractTest.START));
        assertEquals(0, ledger().balanceAsOf(alice, Instant.parse("0001-01-01T00:00:00Z")));
        assertEquals(50, ledger().balanceAsOf(alice, clock().instant()));
        assertEquals(50, ledger().balanceAsOf(alice, Instant.parse("9999-12-31T23:59:59.999999Z")));
    }

    @Test
    default void balanceAsOf_accountWithoutTransfers_zero() {
        AccountId alice = openAccount("alice");
        assertEquals(0, ledger().balanceAsOf(alice, clock().instant()));
        assertEquals(0, ledger().balanceAsOf(alice, clock().instant().plusSeconds(60)));
    }

    @SuppressWarnings("NullAway") // passes null on purpose: the rejection is what it checks
    @Test
    default void balanceAsOf_outOfRangeInstant_rejectedWithInvalidInstant() {
        AccountId alice = openAccount("alice");
        Instant tooLate = Instant.parse("9999-12-31T23:59:59.999999Z").plusNanos(1);
        assertRejected(RejectionReason.INVALID_INSTANT, () -> ledger().balanceAsOf(alice, tooLate), tooLate);
        Instant tooEarly = Instant.parse("0001-01-01T00:00:00Z").minusNanos(1);
        assertRejected(RejectionReason.INVALID_INSTANT, () -> ledger().balanceAsOf(alice, tooEarly), tooEarly);
        assertRejected(RejectionReason.INVALID_INSTANT, () -> ledger().balanceAsOf(alice, Instant.MAX));
        assertRejected(RejectionReason.MISSING_VALUE, () -> ledger().balanceAsOf(alice, null), "instant");
    }

    @Test
    default void balanceAsOf_severalTransfersInOneMicrosecond_allIncluded() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        Instant t = clock().advanceMicros(3);
        for (int i = 1; i <= 5; i++) {
            transfer(bank, alice, i);
        }
        assertEquals(0, ledger().balanceAsOf(alice, t.minusNanos(1)));
        assertEquals(15, ledger().balanceAsOf(alice, t));
    }

    @Test
    default void balanceAsOf_extremeTransferIdsAtInstant_bothIncluded() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        Instant t = clock().advanceMicros(42);
        transfer(TransferRequest.of(bank, alice, 1, USD).withId(new UUID(0, 0)));
        transfer(TransferRequest.of(bank, alice, 2, USD).withId(new UUID(-1, -1)));
        assertEquals(0, ledger().balanceAsOf(alice, t.minusNanos(1)));
        assertEquals(
                3, ledger().balanceAsOf(alice, t), "as of an instant includes every transfer at it, whatever its id");
        assertEquals(-3, ledger().balanceAsOf(bank, t));
        assertEquals(2, statementBothWays(alice, 1, t, t.plusNanos(1)).size());
    }

    @Test
    default void transfer_clockGoesBack_sourceTimesStayNonDecreasing() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        Instant t1 = clock().advance(Duration.ofSeconds(100));
        assertEquals(t1, transfer(bank, alice, 10).recordedAt());
        clock().rewind(Duration.ofSeconds(50));
        Transfer second = transfer(bank, alice, 10);
        assertEquals(t1, second.recordedAt(), "clamped to the source's latest transfer");
        Instant t3 = clock().set(t1.plusSeconds(1));
        assertEquals(t3, transfer(bank, alice, 10).recordedAt(), "the clock is ahead again: its reading");
        assertEquals(30, ledger().balanceAsOf(alice, t3));
        assertEquals(20, ledger().balanceAsOf(alice, t1));
    }

    @Test
    default void transfer_clockBehindSourcesLatestCredit_debitDatedNoEarlierThanCredit() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        AccountId bob = openAccount("bob");
        Instant credit = clock().advance(Duration.ofSeconds(100));
        transfer(bank, alice, 40);
        clock().rewind(Duration.ofSeconds(30));
        Transfer debit = transfer(alice, bob, 40);
        assertEquals(
                credit.plus(1, ChronoUnit.MICROS),
                debit.recordedAt(),
                "a debit is dated strictly after the credit that funded it");
        assertEquals(40, ledger().balanceAsOf(alice, credit));
        assertEquals(0, ledger().balanceAsOf(alice, debit.recordedAt()));
        assertEquals(0, ledger().balanceAsOf(bob, credit));
        assertEquals(40, ledger().balanceAsOf(bob, debit.recordedAt()));
    }

    @Test
    default void transfer_clockBehindDestinationsLatest_creditDatedAtClock() {
        AccountId bank = openIssuer("bank");
        AccountId other = openIssuer("other-bank");
        AccountId alice = openAccount("alice");
        Instant later = clock().advance(Duration.ofSeconds(100));
        transfer(bank, alice, 40);
        Instant earlier = clock().rewind(Duration.ofSeconds(60));
        Transfer credit = transfer(other, alice, 2);
        assertEquals(earlier, credit.recordedAt(), "only the source's history clamps a transfer's time");
        assertEquals(2, ledger().balanceAsOf(alice, earlier));
        assertEquals(42, ledger().balanceAsOf(alice, later));
        // Alice's next debit is dated just after her latest credit, the one at 'later'.
        Transfer debit = transfer(alice, bank, 42);
        assertEquals(later.plus(1, ChronoUnit.MICROS), debit.recordedAt());
    }

    @Test
    default void transfer_clockBehindSourcesLatestDebit_clampedToDebit() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId bob = openAccount("bob");
        Instant t1 = clock().advance(Duration.ofSeconds(10));
        transfer(alice, bob, 10);
        clock().rewind(Duration.ofSeconds(5));
        assertEquals(t1, transfer(alice, bob, 10).recordedAt());
        clock().rewind(Duration.ofSeconds(5));
        assertEquals(t1, transfer(alice, bob, 10).recordedAt());
        assertEquals(70, ledger().balanceAsOf(alice, t1));
        assertEquals(100, ledger().balanceAsOf(alice, t1.minus(1, ChronoUnit.MICROS)));
    }

    @Test
    default void open_fundingWhenClockBehindIssuer_fundingClampedAccountOpenedAtClock() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openAccount("alice");
        Instant t1 = clock().advance(Duration.ofSeconds(10));
        transfer(bank, alice, 1);
        Instant back = clock().rewind(Duration.ofSeconds(5));
        AccountId bob = openFunded("bob", 9, bank);
        assertEquals(back, ledger().account(bob).orElseThrow().openedAt());
        assertEquals(t1, fullStatement(bob).get(0).transfer().recordedAt());
        assertEquals(0, ledger().balanceAsOf(bob, back));
        assertEquals(9, ledger().balanceAsOf(bob, t1));
    }
}
