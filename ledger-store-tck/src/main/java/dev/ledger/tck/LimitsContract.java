package dev.ledger.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.TransferRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Limits: an overdraft line lets an ordinary account go down to its lower limit, never below; an upper limit refuses
 * credits beyond it; both at every instant, under concurrency too.
 */
public interface LimitsContract extends LedgerFixture {

    @Test
    default void transfer_withOverdraftLine_spendsDownToTheLimitExactlyAndNoFurther() {
        AccountId bank = openIssuer("bank");
        AccountId alice = AccountId.of("alice");
        Account opened =
                open(NewAccount.of(alice, USD).withOpeningBalance(100, bank).withLowerLimit(-500));
        assertEquals(-500, opened.lowerLimit());
        assertEquals(-500, ledger().account(alice).orElseThrow().lowerLimit());
        AccountId bob = openAccount("bob");
        assertEquals(0, ledger().account(bob).orElseThrow().lowerLimit());
        assertEquals(
                Account.NO_LOWER_LIMIT, ledger().account(bank).orElseThrow().lowerLimit());

        clock().advanceMicros(10);
        transfer(alice, bob, 550);
        assertBalance(alice, -450);
        clock().advanceMicros(10);
        LedgerRejectedException e = assertRejected(
                RejectionReason.INSUFFICIENT_FUNDS,
                () -> ledger().transfer(TransferRequest.of(alice, bob, 51, USD)),
                alice,
                "-500");
        assertTrue(String.valueOf(e.getMessage()).contains("-450"), e.getMessage());
        transfer(alice, bob, 50);
        assertBalance(alice, -500);
        assertRejected(
                RejectionReason.INSUFFICIENT_FUNDS,
                () -> ledger().transfer(TransferRequest.of(alice, bob, 1, USD)),
                alice);
        clock().advanceMicros(10);
        transfer(bank, alice, 30);
        transfer(alice, bob, 30);
        assertBalance(alice, -500);
        // bob has no overdraft line: his balance covers his debits exactly
        assertRejected(
                RejectionReason.INSUFFICIENT_FUNDS,
                () -> ledger().transfer(TransferRequest.of(bob, alice, 631, USD)),
                bob);
        transfer(bob, alice, 630);
        assertBalance(bob, 0);
    }

    @Test
    default void withLowerLimit_positiveOrOnAnIssuer_rejectedAsInvalidLimit() {
        AccountId a = AccountId.of("a");
        for (long limit : new long[] {1, Long.MAX_VALUE, Long.MIN_VALUE}) {
            LedgerRejectedException e = assertThrows(
                    LedgerRejectedException.class, () -> NewAccount.of(a, USD).withLowerLimit(limit));
            assertEquals(RejectionReason.INVALID_LIMIT, e.reason());
            assertTrue(
                    String.valueOf(e.getMessage()).contains(Long.toString(limit))
                            && String.valueOf(e.getMessage())
                                    .contains(e.reason().rule()),
                    e.getMessage());
        }
        LedgerRejectedException e = assertThrows(
                LedgerRejectedException.class, () -> NewAccount.issuer(a, USD).withLowerLimit(-1));
        assertEquals(RejectionReason.INVALID_LIMIT, e.reason());
        assertEquals(
                Long.MIN_VALUE + 1,
                NewAccount.of(a, USD).withLowerLimit(Long.MIN_VALUE + 1).lowerLimit());
    }

    /** 16 threads race to overdraw one account with a line of 1,000: exactly 100 debits of 10 fit, at every instant. */
    @Test
    default void transfer_concurrentDebitsAgainstAnOverdraftLine_neverCrossIt() throws Exception {
        AccountId bank = openIssuer("bank");
        AccountId alice = AccountId.of("alice");
        open(NewAccount.of(alice, USD).withLowerLimit(-1_000));
        AccountId bob = openAccount("bob");
        int sent = race(16, 10, t -> TransferRequest.of(alice, bob, 10, USD), RejectionReason.INSUFFICIENT_FUNDS);
        assertEquals(100, sent, "exactly the line's worth of debits");
        assertEquals(-1_000, ledger().balance(alice));
        assertEquals(1_000, ledger().balance(bob));
        books().expectBalance(alice, -1_000);
        books().expectBalance(bob, 1_000);
        assertRejected(
                RejectionReason.INSUFFICIENT_FUNDS,
                () -> ledger().transfer(TransferRequest.of(alice, bob, 1, USD)),
                alice);
        clock().advance(Duration.ofSeconds(1));
        ledger().transfer(TransferRequest.of(bank, alice, 5, USD));
        books().expectBalance(alice, -995);
        assertBalance(alice, -995);
    }

    @Test
    default void transfer_toCappedAccount_creditedUpToTheLimitExactlyAndNoFurther() {
        AccountId bank = openIssuer("bank");
        AccountId wallet = AccountId.of("wallet");
        Account opened =
                open(NewAccount.of(wallet, USD).withOpeningBalance(400, bank).withUpperLimit(1_000));
        assertEquals(1_000, opened.upperLimit());
        assertEquals(1_000, ledger().account(wallet).orElseThrow().upperLimit());
        AccountId alice = openFunded("alice", 5_000, bank);
        assertEquals(
                Account.NO_UPPER_LIMIT, ledger().account(alice).orElseThrow().upperLimit());
        clock().advanceMicros(10);
        transfer(alice, wallet, 500);
        LedgerRejectedException e = assertRejected(
                RejectionReason.UPPER_LIMIT_EXCEEDED,
                () -> ledger().transfer(TransferRequest.of(alice, wallet, 101, USD)),
                wallet,
                "1000");
        assertTrue(String.valueOf(e.getMessage()).contains("900"), e.getMessage());
        assertRejected(
                RejectionReason.UPPER_LIMIT_EXCEEDED,
                () -> ledger().transfer(TransferRequest.of(bank, wallet, 101, USD)),
                wallet);
        transfer(bank, wallet, 100);
        assertBalance(wallet, 1_000);
        assertRejected(
                RejectionReason.UPPER_LIMIT_EXCEEDED,
                () -> ledger().transfer(TransferRequest.of(alice, wallet, 1, USD)),
                wallet);
        // spending from it makes room again
        clock().advanceMicros(10);
        transfer(wallet, alice, 250);
        clock().advanceMicros(10);
        transfer(alice, wallet, 250);
        assertBalance(wallet, 1_000);
        // a linked batch that would cross it records nothing
        assertRejected(
                RejectionReason.UPPER_LIMIT_EXCEEDED,
                () -> ledger().transferBatch(
                                List.of(
                                        TransferRequest.of(wallet, alice, 10, USD),
                                        TransferRequest.of(alice, wallet, 11, USD)),
                                dev.ledger.core.BatchMode.LINKED),
                wallet);
        assertBalance(wallet, 1_000);
    }

    @Test
    default void withUpperLimit_negativeBelowOpeningOrOnAnIssuer_rejectedAsInvalidLimit() {
        AccountId a = AccountId.of("a");
        AccountId bank = AccountId.of("bank");
        for (org.junit.jupiter.api.function.Executable call : List.<org.junit.jupiter.api.function.Executable>of(
                () -> NewAccount.of(a, USD).withUpperLimit(-1),
                () -> NewAccount.of(a, USD).withUpperLimit(Long.MAX_VALUE),
                () -> NewAccount.of(a, USD).withOpeningBalance(500, bank).withUpperLimit(499),
                () -> NewAccount.of(a, USD).withUpperLimit(499).withOpeningBalance(500, bank),
                () -> NewAccount.issuer(a, USD).withUpperLimit(1_000))) {
            LedgerRejectedException e = assertThrows(LedgerRejectedException.class, call);
            assertEquals(RejectionReason.INVALID_LIMIT, e.reason(), e.getMessage());
            assertTrue(String.valueOf(e.getMessage()).contains(e.reason().rule()), e.getMessage());
        }
        assertEquals(0, NewAccount.of(a, USD).withUpperLimit(0).upperLimit());
    }

    /** 16 threads race to fill a wallet capped at 1,000 from 4 sources: exactly 100 credits of 10 fit. */
    @Test
    default void transfer_concurrentCreditsToACappedAccount_neverCrossIt() throws Exception {
        AccountId bank = openIssuer("bank");
        List<AccountId> sources = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sources.add(openFunded("payer-" + i, 10_000, bank));
        }
        AccountId wallet = AccountId.of("wallet");
        open(NewAccount.of(wallet, USD).withUpperLimit(1_000));
        int sent = race(
                16,
                10,
                t -> TransferRequest.of(sources.get(t % sources.size()), wallet, 10, USD),
                RejectionReason.UPPER_LIMIT_EXCEEDED);
        assertEquals(100, sent, "exactly the cap's worth of credits");
        assertEquals(1_000, ledger().balance(wallet));
        books().expectBalance(wallet, 1_000);
        long paid = 0;
        for (AccountId source : sources) {
            paid += 10_000 - ledger().balance(source);
            books().expectBalance(source, ledger().balance(source));
        }
        assertEquals(1_000, paid);
    }

    /**
     * {@code threads} threads each send {@code tries} requests made by {@code request} (given the thread's number); a
     * refusal must be for {@code refused}. Returns how many were recorded.
     */
    private int race(
            int threads, int tries, java.util.function.IntFunction<TransferRequest> request, RejectionReason refused)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<Integer>> callers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                TransferRequest each = request.apply(t);
                callers.add(() -> {
                    int sent = 0;
                    for (int i = 0; i < tries; i++) {
                        try {
                            ledger().transfer(each);
                            sent++;
                        } catch (LedgerRejectedException e) {
                            assertEquals(refused, e.reason(), e.getMessage());
                        }
                    }
                    return sent;
                });
            }
            int sent = 0;
            for (Future<Integer> f : pool.invokeAll(callers, 60, TimeUnit.SECONDS)) {
                sent += f.get();
            }
            return sent;
        } finally {
            pool.shutdownNow();
        }
    }
}
