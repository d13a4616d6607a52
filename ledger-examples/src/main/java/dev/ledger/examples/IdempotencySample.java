package dev.ledger.examples;

import static dev.ledger.examples.Story.ALICE;
import static dev.ledger.examples.Story.BOB;
import static dev.ledger.examples.Story.CURRENCY;
import static dev.ledger.examples.Story.money;
import static dev.ledger.examples.Story.time;

import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Exactly once: a transfer id chosen by the caller is an idempotency key. Sent twice, the transfer is recorded once and
 * the second call returns the original; the same id with other content is refused. (After {@link AccountsSample}: alice
 * and bob exist.)
 */
final class IdempotencySample {
    private IdempotencySample() {}

    static void run(Story story) {
        UUID id = UUID.nameUUIDFromBytes("order-1042".getBytes(StandardCharsets.UTF_8));
        story.section("Idempotent replay  (transfer id " + id + ", chosen by the caller)");
        PrintStream out = story.out();
        TransferRequest coffee =
                TransferRequest.of(ALICE, BOB, 2_50, CURRENCY).withId(id).withReference("coffee");
        Transfer first = story.ledger().transfer(coffee);
        Transfer second = story.ledger().transfer(coffee);
        out.printf("  1st call  alice index %d at %s  recorded%n", first.sourceIndex(), time(first.recordedAt()));
        out.printf(
                "  2nd call  alice index %d at %s  %s%n",
                second.sourceIndex(),
                time(second.recordedAt()),
                second.equals(first) ? "the same transfer, returned again" : "A DIFFERENT TRANSFER?!");
        long lines = story.allLines(ALICE).stream()
                .filter(l -> l.transfer().id().equals(id))
                .count();
        out.println("  recorded " + (lines == 1 ? "once" : lines + " times") + ": alice's statement has " + lines
                + " line with this id");
        try {
            story.ledger()
                    .transfer(TransferRequest.of(ALICE, BOB, 3_00, CURRENCY)
                            .withId(id)
                            .withReference("coffee"));
            out.println("  same id, amount 3.00: recorded?! (this should not happen)");
        } catch (LedgerRejectedException e) {
            out.println("  same id, amount " + money(3_00) + ": refused with " + e.reason());
        }
    }
}
