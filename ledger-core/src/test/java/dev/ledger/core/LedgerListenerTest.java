package dev.ledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.LedgerListener.Operation;
import dev.ledger.core.LedgerUnavailableException.Kind;
import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.core.spi.AppendResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** What a {@link LedgerListener} is told, and that it can never change a call's outcome. */
class LedgerListenerTest {
    private static final AccountId BANK = AccountId.of("bank");
    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");
    private static final RetryPolicy NO_SLEEP = RetryPolicy.builder()
            .maxAttempts(3)
            .initialBackoff(Duration.ZERO)
            .maxBackoff(Duration.ZERO)
            .build();

    /** Writes each event as a line; checks that latencies are never negative. */
    static final class Recording implements LedgerListener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final List<@Nullable RuntimeException> failures = Collections.synchronizedList(new ArrayList<>());
        final List<@Nullable Object> contexts = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Object callStarted(Operation operation) {
            events.add("start " + operation);
            return "context-" + operation;
        }

        @Override
        public void callEnded(
                Operation operation, @Nullable Object context, long nanos, @Nullable RuntimeException failure) {
            assertTrue(nanos >= 0, "latency " + nanos);
            events.add("end " + operation
                    + (failure == null ? "" : " " + failure.getClass().getSimpleName()));
            failures.add(failure);
            contexts.add(context);
        }

        @Override
        public void transferRecorded(int attempts, long nanos) {
            assertTrue(nanos >= 0, "latency " + nanos);
            events.add("recorded after " + attempts);
        }

        @Override
        public void transferReplayed(int attempts, long nanos) {
            assertTrue(nanos >= 0, "latency " + nanos);
            events.add("replayed after " + attempts);
        }

        @Override
        public void rejected(Operation operation, RejectionReason reason) {
            events.add("rejected " + operation + " " + reason);
        }

        @Override
        public void unavailable(Operation operation, Kind kind) {
            events.add("unavailable " + operation + " " + kind);
        }

        @Override
        public void conflict(Operation operation, int attempt, String detail) {
            events.add("conflict " + operation + " " + attempt + " " + detail);
        }

        @Override
        public void retry(Operation operation, int retry, long backoffNanos) {
            events.add("retry " + operation + " " + retry + " slept " + backoffNanos);
        }

        List<String> take() {
            List<String> copy = List.copyOf(events);
            events.clear();
            return copy;
        }
    }

    /** Throws from every method. */
    static final class Throwing implements LedgerListener {
        private final boolean error;
        int calls;

        Throwing(boolean error) {
            this.error = error;
        }

        private void fail() {
            calls++;
            if (error) {
                throw new AssertionError("listener error");
            }
            throw new IllegalStateException("listener bug");
        }

        @Override
        public Object callStarted(Operation operation) {
            fail();
            return "unreachable";
        }

        @Override
        public void callEnded(
                Operation operation, @Nullable Object context, long nanos, @Nullable RuntimeException failure) {
            fail();
        }

        @Override
        public void transferRecorded(int attempts, long nanos) {
            fail();
        }

        @Override
        public void transferReplayed(int attempts, long nanos) {
            fail();
        }

        @Override
        public void rejected(Operation operation, RejectionReason reason) {
            fail();
        }

        @Override
        public void unavailable(Operation operation, Kind kind) {
            fail();
        }

        @Override
        public void conflict(Operation operation, int attempt, String detail) {
            fail();
        }

        @Override
        public void retry(Operation operation, int retry, long backoffNanos) {
            fail();
        }
    }

    private final Recording recording = new Recording();

    private Ledger funded(LedgerListener listener) {
        Ledger ledger =
                Ledger.builder(new InMemoryLedgerStore()).listener(listener).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(100, BANK));
        ledger.open(NewAccount.of(BOB, "USD"));
        return ledger;
    }

    private static Transfer recorded(dev.ledger.core.spi.TransferDraft d) {
        return new Transfer(
                d.id(), d.source(), 0, d.destination(), d.amount(), d.currency(), d.notBefore(), d.reference());
    }

    // ------------------------------------------------------------------------------------------ transfers

    @Test
    void transfer_recorded_startRecordedEnd() {
        Ledger ledger = funded(recording);
        recording.take();
        ledger.transfer(ALICE, BOB, 10, "USD");
        assertEquals(List.of("start TRANSFER", "recorded after 1", "end TRANSFER"), recording.take());
        assertNull(recording.failures.get(recording.failures.size() - 1));
    }

    @Test
    void transfer_sameIdTwice_secondReportedAsReplayed() {
        Ledger ledger = funded(recording);
        TransferRequest request = TransferRequest.of(ALICE, BOB, 10, "USD").withId(UUID.randomUUID());
        ledger.transfer(request);
        recording.take();
        ledger.transfer(request);
        assertEquals(List.of("start TRANSFER", "replayed after 1", "end TRANSFER"), recording.take());
    }

    @Test
    void transfer_sameIdOtherContent_rejectedIdReused() {
        Ledger ledger = funded(recording);
        UUID id = UUID.randomUUID();
        ledger.transfer(TransferRequest.of(ALICE, BOB, 10, "USD").withId(id));
        recording.take();
        assertThrows(
                LedgerRejectedException.class,
                () -> ledger.transfer(TransferRequest.of(ALICE, BOB, 11, "USD").withId(id)));
        assertEquals(
                List.of(
                        "start TRANSFER",
                        "rejected TRANSFER ID_REUSED_WITH_DIFFERENT_CONTENT",
                        "end TRANSFER LedgerRejectedException"),
                recording.take());
    }

    @Test
    void transfer_overdraft_rejectedWithReasonAndFailureHandedToCallEnded() {
        Ledger ledger = funded(recording);
        recording.take();
        LedgerRejectedException thrown =
                assertThrows(LedgerRejectedException.class, () -> ledger.transfer(ALICE, BOB, 1_000, "USD"));
        assertEquals(
                List.of(
                        "start TRANSFER",
                        "rejected TRANSFER INSUFFICIENT_FUNDS",
                        "end TRANSFER LedgerRejectedException"),
                recording.take());
        assertSame(thrown, recording.failures.get(recording.failures.size() - 1));
    }

    @Test
    void transfer_nullRequest_rejectedMissingValue() {
        Ledger ledger = funded(recording);
        recording.take();
        assertThrows(LedgerRejectedException.class, () -> ledger.transfer(null));
        assertEquals(
                List.of("start TRANSFER", "rejected TRANSFER MISSING_VALUE", "end TRANSFER LedgerRejectedException"),
                recording.take());
    }

    @Test
    void transfer_twoConflictsThenRecorded_eachConflictAndRetryReported() {
        ScriptedStore store = new ScriptedStore();
        store.onAppend = draft -> store.appends.size() < 3
                ? new AppendResult.Conflict("index " + store.appends.size() + " taken")
                : new AppendResult.Recorded(recorded(draft));
        Ledger ledger =
                Ledger.builder(store).retryPolicy(NO_SLEEP).listener(recording).build();
        ledger.transfer(ALICE, BOB, 5, "USD");
        assertEquals(
                List.of(
                        "start TRANSFER",
                        "conflict TRANSFER 1 index 1 taken",
                        "retry TRANSFER 1 slept 0",
                        "conflict TRANSFER 2 index 2 taken",
                        "retry TRANSFER 2 slept 0",
                        "recorded after 3",
                        "end TRANSFER"),
                recording.take());
    }

    @Test
    void transfer_conflictsExhausted_lastConflictWithoutRetryThenUnavailable() {
        ScriptedStore store = new ScriptedStore();
        Ledger ledger =
                Ledger.builder(store).retryPolicy(NO_SLEEP).listener(recording).build();
        assertThrows(LedgerUnavailableException.class, () -> ledger.transfer(ALICE, BOB, 5, "USD"));
        assertEquals(
                List.of(
                        "start TRANSFER",
                        "conflict TRANSFER 1 index taken",
                        "retry TRANSFER 1 slept 0",
                        "conflict TRANSFER 2 index taken",
                        "retry TRANSFER 2 slept 0",
                        "conflict TRANSFER 3 index taken",
                        "unavailable TRANSFER RETRIES_EXHAUSTED",
                        "end TRANSFER LedgerUnavailableException"),
                recording.take());
    }

    @Test
    void transfer_backoff_retryReportsTheSleepDrawn() {
        ScriptedStore store = new ScriptedStore();
        store.onAppend = draft -> store.appends.size() < 2
                ? new AppendResult.Conflict("taken")
                : new AppendResult.Recorded(recorded(draft));
        RetryPolicy sleeps = RetryPolicy.builder()
                .maxAttempts(2)
                .initialBackoff(Duration.ofMillis(2))
                .maxBackoff(Duration.ofMillis(2))
                .build();
        List<Long> slept = new ArrayList<>();
        Ledger ledger = Ledger.builder(store)
                .retryPolicy(sleeps)
                .listener(new LedgerListener() {
                    @Override
                    public void retry(Operation operation, int retry, long backoffNanos) {
                        slept.add(backoffNanos);
                    }
                })
                .build();
        ledger.transfer(ALICE, BOB, 5, "USD");
        assertEquals(1, slept.size());
        assertTrue(slept.get(0) >= 0 && slept.get(0) <= Duration.ofMillis(2).toNanos(), slept::toString);
    }

    @Test
    void transfer_storeUnavailable_unavailableWithKind() {
        ScriptedStore store = new ScriptedStore();
        store.onAppend = draft -> {
            throw new IllegalStateException("connection reset");
        };
        Ledger ledger = Ledger.builder(store).listener(recording).build();
        assertThrows(LedgerUnavailableException.class, () -> ledger.transfer(ALICE, BOB, 5, "USD"));
        assertEquals(
                List.of(
                        "start TRANSFER",
                        "unavailable TRANSFER OUTCOME_UNKNOWN",
                        "end TRANSFER LedgerUnavailableException"),
                recording.take());
    }

    @Test
    void open_fundingConflicts_conflictsReportedForOpen() {
        ScriptedStore store = new ScriptedStore();
        Ledger ledger =
                Ledger.builder(store).retryPolicy(NO_SLEEP).listener(recording).build();
        assertThrows(
                LedgerUnavailableException.class,
                () -> ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(10, BANK)));
        assertEquals(
                List.of(
                        "start OPEN",
                        "conflict OPEN 1 issuer index taken",
                        "retry OPEN 1 slept 0",
                        "conflict OPEN 2 issuer index taken",
                        "retry OPEN 2 slept 0",
                        "conflict OPEN 3 issuer index taken",
                        "unavailable OPEN RETRIES_EXHAUSTED",
                        "end OPEN LedgerUnavailableException"),
                recording.take());
    }

    @Test
    void reads_storeFails_unavailableStoreUnavailable() {
        ScriptedStore store = new ScriptedStore();
        store.onBalance = (id, asOf) -> {
            throw new LedgerUnavailableException(Kind.STORE_UNAVAILABLE, "down", null);
        };
        Ledger ledger = Ledger.builder(store).listener(recording).build();
        assertThrows(LedgerUnavailableException.class, () -> ledger.balance(ALICE));
        assertEquals(
                List.of(
                        "start BALANCE",
                        "unavailable BALANCE STORE_UNAVAILABLE",
                        "end BALANCE LedgerUnavailableException"),
                recording.take());
    }

    // ------------------------------------------------------------------------------------------- every call

    @Test
    void everyCall_reportedOnceWithItsOperation() {
        Ledger ledger = funded(recording);
        Transfer t = ledger.transfer(TransferRequest.of(ALICE, BOB, 1, "USD"));
        ledger.account(ALICE);
        ledger.findTransfer(t.id());
        ledger.balance(ALICE);
        ledger.balanceAsOf(ALICE, Instant.now());
        ledger.statement(StatementQuery.of(ALICE));
        ledger.verify();
        ledger.verify(ledger.chainHeads());
        List<String> starts =
                recording.events.stream().filter(e -> e.startsWith("start ")).toList();
        assertEquals(
                List.of(
                        "start OPEN",
                        "start OPEN",
                        "start OPEN",
                        "start TRANSFER",
                        "start ACCOUNT",
                        "start FIND_TRANSFER",
                        "start BALANCE",
                        "start BALANCE_AS_OF",
                        "start STATEMENT",
                        "start VERIFY",
                        "start CHAIN_HEADS",
                        "start VERIFY"),
                starts);
        List<String> ends = recording.events.stream()
                .filter(e -> e.startsWith("end "))
                .map(e -> "start " + e.substring(4))
                .toList();
        assertEquals(starts, ends, "each call ends once, without failure");
        for (int i = 0; i < starts.size(); i++) {
            assertEquals(
                    "context-" + starts.get(i).substring(6),
                    recording.contexts.get(i),
                    "callEnded gets what callStarted returned");
        }
    }

    @Test
    void statement_unknownAccount_rejectedOnceAsStatement() {
        Ledger ledger = funded(recording);
        recording.take();
        assertThrows(LedgerRejectedException.class, () -> ledger.statement(StatementQuery.of(AccountId.of("nobody"))));
        assertEquals(
                List.of(
                        "start STATEMENT",
                        "rejected STATEMENT ACCOUNT_NOT_FOUND",
                        "end STATEMENT LedgerRejectedException"),
                recording.take());
    }

    @Test
    void balanceAsOf_invalidInstant_rejectedAsBalanceAsOf() {
        Ledger ledger = funded(recording);
        recording.take();
        assertThrows(LedgerRejectedException.class, () -> ledger.balanceAsOf(ALICE, Instant.MAX));
        assertEquals(
                List.of(
                        "start BALANCE_AS_OF",
                        "rejected BALANCE_AS_OF INVALID_INSTANT",
                        "end BALANCE_AS_OF LedgerRejectedException"),
                recording.take());
    }

    @Test
    void operation_methodNames_areTheLedgerMethods() {
        for (Operation operation : Operation.values()) {
            assertTrue(
                    java.util.Arrays.stream(Ledger.class.getMethods())
                            .anyMatch(m -> m.getName().equals(operation.methodName())),
                    operation::methodName);
        }
    }

    // ------------------------------------------------------------------------------------- failing listeners

    @Test
    void throwingListener_runtimeExceptionsAndErrors_callsEndAsWithoutListener() {
        for (boolean error : new boolean[] {false, true}) {
            Throwing throwing = new Throwing(error);
            Ledger ledger = funded(throwing);
            TransferRequest request = TransferRequest.of(ALICE, BOB, 10, "USD").withId(UUID.randomUUID());
            Transfer first = ledger.transfer(request);
            assertEquals(first, ledger.transfer(request), "replay");
            LedgerRejectedException rejected =
                    assertThrows(LedgerRejectedException.class, () -> ledger.transfer(ALICE, BOB, 1_000, "USD"));
            assertEquals(RejectionReason.INSUFFICIENT_FUNDS, rejected.reason());
            assertEquals(90, ledger.balance(ALICE));
            assertEquals(1, ledger.statement(StatementQuery.of(BOB)).lines().size());
            assertTrue(ledger.verify().ok());
            assertTrue(throwing.calls > 10, "the listener was called: " + throwing.calls);

            ScriptedStore store = new ScriptedStore();
            store.onAppend = draft -> store.appends.size() < 2
                    ? new AppendResult.Conflict("taken")
                    : new AppendResult.Recorded(recorded(draft));
            Ledger scripted = Ledger.builder(store)
                    .retryPolicy(NO_SLEEP)
                    .listener(throwing)
                    .build();
            assertEquals(5, scripted.transfer(ALICE, BOB, 5, "USD").amount(), "conflict and retry events ignored");
            store.onAppend = draft -> new AppendResult.Conflict("taken");
            LedgerUnavailableException exhausted =
                    assertThrows(LedgerUnavailableException.class, () -> scripted.transfer(ALICE, BOB, 5, "USD"));
            assertEquals(Kind.RETRIES_EXHAUSTED, exhausted.kind());
        }
    }

    @Test
    void listenerReturningNullContext_callEndedGetsNull() {
        List<@Nullable Object> contexts = new ArrayList<>();
        Ledger ledger = Ledger.builder(new InMemoryLedgerStore())
                .listener(new LedgerListener() {
                    @Override
                    public void callEnded(
                            Operation operation,
                            @Nullable Object context,
                            long nanos,
                            @Nullable RuntimeException failure) {
                        contexts.add(context);
                    }
                })
                .build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        assertEquals(1, contexts.size());
        assertNull(contexts.get(0));
    }

    // --------------------------------------------------------------------------------------------- no-op path

    @Test
    void none_isOneConstantAndTheDefault() {
        assertSame(LedgerListener.none(), LedgerListener.none());
        assertInstanceOf(NoListener.class, LedgerListener.none());
        Ledger ledger = funded(LedgerListener.none());
        assertEquals(10, ledger.transfer(ALICE, BOB, 10, "USD").amount());
        assertEquals(90, ledger.balance(ALICE));
    }

    @Test
    void none_ledgerHoldsNoObservationState() throws ReflectiveOperationException {
        java.lang.reflect.Field observed = Ledger.class.getDeclaredField("observed");
        observed.setAccessible(true);
        assertEquals(false, observed.get(Ledger.inMemory()), "the default ledger skips observation");
        assertEquals(
                false,
                observed.get(Ledger.builder(new InMemoryLedgerStore())
                        .listener(LedgerListener.none())
                        .build()));
        assertEquals(
                true,
                observed.get(Ledger.builder(new InMemoryLedgerStore())
                        .listener(new LedgerListener() {})
                        .build()),
                "any other listener is observed, even one overriding nothing");
    }

    @Test
    void builder_nullListener_failsFast() {
        NullPointerException e =
                assertThrows(NullPointerException.class, () -> Ledger.builder(new InMemoryLedgerStore())
                        .listener(null));
        assertEquals("listener", e.getMessage());
    }
}
