package dev.ledger.core;

import static dev.ledger.core.Rejections.assertRejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.LedgerUnavailableException.Kind;
import dev.ledger.core.spi.AppendResult;
import dev.ledger.core.spi.OpenResult;
import dev.ledger.core.spi.TransferDraft;
import dev.ledger.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The ledger's own protocol, against a scripted fake of the store port: retries, failures, validation. */
class LedgerTest {
    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");
    private static final AccountId BANK = AccountId.of("bank");
    private static final Instant T = Instant.parse("2026-02-03T04:05:06.000007Z");
    private static final RetryPolicy NO_SLEEP = RetryPolicy.builder()
            .maxAttempts(5)
            .initialBackoff(Duration.ZERO)
            .maxBackoff(Duration.ZERO)
            .build();

    private final ScriptedStore store = new ScriptedStore();
    private final MutableClock clock = new MutableClock(T);

    private Ledger ledger(RetryPolicy policy) {
        // The one-call-one-store-call path (coalescing has its own tests, LedgerCoalescingTest).
        return Ledger.builder(store)
                .clock(clock)
                .retryPolicy(policy)
                .coalescing(Coalescing.off())
                .build();
    }

    private static Transfer recorded(TransferDraft d, long index) {
        return new Transfer(
                d.id(), d.source(), index, d.destination(), d.amount(), d.currency(), d.notBefore(), d.reference());
    }

    private static LedgerUnavailableException assertUnavailable(Kind kind, Executable call) {
        LedgerUnavailableException e = assertThrows(LedgerUnavailableException.class, call);
        assertEquals(kind, e.kind(), e::getMessage);
        assertTrue(e.getMessage().startsWith(kind.name() + ": "), e::getMessage);
        return e;
    }

    // ---------------------------------------------------------------------------------------------- conflicts

    @Test
    void transfer_storeAlwaysConflicts_retriesExhaustedNotRejected() {
        UUID id = UUID.randomUUID();
        LedgerUnavailableException e = assertUnavailable(Kind.RETRIES_EXHAUSTED, () -> ledger(NO_SLEEP)
                .transfer(TransferRequest.of(ALICE, BOB, 5, "USD").withId(id)));
        assertEquals(5, store.appends.size(), "one attempt per allowed attempt");
        assertTrue(e.getMessage().contains("5 attempts"), e::getMessage);
        assertTrue(e.getMessage().contains("index taken"), "names the last conflict: " + e.getMessage());
        assertEquals(id, e.transferId());
        assertFalse(e.outcomeUnknown(), "nothing was recorded");
        assertTrue(store.appends.stream().allMatch(d -> d.id().equals(id)), "every attempt uses the request's id");
    }

    @Test
    void transfer_generatedIdAndConflicts_sameGeneratedIdOnEveryAttemptAndReported() {
        LedgerUnavailableException e =
                assertUnavailable(Kind.RETRIES_EXHAUSTED, () -> ledger(NO_SLEEP).transfer(ALICE, BOB, 5, "USD"));
        UUID generated = store.appends.get(0).id();
        assertEquals(7, generated.version());
        assertTrue(store.appends.stream().allMatch(d -> d.id().equals(generated)), "a retry must not change the id");
        assertEquals(generated, e.transferId(), "the caller learns the id to retry with");
    }

    @Test
    void transfer_noRetriesPolicy_oneAttempt() {
        assertUnavailable(
                Kind.RETRIES_EXHAUSTED, () -> ledger(RetryPolicy.noRetries()).transfer(ALICE, BOB, 5, "USD"));
        assertEquals(1, store.appends.size());
    }

    @Test
    void transfer_conflictsThenRecorded_returnsTransferAndRereadsClockEachAttempt() {
        store.onAppend = draft -> {
            clock.advanceMicros(10);
            return store.appends.size() < 3
                    ? new AppendResult.Conflict("lost")
                    : new AppendResult.Recorded(recorded(draft, 2));
        };
        Transfer t = ledger(NO_SLEEP).transfer(ALICE, BOB, 5, "USD");
        assertEquals(3, store.appends.size());
        assertEquals(T.plusNanos(20_000), t.recordedAt(), "the third attempt read the clock anew");
        assertEquals(T, store.appends.get(0).notBefore());
        assertEquals(T.plusNanos(10_000), store.appends.get(1).notBefore());
    }

    @Test
    void open_fundingAlwaysConflicts_retriesExhaustedWithFundingId() {
        UUID fundingId = UUID.randomUUID();
        LedgerUnavailableException e = assertUnavailable(Kind.RETRIES_EXHAUSTED, () -> ledger(NO_SLEEP)
                .open(NewAccount.of(ALICE, "USD").withOpeningBalance(10, BANK).withFundingTransferId(fundingId)));
        assertEquals(5, store.opens.size());
        assertEquals(fundingId, e.transferId());
        TransferDraft funding = store.fundings.get(0);
        assertNotNull(funding);
        assertEquals(new TransferDraft(fundingId, BANK, ALICE, 10, "USD", "opening balance", T), funding);
    }

    @Test
    void open_withoutOpeningBalance_noFundingDraft() {
        store.onOpen = (account, funding) -> new OpenResult.Opened(account, Optional.empty());
        Account account = ledger(NO_SLEEP).open(NewAccount.issuer(BANK, "USD"));
        assertEquals(new Account(BANK, "USD", true, T), account);
        assertNull(store.fundings.get(0));
    }

    @Test
    void transfer_interruptedWhileBackingOff_interruptedKindAndFlagKept() {
        RetryPolicy slow = RetryPolicy.builder()
                .maxAttempts(3)
                .initialBackoff(Duration.ofMinutes(1))
                .maxBackoff(Duration.ofMinutes(1))
                .build();
        UUID id = UUID.randomUUID();
        Thread.currentThread().interrupt();
        try {
            LedgerUnavailableException e = assertUnavailable(Kind.INTERRUPTED, () -> ledger(slow)
                    .transfer(TransferRequest.of(ALICE, BOB, 5, "USD").withId(id)));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is restored");
            assertEquals(id, e.transferId());
            assertTrue(e.getCause() instanceof InterruptedException);
            assertEquals(1, store.appends.size());
        } finally {
            Thread.interrupted();
        }
    }

    // ------------------------------------------------------------------------------------------ store errors

    @Test
    void transfer_storeThrowsRuntimeException_outcomeUnknownWithCause() {
        IllegalStateException failure = new IllegalStateException("connection reset during commit");
        store.onAppend = draft -> {
            throw failure;
        };
        UUID id = UUID.randomUUID();
        LedgerUnavailableException e = assertUnavailable(Kind.OUTCOME_UNKNOWN, () -> ledger(NO_SLEEP)
                .transfer(TransferRequest.of(ALICE, BOB, 5, "USD").withId(id)));
        assertSame(failure, e.getCause());
        assertEquals(id, e.transferId());
        assertTrue(e.outcomeUnknown());
        assertTrue(e.getMessage().contains("connection reset during commit"), e::getMessage);
        assertEquals(1, store.appends.size(), "an unknown outcome is not retried blindly");
    }

    @Test
    void open_storeThrowsRuntimeException_unavailableKindDependsOnFunding() {
        store.onOpen = (account, funding) -> {
            throw new UnsupportedOperationException("boom");
        };
        Ledger ledger = ledger(NO_SLEEP);
        LedgerUnavailableException plain =
                assertUnavailable(Kind.STORE_UNAVAILABLE, () -> ledger.open(NewAccount.of(ALICE, "USD")));
        assertNull(plain.transferId());
        UUID fundingId = UUID.randomUUID();
        LedgerUnavailableException funded = assertUnavailable(
                Kind.OUTCOME_UNKNOWN,
                () -> ledger.open(
                        NewAccount.of(ALICE, "USD").withOpeningBalance(3, BANK).withFundingTransferId(fundingId)));
        assertEquals(fundingId, funded.transferId());
    }

    @Test
    void reads_storeThrowsRuntimeException_storeUnavailableWithoutTransferId() {
        RuntimeException failure = new RuntimeException("pool exhausted");
        store.onFindAccount = id -> {
            throw failure;
        };
        store.onFindTransfer = id -> {
            throw failure;
        };
        store.onBalance = (id, asOf) -> {
            throw failure;
        };
        Ledger ledger = ledger(NO_SLEEP);
        for (Executable read : new Executable[] {
            () -> ledger.account(ALICE),
            () -> ledger.findTransfer(UUID.randomUUID()),
            () -> ledger.balance(ALICE),
            () -> ledger.balanceAsOf(ALICE, T),
            () -> ledger.statement(StatementQuery.of(ALICE))
        }) {
            LedgerUnavailableException e = assertUnavailable(Kind.STORE_UNAVAILABLE, read);
            assertSame(failure, e.getCause());
            assertNull(e.transferId());
        }
    }

    /** Both outcomes of a call that recorded nothing are caught through the one sealed root. */
    @Test
    void transfer_rejectedOrUnavailable_bothCaughtAsLedgerException() {
        store.onAppend = draft -> new AppendResult.Rejected(RejectionReason.INSUFFICIENT_FUNDS, "alice has 0");
        LedgerException rejected = assertThrows(
                LedgerException.class, () -> ledger(NO_SLEEP).transfer(TransferRequest.of(ALICE, BOB, 5, "USD")));
        store.onAppend = draft -> {
            throw new LedgerUnavailableException(Kind.STORE_UNAVAILABLE, "database unreachable", null);
        };
        LedgerException unavailable = assertThrows(
                LedgerException.class, () -> ledger(NO_SLEEP).transfer(TransferRequest.of(ALICE, BOB, 5, "USD")));
        assertEquals("INSUFFICIENT_FUNDS", outcome(rejected));
        assertEquals("STORE_UNAVAILABLE", outcome(unavailable));
        assertEquals(
                java.util.Set.of(LedgerRejectedException.class, LedgerUnavailableException.class),
                java.util.Set.of(LedgerException.class.getPermittedSubclasses()));
    }

    /** What a caller does with the root: tell its two (and only two: sealed) kinds apart. */
    private static String outcome(LedgerException e) {
        if (e instanceof LedgerRejectedException r) {
            return r.reason().name();
        } else if (e instanceof LedgerUnavailableException u) {
            return u.kind().name();
        }
        throw new AssertionError("a third kind of LedgerException: " + e);
    }

    @Test
    void transfer_storeThrowsUnavailableWithoutId_rethrownNamingTransfer() {
        IllegalStateException cause = new IllegalStateException("socket closed");
        store.onAppend = draft -> {
            throw new LedgerUnavailableException(Kind.STORE_UNAVAILABLE, "database unreachable", cause);
        };
        UUID id = UUID.randomUUID();
        LedgerUnavailableException e = assertUnavailable(Kind.STORE_UNAVAILABLE, () -> ledger(NO_SLEEP)
                .transfer(TransferRequest.of(ALICE, BOB, 5, "USD").withId(id)));
        assertEquals(id, e.transferId());
        assertEquals("STORE_UNAVAILABLE: database unreachable", e.getMessage());
        assertSame(cause, e.getCause());
    }

    @Test
    void transfer_storeThrowsUnavailableWithId_rethrownAsIs() {
        UUID other = UUID.randomUUID();
        LedgerUnavailableException thrown = new LedgerUnavailableException(Kind.OUTCOME_UNKNOWN, "x", other, null);
        store.onAppend = draft -> {
            throw thrown;
        };
        assertSame(thrown, assertThrows(LedgerUnavailableException.class, () -> ledger(NO_SLEEP)
                .transfer(ALICE, BOB, 5, "USD")));
    }

    @Test
    void transfer_storeThrowsRejection_propagatedUnchanged() {
        LedgerRejectedException rejection =
                new LedgerRejectedException(RejectionReason.INSUFFICIENT_FUNDS, "alice has 0");
        store.onAppend = draft -> {
            throw rejection;
        };
        assertSame(rejection, assertThrows(LedgerRejectedException.class, () -> ledger(NO_SLEEP)
                .transfer(ALICE, BOB, 5, "USD")));
    }

    @Test
    void transfer_storeRejects_rejectionWithReasonAndDetailNotRetried() {
        store.onAppend = draft -> new AppendResult.Rejected(RejectionReason.INSUFFICIENT_FUNDS, "alice has balance 3");
        assertRejects(
                RejectionReason.INSUFFICIENT_FUNDS,
                () -> ledger(NO_SLEEP).transfer(ALICE, BOB, 5, "USD"),
                "alice has balance 3");
        assertEquals(1, store.appends.size(), "rejections are never retried");
    }

    @Test
    void open_storeRejects_rejectionWithReasonAndDetail() {
        store.onOpen = (account, funding) -> new OpenResult.Rejected(RejectionReason.ACCOUNT_EXISTS, "alice exists");
        assertRejects(
                RejectionReason.ACCOUNT_EXISTS,
                () -> ledger(NO_SLEEP).open(NewAccount.of(ALICE, "USD")),
                "alice exists");
        assertEquals(1, store.opens.size());
    }

    // -------------------------------------------------------------------------------------------- idempotency

    @Test
    void transfer_alreadyRecorded_sameContentReturnsExistingDifferentRejected() {
        UUID id = UUID.randomUUID();
        Transfer existing = new Transfer(id, ALICE, 4, BOB, 5, "USD", T.minusSeconds(60), "rent");
        store.onAppend = draft -> new AppendResult.AlreadyRecorded(existing);
        Ledger ledger = ledger(NO_SLEEP);
        TransferRequest same =
                TransferRequest.of(ALICE, BOB, 5, "USD").withId(id).withReference("rent");
        assertSame(existing, ledger.transfer(same));
        assertRejects(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger.transfer(same.withReference("food")),
                "transfer id " + id,
                "alice -> bob 5 USD reference 'rent'",
                "alice -> bob 5 USD reference 'food'");
        assertRejects(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger.transfer(
                        TransferRequest.of(ALICE, BOB, 6, "USD").withId(id).withReference("rent")),
                "6 USD");
    }

    // ------------------------------------------------------------------------------------------- validation

    @Test
    void entryPoints_nullArguments_rejectedWithMissingValueNamingThem() {
        Ledger ledger = ledger(NO_SLEEP);
        assertRejects(RejectionReason.MISSING_VALUE, () -> ledger.open(null), "account request is null");
        assertRejects(RejectionReason.MISSING_VALUE, () -> ledger.transfer(null), "transfer request is null");
        assertRejects(RejectionReason.MISSING_VALUE, () -> ledger.transfer(null, BOB, 1, "USD"), "source is null");
        assertRejects(RejectionReason.MISSING_VALUE, () -> ledger.account(null), "account id is null");
        assertRejects(RejectionReason.MISSING_VALUE, () -> ledger.findTransfer(null), "transfer id is null");
        assertRejects(RejectionReason.MISSING_VALUE, () -> ledger.balance(null), "account id is null");
        assertRejects(RejectionReason.MISSING_VALUE, () -> ledger.balanceAsOf(ALICE, null), "instant is null");
        assertRejects(RejectionReason.MISSING_VALUE, () -> ledger.balanceAsOf(null, T), "account id is null");
        assertRejects(RejectionReason.MISSING_VALUE, () -> ledger.statement(null), "statement query is null");
        assertTrue(store.appends.isEmpty() && store.opens.isEmpty(), "nothing reached the store");
    }

    @Test
    void balanceAsOf_outOfRangeInstant_rejectedBeforeStore() {
        store.onBalance = (id, asOf) -> OptionalLong.of(1);
        Ledger ledger = ledger(NO_SLEEP);
        Instant tooLate = Instant.parse("9999-12-31T23:59:59.999999Z").plusNanos(1);
        assertRejects(RejectionReason.INVALID_INSTANT, () -> ledger.balanceAsOf(ALICE, tooLate), "instant " + tooLate);
        assertEquals(1, ledger.balanceAsOf(ALICE, T));
        assertEquals(1, ledger.balance(ALICE));
    }

    @Test
    void balance_storeHasNoAccount_rejectedWithAccountNotFound() {
        assertRejects(
                RejectionReason.ACCOUNT_NOT_FOUND,
                () -> ledger(NO_SLEEP).balance(ALICE),
                "account alice does not exist");
    }

    @Test
    void statement_unknownAccount_rejectedWithoutReadingStatement() {
        assertRejects(
                RejectionReason.ACCOUNT_NOT_FOUND, () -> ledger(NO_SLEEP).statement(StatementQuery.of(ALICE)), "alice");
        assertEquals(0, store.statementCalls);
        store.onFindAccount = id -> Optional.of(new Account(id, "USD", false, T));
        assertEquals(
                new StatementPage(java.util.List.of(), null), ledger(NO_SLEEP).statement(StatementQuery.of(ALICE)));
        assertEquals(1, store.statementCalls);
    }

    // ----------------------------------------------------------------------------------------------- clock

    @Test
    void clock_readingFinerThanMicros_truncated() {
        InstantSource nanoClock = InstantSource.fixed(Instant.parse("2026-02-03T04:05:06.123456789Z"));
        store.onAppend = draft -> new AppendResult.Recorded(recorded(draft, 0));
        store.onOpen = (account, funding) -> new OpenResult.Opened(account, Optional.empty());
        Ledger ledger =
                Ledger.builder(store).clock(nanoClock).retryPolicy(NO_SLEEP).build();
        Instant micros = Instant.parse("2026-02-03T04:05:06.123456Z");
        assertEquals(micros, ledger.transfer(ALICE, BOB, 1, "USD").recordedAt());
        assertEquals(micros, ledger.open(NewAccount.of(ALICE, "USD")).openedAt());
    }

    @Test
    void clock_outOfRange_rejectedWithInvalidInstantBeforeStore() {
        InstantSource farFuture = InstantSource.fixed(Instant.parse("+10000-01-01T00:00:00Z"));
        Ledger ledger =
                Ledger.builder(store).clock(farFuture).retryPolicy(NO_SLEEP).build();
        assertRejects(RejectionReason.INVALID_INSTANT, () -> ledger.transfer(ALICE, BOB, 1, "USD"), "clock reading");
        assertRejects(RejectionReason.INVALID_INSTANT, () -> ledger.open(NewAccount.of(ALICE, "USD")), "clock reading");
        assertTrue(store.appends.isEmpty() && store.opens.isEmpty());
    }

    // --------------------------------------------------------------------------------------- builder, close

    @Test
    void builder_nulls_rejectedWithNullPointerNamingThem() {
        assertEquals(
                "store",
                assertThrows(NullPointerException.class, () -> Ledger.builder(null))
                        .getMessage());
        Ledger.Builder builder = Ledger.builder(store);
        assertEquals(
                "clock",
                assertThrows(NullPointerException.class, () -> builder.clock(null))
                        .getMessage());
        assertEquals(
                "retryPolicy",
                assertThrows(NullPointerException.class, () -> builder.retryPolicy(null))
                        .getMessage());
        assertEquals(
                "ids",
                assertThrows(NullPointerException.class, () -> builder.transferIds(null))
                        .getMessage());
    }

    @Test
    void builder_transferIds_usedForRequestsWithoutId() {
        UUID fixed = new UUID(1, 2);
        store.onAppend = draft -> new AppendResult.Recorded(recorded(draft, 0));
        Ledger ledger =
                Ledger.builder(store).clock(clock).transferIds(() -> fixed).build();
        assertEquals(fixed, ledger.transfer(ALICE, BOB, 1, "USD").id());
        UUID given = new UUID(3, 4);
        assertEquals(
                given,
                ledger.transfer(TransferRequest.of(ALICE, BOB, 1, "USD").withId(given))
                        .id());
    }

    @Test
    void close_always_closesStore() {
        ledger(NO_SLEEP).close();
        assertEquals(1, store.closeCalls);
    }

    @Test
    void inMemory_openTransferAndRead_works() {
        try (Ledger ledger = Ledger.inMemory()) {
            ledger.open(NewAccount.issuer(BANK, "USD"));
            ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(100, BANK));
            ledger.open(NewAccount.of(BOB, "USD"));
            Transfer t = ledger.transfer(ALICE, BOB, 40, "USD");
            assertEquals(60, ledger.balance(ALICE));
            assertEquals(40, ledger.balance(BOB));
            assertEquals(-100, ledger.balance(BANK));
            assertEquals(Optional.of(t), ledger.findTransfer(t.id()));
            assertEquals(2, ledger.statement(StatementQuery.of(ALICE)).lines().size());
        }
    }
}
