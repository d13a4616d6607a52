package dev.ledger.examples;

import static dev.ledger.examples.Story.ALICE;
import static dev.ledger.examples.Story.BANK;
import static dev.ledger.examples.Story.BOB;
import static dev.ledger.examples.Story.CURRENCY;
import static dev.ledger.examples.Story.money;
import static dev.ledger.examples.Story.time;

import dev.ledger.core.Account;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Objects;

/**
 * The basics: an issuer and two accounts (one funded at opening), three transfers with the index each takes among its
 * source's debits, and an overdraft refused with nothing recorded.
 */
final class AccountsSample {
    private AccountsSample() {}

    /** Prints the sections; returns the time of the second transfer, for a balance in the past. */
    static Instant run(Story story) {
        openAccounts(story);
        Instant checkpoint = transfers(story);
        overdraft(story);
        return checkpoint;
    }

    private static void openAccounts(Story story) {
        story.section("Accounts");
        Account bank = story.ledger().open(NewAccount.issuer(BANK, CURRENCY));
        Account alice = story.ledger().open(NewAccount.of(ALICE, CURRENCY).withOpeningBalance(100_00, BANK));
        Account bob = story.ledger().open(NewAccount.of(BOB, CURRENCY));
        PrintStream out = story.out();
        out.printf(
                "  %-6s %-8s  %-3s  opened %s  (money enters the ledger through issuers)%n",
                bank.id(), "issuer", bank.currency(), time(bank.openedAt()));
        out.printf(
                "  %-6s %-8s  %-3s  opened %s  with %s funded by %s%n",
                alice.id(), "ordinary", alice.currency(), time(alice.openedAt()), money(100_00), BANK);
        out.printf("  %-6s %-8s  %-3s  opened %s%n", bob.id(), "ordinary", bob.currency(), time(bob.openedAt()));
    }

    private static Instant transfers(Story story) {
        story.section("Transfers  (index: the transfer's position among its source's debits, 0, 1, 2, ...)");
        story.out()
                .printf(
                        "  %-8s  %-6s  %5s  %-11s  %8s  %s%n",
                        "time", "source", "index", "destination", "amount", "reference");
        line(
                story,
                story.ledger()
                        .transfer(
                                TransferRequest.of(ALICE, BOB, 25_00, CURRENCY).withReference("lunch")));
        Transfer change = story.ledger()
                .transfer(TransferRequest.of(BOB, ALICE, 5_00, CURRENCY).withReference("change"));
        line(story, change);
        line(
                story,
                story.ledger()
                        .transfer(
                                TransferRequest.of(ALICE, BOB, 30_00, CURRENCY).withReference("rent share")));
        return change.recordedAt();
    }

    private static void line(Story story, Transfer t) {
        story.out()
                .printf(
                        "  %-8s  %-6s  %5d  %-11s  %8s  %s%n",
                        time(t.recordedAt()),
                        t.source(),
                        t.sourceIndex(),
                        t.destination(),
                        money(t.amount()),
                        Objects.toString(t.reference(), ""));
    }

    private static void overdraft(Story story) {
        story.section("Overdraft  (the message gives amounts in minor units, i.e. cents)");
        try {
            story.ledger().transfer(TransferRequest.of(BOB, ALICE, 500_00, CURRENCY));
            story.out().println("  bob -> alice " + money(500_00) + "  recorded?! (this should not happen)");
        } catch (LedgerRejectedException e) {
            story.out()
                    .println("  bob -> alice " + money(500_00) + ": refused with " + e.reason() + "; nothing recorded");
            story.out().println("  message: " + e.getMessage());
        }
    }
}
