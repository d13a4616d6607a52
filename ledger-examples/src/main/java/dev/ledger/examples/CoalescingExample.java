package dev.ledger.examples;

import dev.ledger.core.AccountId;
import dev.ledger.core.Coalescing;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.spi.LedgerStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The README's coalescing snippet, compiled and run by {@code CoalescingExampleTest}, which also checks that the README
 * shows exactly the tagged region below.
 */
public final class CoalescingExample {
    private CoalescingExample() {}

    /** Records {@code count} transfers of 1 from alice to bob without waiting for each; returns alice's balance. */
    public static long run(LedgerStore store, int count) {
        ExecutorService appExecutor = Executors.newFixedThreadPool(2);
        try {
            // tag::coalescing[]
            Ledger ledger = Ledger.builder(store)
                    .coalescing(Coalescing.natural(512, 2)) // the default: batches of what queued, at most 2 in flight
                    .executor(appExecutor) // writes no caller waits for (transferAsync)
                    .build();
            // end::coalescing[]
            AccountId bank = AccountId.of("bank");
            AccountId alice = AccountId.of("alice");
            AccountId bob = AccountId.of("bob");
            ledger.open(NewAccount.issuer(bank, "USD"));
            ledger.open(NewAccount.of(alice, "USD").withOpeningBalance(count, bank));
            ledger.open(NewAccount.of(bob, "USD"));
            // tag::async[]
            List<CompletableFuture<Transfer>> pending = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                pending.add(ledger.transferAsync(TransferRequest.of(alice, bob, 1, "USD")));
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join(); // or thenAccept(...) each
            // end::async[]
            return ledger.balance(alice);
        } finally {
            appExecutor.shutdown();
        }
    }
}
