package dev.ledger.examples;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.spi.LedgerStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's limits snippet (an overdraft line, a capped wallet), compiled and run by {@code LimitsExampleTest},
 * which also checks that the README shows exactly the tagged region below.
 */
public final class LimitsExample {
    private LimitsExample() {}

    /** What the snippet saw: the balances after each step and the reasons of the refusals. */
    public record Result(long aliceAfterOverdraft, long walletAfterTopUp, List<RejectionReason> refused) {}

    public static Result run(LedgerStore store) {
        try (Ledger ledger = Ledger.builder(store).build()) {
            AccountId bank = AccountId.of("bank");
            ledger.open(NewAccount.issuer(bank, "USD"));
            List<RejectionReason> refused = new ArrayList<>();
            // tag::limits[]
            AccountId alice = AccountId.of("alice");
            AccountId wallet = AccountId.of("wallet");
            ledger.open(NewAccount.of(alice, "USD")
                    .withOpeningBalance(100_00, bank)
                    .withLowerLimit(-500_00)); // an overdraft line: alice may go down to -500.00
            ledger.open(NewAccount.of(wallet, "USD")
                    .withUpperLimit(10_000_00)); // a wallet that never holds more than 10,000.00

            ledger.transfer(TransferRequest.of(alice, wallet, 600_00, "USD")); // alice: -500.00
            long aliceAfterOverdraft = ledger.balance(alice);
            ledger.transfer(TransferRequest.of(bank, wallet, 9_400_00, "USD")); // wallet: exactly 10,000.00
            long walletAfterTopUp = ledger.balance(wallet);
            for (TransferRequest beyond : List.of(
                    TransferRequest.of(alice, wallet, 1, "USD"), // below alice's line: INSUFFICIENT_FUNDS
                    TransferRequest.of(bank, wallet, 1, "USD"))) { // above the wallet's cap: UPPER_LIMIT_EXCEEDED
                try {
                    ledger.transfer(beyond);
                } catch (LedgerRejectedException e) { // nothing was recorded
                    refused.add(e.reason());
                }
            }
            // end::limits[]
            return new Result(aliceAfterOverdraft, walletAfterTopUp, refused);
        }
    }
}
