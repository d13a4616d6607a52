package dev.ledger.examples;

import static dev.ledger.examples.Story.BANK;
import static dev.ledger.examples.Story.CURRENCY;
import static dev.ledger.examples.Story.SHOP;
import static dev.ledger.examples.Story.money;

import dev.ledger.core.AccountId;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import java.io.PrintStream;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Races: 20 threads at once each debit 1 cent from one account. From an account holding 3 cents, 3 succeed and 17 are
 * refused; from one holding 100, all 20 succeed. Either way the debits take indices 0, 1, 2, ... without gaps, and the
 * attempts that lost their slot to a concurrent debit were retried by the ledger, never surfaced. (After
 * {@link AccountsSample}: the issuer exists; the ledger reports to the {@link Race.Conflicts} given.)
 */
final class RacesSample {
    static final int RACERS = 20;

    static void run(Story story, Race.Conflicts conflicts) throws InterruptedException {
        AccountId three = AccountId.of("race-3");
        AccountId hundred = AccountId.of("race-100");
        story.ledger().open(NewAccount.of(SHOP, CURRENCY));
        story.ledger().open(NewAccount.of(three, CURRENCY).withOpeningBalance(3, BANK));
        story.ledger().open(NewAccount.of(hundred, CURRENCY).withOpeningBalance(100, BANK));

        story.section("Race 1: " + RACERS + " threads at once each debit " + money(1) + " from race-3, which holds "
                + money(3));
        Race first = Race.run(story, conflicts, three, RACERS);
        int funds = first.refused().getOrDefault("INSUFFICIENT_FUNDS", 0);
        int other = RACERS - first.recorded().size() - funds;
        PrintStream out = story.out();
        out.printf(
                "  %d succeeded, %d refused with INSUFFICIENT_FUNDS, %d other%n",
                first.recorded().size(), funds, other);
        details(story, three, first);

        story.section("Race 2: the same from race-100, which holds " + money(100));
        Race second = Race.run(story, conflicts, hundred, RACERS);
        int surfaced = second.refused().getOrDefault("RETRIES_EXHAUSTED", 0);
        other = RACERS - second.recorded().size() - surfaced;
        String others = other > 0 ? ", " + other + " other" : "";
        out.printf(
                "  %d succeeded, %d conflicts surfaced%s%n", second.recorded().size(), surfaced, others);
        details(story, hundred, second);
    }

    private RacesSample() {}

    private static void details(Story story, AccountId source, Race race) {
        List<Long> indices =
                race.recorded().stream().map(Transfer::sourceIndex).sorted().toList();
        boolean contiguous = IntStream.range(0, indices.size()).allMatch(i -> indices.get(i) == i);
        String taken = indices.isEmpty()
                ? "none"
                : indices.size() <= 4
                        ? indices.toString().replaceAll("[\\[\\]]", "")
                        : indices.get(0) + " to " + indices.get(indices.size() - 1);
        String balance = money(story.ledger().balance(source));
        String gaps = contiguous ? ", without gaps" : " (GAPS?!)";
        PrintStream out = story.out();
        out.printf("  %s balance now %s; its debits hold indices %s%s%n", source, balance, taken, gaps);
        String times = race.retried() == 1 ? "time" : "times";
        out.printf("  %d %s an attempt lost its index slot to a concurrent debit;", race.retried(), times);
        out.println(" the ledger re-read and retried");
        race.examples().forEach((kind, example) -> {
            if (!kind.equals("INSUFFICIENT_FUNDS")) {
                out.println("  e.g. " + example);
            }
        });
    }
}
