package dev.ledger.examples;

import dev.ledger.core.AccountId;
import dev.ledger.core.BatchMode;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.TransferResult;
import java.util.List;

/**
 * The README's batch snippet, compiled and run by {@code BatchExampleTest} (on the in-memory store and on embedded
 * PostgreSQL), which also checks that the README shows exactly the tagged region below.
 */
public final class BatchExample {
    private BatchExample() {}

    /** What the snippet ended with. */
    public record Result(List<TransferResult> payroll, int failedPosition, long aliceBalance, long bobBalance) {}

    public static Result run(Ledger ledger) {
        AccountId bank = AccountId.of("bank");
        AccountId alice = AccountId.of("alice");
        AccountId bob = AccountId.of("bob");
        AccountId carol = AccountId.of("carol");
        ledger.open(NewAccount.issuer(bank, "USD"));
        ledger.open(NewAccount.of(alice, "USD").withOpeningBalance(100_00, bank));
        ledger.open(NewAccount.of(bob, "USD"));
        ledger.open(NewAccount.of(carol, "USD"));
        // tag::batches[]
        // Independent: one round trip and one commit; each item recorded or rejected on its own, in list order.
        List<TransferResult> payroll = ledger.transferBatch(
                List.of(
                        TransferRequest.of(alice, bob, 60_00, "USD"),
                        TransferRequest.of(alice, carol, 60_00, "USD"), // alice has 40.00 left: rejected alone
                        TransferRequest.of(alice, carol, 40_00, "USD")), // spends her last 40.00
                BatchMode.INDEPENDENT);
        for (TransferResult r : payroll) {
            if (r instanceof TransferResult.Rejected rejected) {
                System.out.println("not paid: " + rejected.reason()); // INSUFFICIENT_FUNDS
            }
        }

        // Linked: all or nothing; the exception names the first item that broke a rule.
        int failedAt = -1;
        try {
            ledger.transferBatch(
                    List.of(
                            TransferRequest.of(bob, alice, 10_00, "USD"),
                            TransferRequest.of(carol, alice, 1_000_00, "USD")), // carol has 40.00
                    BatchMode.LINKED);
        } catch (LedgerRejectedException e) {
            failedAt = e.position().orElseThrow(); // 1; bob's 10.00 did not move either
        }
        // end::batches[]
        return new Result(payroll, failedAt, ledger.balance(alice), ledger.balance(bob));
    }
}
