package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Coalescing;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Coalescing#natural()} writes up to two batches at once so that one batch waiting on a lock held outside the
 * ledger does not stop every other caller (its javadoc). An operator's session holds alice's account row; alice's
 * transfer waits in its batch for it; a transfer between two other accounts is recorded meanwhile. With one writer the
 * same transfer waits behind alice's batch, which shows what the second writer is for.
 */
class CoalescingOutsideLockTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase();

    private static final AccountId BANK = AccountId.of("bank");
    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");
    private static final AccountId CAROL = AccountId.of("carol");
    private static final AccountId DAVE = AccountId.of("dave");

    @Test
    void transfer_defaultCoalescingAndABatchWaitingOnAnOutsideRowLock_otherCallersStillRecorded() throws Exception {
        PostgresLedgerStore store = DB.newStore();
        assertEquals(
                Coalescing.natural().maxConcurrentBatches(),
                store.defaultCoalescing().maxConcurrentBatches());
        Ledger ledger = Ledger.builder(store).build(); // the store's default coalescing
        run(store, ledger, true);
    }

    @Test
    void transfer_oneWriterAndABatchWaitingOnAnOutsideRowLock_otherCallersWaitForIt() throws Exception {
        PostgresLedgerStore store = DB.newStore();
        Ledger ledger =
                Ledger.builder(store).coalescing(Coalescing.natural(512, 1)).build();
        run(store, ledger, false);
    }

    private static void run(PostgresLedgerStore store, Ledger ledger, boolean othersProceed) throws Exception {
        String s = store.schema();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(100, BANK));
        ledger.open(NewAccount.of(BOB, "USD"));
        ledger.open(NewAccount.of(CAROL, "USD").withOpeningBalance(100, BANK));
        ledger.open(NewAccount.of(DAVE, "USD"));
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try (Connection operator = DB.server().connect(DB.name())) {
            operator.setAutoCommit(false);
            try (Statement st = operator.createStatement()) {
                st.execute("SELECT 1 FROM " + s + ".account WHERE id = 'alice' FOR UPDATE");
            }
            CompletableFuture<Transfer> stuck = CompletableFuture.supplyAsync(
                    () -> ledger.transfer(TransferRequest.of(ALICE, BOB, 10, "USD")), callers);
            DB.awaitAppendWaitingOnALock(s); // alice's batch is in flight, waiting for the operator
            CompletableFuture<Transfer> other = CompletableFuture.supplyAsync(
                    () -> ledger.transfer(TransferRequest.of(CAROL, DAVE, 10, "USD")), callers);
            @Nullable Transfer recorded = null;
            if (othersProceed) {
                recorded = other.get(10, TimeUnit.SECONDS);
                assertEquals(90, ledger.balance(CAROL));
                assertFalse(stuck.isDone(), "alice's transfer waits for the operator's lock");
            } else {
                assertThrows(TimeoutException.class, () -> other.get(1, TimeUnit.SECONDS));
                assertFalse(stuck.isDone(), "alice's transfer waits for the operator's lock");
            }
            operator.rollback();
            assertEquals(0, stuck.get(10, TimeUnit.SECONDS).sourceIndex());
            if (recorded == null) {
                recorded = other.get(10, TimeUnit.SECONDS);
            }
            assertEquals(0, recorded.sourceIndex());
        } finally {
            callers.shutdownNow();
        }
        assertEquals(90, ledger.balance(ALICE));
        assertEquals(10, ledger.balance(BOB));
        assertEquals(90, ledger.balance(CAROL));
        assertEquals(10, ledger.balance(DAVE));
        assertTrue(ledger.verify().ok(), ledger.verify().describe());
    }
}
