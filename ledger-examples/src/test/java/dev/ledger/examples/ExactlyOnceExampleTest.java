package dev.ledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.core.spi.TransferDraft;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The README's "Exactly once" snippet: records once through failures, and refuses a transfer of other content. */
class ExactlyOnceExampleTest {
    private static final AccountId BANK = AccountId.of("bank");
    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");

    /** How the store fails the next appends: not at all, after recording, or before recording. */
    enum Failure {
        NONE,
        AFTER_RECORDING,
        BEFORE_RECORDING
    }

    private final AtomicInteger failures = new AtomicInteger();
    private Failure failure = Failure.NONE;
    private int backOffs;

    @Test
    void pay_noFailure_recordsThePayment() {
        Ledger ledger = ledger();
        UUID id = UUID.randomUUID();

        Transfer t =
                new ExactlyOnceExample(() -> backOffs++).pay(ledger, new ExactlyOnceExample.Payment(id), ALICE, BOB);

        assertEquals(id, t.id());
        assertTrue(t.sameContentAs(ALICE, BOB, 25_00, "USD", null), t.toString());
        assertEquals(75_00, ledger.balance(ALICE));
    }

    @Test
    void pay_outcomeUnknownThenUnavailable_recordedOnceAndFound() {
        Ledger ledger = ledger();
        UUID id = UUID.randomUUID();
        failure = Failure.AFTER_RECORDING;
        failures.set(1);

        Transfer t =
                new ExactlyOnceExample(() -> backOffs++).pay(ledger, new ExactlyOnceExample.Payment(id), ALICE, BOB);

        assertEquals(id, t.id());
        assertEquals(0, backOffs, "found at once: no back-off");
        assertEquals(75_00, ledger.balance(ALICE), "recorded once");
        assertEquals(1, ledger.statement(StatementQuery.of(BOB)).lines().size());
    }

    @Test
    void pay_unavailableTwice_backsOffAndRecords() {
        Ledger ledger = ledger();
        failure = Failure.BEFORE_RECORDING;
        failures.set(2);

        Transfer t = new ExactlyOnceExample(() -> backOffs++)
                .pay(ledger, new ExactlyOnceExample.Payment(UUID.randomUUID()), ALICE, BOB);

        assertEquals(2, backOffs);
        assertEquals(25_00, t.amount());
        assertEquals(75_00, ledger.balance(ALICE));
    }

    @Test
    void pay_idAlreadyRecordedWithOtherContent_illegalState() {
        Ledger ledger = ledger();
        UUID id = UUID.randomUUID();
        ledger.transfer(TransferRequest.of(ALICE, BOB, 1_00, "USD").withId(id)); // another payment took the id
        failure = Failure.BEFORE_RECORDING;
        failures.set(1);

        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> new ExactlyOnceExample(() -> backOffs++)
                        .pay(ledger, new ExactlyOnceExample.Payment(id), ALICE, BOB));

        assertTrue(e.getMessage().contains(id.toString()) && e.getMessage().contains("100"), e.getMessage());
        assertEquals(99_00, ledger.balance(ALICE), "nothing more was recorded");
    }

    /**
     * A ledger with alice funded with 100.00 USD, on an in-memory store whose appends fail as {@link #failure} says.
     */
    private Ledger ledger() {
        InMemoryLedgerStore memory = new InMemoryLedgerStore();
        LedgerStore store = (LedgerStore) Proxy.newProxyInstance(
                LedgerStore.class.getClassLoader(), new Class<?>[] {LedgerStore.class}, (proxy, method, args) -> {
                    boolean append =
                            (method.getName().equals("append") && args != null && args[0] instanceof TransferDraft)
                                    || method.getName()
                                            .equals("appendBatch"); // a coalesced transfer call is a batch of the store
                    if (append && failure == Failure.BEFORE_RECORDING && failures.getAndDecrement() > 0) {
                        throw new LedgerUnavailableException(
                                LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                                "connection refused (simulated)",
                                null);
                    }
                    Object result;
                    try {
                        result = method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (append && failure == Failure.AFTER_RECORDING && failures.getAndDecrement() > 0) {
                        throw new LedgerUnavailableException(
                                LedgerUnavailableException.Kind.OUTCOME_UNKNOWN,
                                "connection lost after the write (simulated)",
                                null);
                    }
                    return result;
                });
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(100_00, BANK));
        ledger.open(NewAccount.of(BOB, "USD"));
        return ledger;
    }
}
