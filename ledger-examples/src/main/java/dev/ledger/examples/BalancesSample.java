package dev.ledger.examples;

import static dev.ledger.examples.Story.ALICE;
import static dev.ledger.examples.Story.BANK;
import static dev.ledger.examples.Story.BOB;
import static dev.ledger.examples.Story.money;
import static dev.ledger.examples.Story.time;

import dev.ledger.core.AccountId;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Reads: balances now and as of an instant in the past, and a statement read page by page with a cursor. (After
 * {@link AccountsSample}: bank, alice and bob exist.)
 */
final class BalancesSample {
    private BalancesSample() {}

    static void run(Story story, Instant past) {
        balances(story, past);
        statement(story);
    }

    private static void balances(Story story, Instant past) {
        story.section("Balances");
        PrintStream out = story.out();
        out.printf("  %-6s  %9s  %14s%n", "", "now", "as of " + time(past));
        for (AccountId id : List.of(BANK, ALICE, BOB)) {
            out.printf(
                    "  %-6s  %9s  %14s%n",
                    id, money(story.ledger().balance(id)), money(story.ledger().balanceAsOf(id, past)));
        }
    }

    private static void statement(Story story) {
        story.section("Statement of alice  (pages of 3, oldest first)");
        StatementQuery query = StatementQuery.of(ALICE).limit(3);
        for (int page = 1; ; page++) {
            StatementPage p = story.ledger().statement(query);
            story.out().println("  page " + page + (page > 1 ? "  (after the cursor of the line above)" : ""));
            for (StatementLine line : p.lines()) {
                Transfer t = line.transfer();
                String other = line.isDebit() ? "to " + t.destination() : "from " + t.source();
                story.out()
                        .printf(
                                "    %s  %8s  %-10s  %s%n",
                                time(t.recordedAt()),
                                (line.change() > 0 ? "+" : "") + money(line.change()),
                                other,
                                Objects.toString(t.reference(), ""));
            }
            if (!p.hasNext()) {
                break;
            }
            query = query.after(p.next());
        }
    }
}
