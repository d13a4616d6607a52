package dev.ledger.examples;

import static dev.ledger.examples.Story.BANK;
import static dev.ledger.examples.Story.money;

/**
 * Pending transfers: a card payment held, captured in part and the rest released, then a hold that expires
 * ({@link CardHoldExample}), with posted, pending and available balances after each step. (After
 * {@link AccountsSample}: the issuer exists.)
 */
final class CardPaymentSample {
    private CardPaymentSample() {}

    static void run(Story story) {
        story.section(
                "Card payment  (a two-phase transfer: hold, capture part, release the rest; a hold that expires)");
        story.out().printf("  %-26s  %9s  %9s  %9s%n", "card-4242 after", "posted", "pending", "available");
        CardHoldExample.run(story.ledger(), story.clock(), BANK).forEach((step, b) -> story.out()
                .printf(
                        "  %-26s  %9s  %9s  %9s%n",
                        step, money(b.posted()), money(b.pendingDebits()), money(b.available())));
    }
}
