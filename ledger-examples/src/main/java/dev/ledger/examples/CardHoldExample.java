package dev.ledger.examples;

import dev.ledger.core.AccountId;
import dev.ledger.core.Balances;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The README's two-phase snippet, a card payment: a hold of 50.00, a partial capture of 42.50 (the rest released), and
 * a hold nobody captures, which expires. Compiled and run by {@code CardHoldExampleTest} (which also checks that the
 * README shows exactly the tagged region below) and told by the quickstart.
 */
public final class CardHoldExample {
    private CardHoldExample() {}

    /** The card's balances after each step, by step, in order. */
    public static Map<String, Balances> run(Ledger ledger, SteppingClock clock, AccountId bank) {
        Map<String, Balances> steps = new LinkedHashMap<>();
        // tag::card[]
        AccountId card = AccountId.of("card-4242");
        AccountId cafe = AccountId.of("cafe");
        ledger.open(NewAccount.of(card, "USD").withOpeningBalance(100_00, bank));
        ledger.open(NewAccount.of(cafe, "USD"));
        steps.put("opened with 100.00", ledger.balances(card));

        Transfer hold = ledger.transfer(TransferRequest.pending(card, cafe, 50_00, "USD") // authorise 50.00
                .withTimeout(Duration.ofDays(7)));
        steps.put("hold of 50.00", ledger.balances(card)); // posted 100.00, available 50.00
        ledger.transfer(TransferRequest.post(hold, 42_50)); // capture 42.50: 7.50 released
        steps.put("captured 42.50", ledger.balances(card)); // posted 57.50, available 57.50

        ledger.transfer(TransferRequest.pending(card, cafe, 20_00, "USD") // a hold nobody captures
                .withTimeout(Duration.ofMinutes(30)));
        steps.put("hold of 20.00 for 30 min", ledger.balances(card)); // available 37.50
        clock.skip(Duration.ofHours(1).toSeconds()); // an hour passes: no job runs, yet
        steps.put("an hour later", ledger.balances(card)); // the hold has expired: available 57.50
        // end::card[]
        return steps;
    }
}
