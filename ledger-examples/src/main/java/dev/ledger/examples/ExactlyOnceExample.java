package dev.ledger.examples;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.util.Optional;
import java.util.UUID;

/**
 * The "Exactly once" snippet of the README, compiled and run by {@code ReadmeExampleTest}, which also checks that the
 * README shows exactly the region between the {@code tag::exactly-once} and {@code end::exactly-once} markers.
 */
public final class ExactlyOnceExample {
    /** A payment of the application's own, stored with its transfer id before the first call. */
    public record Payment(UUID transferId) {}

    private final Runnable backOff;

    /** @param backOff what to do between attempts (the snippet's {@code backOff()}) */
    public ExactlyOnceExample(Runnable backOff) {
        this.backOff = backOff;
    }

    /**
     * Records 25.00 USD from {@code alice} to {@code bob} for {@code payment}, exactly once.
     *
     * @throws IllegalStateException if the payment's id is already recorded as a different transfer
     */
    public Transfer pay(Ledger ledger, Payment payment, AccountId alice, AccountId bob) {
        // tag::exactly-once[]
        UUID paymentId = payment.transferId(); // stored with the payment before the first call
        TransferRequest request = TransferRequest.of(alice, bob, 25_00, "USD").withId(paymentId);
        Transfer recorded;
        while (true) {
            try {
                recorded = ledger.transfer(request); // a replay returns the transfer recorded the first time
                break;
            } catch (LedgerUnavailableException e) {
                // OUTCOME_UNKNOWN or not: the same id can never record a second transfer, so retrying is safe
                Optional<Transfer> found = ledger.findTransfer(paymentId); // waits for an attempt still in flight
                if (found.isPresent()) {
                    recorded = found.get();
                    if (!recorded.sameContentAs(
                            request.source(),
                            request.destination(),
                            request.amount(),
                            request.currency(),
                            request.reference())) { // the id was used for something else: a bug
                        throw new IllegalStateException(
                                "payment " + paymentId + " is recorded as another transfer: " + recorded);
                    }
                    break;
                }
                backOff(); // your policy: sleep, give up after a while, alert
            }
        }
        // end::exactly-once[]
        return recorded;
    }

    private void backOff() {
        backOff.run();
    }
}
