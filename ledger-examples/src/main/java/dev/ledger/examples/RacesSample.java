package dev.ledger.examples;

import static dev.ledger.examples.Story.BANK;
import static dev.ledger.examples.Story.CURRENCY;
import static dev.ledger.examples.Story.SHOP;
import static dev.ledger.examples.Story.money;

import dev.ledger.core.AccountId;
import dev.ledger.core.LedgerException;
import dev.ledger.core.LedgerListener;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Races: 20 threads at once each debit 1 cent from one account. From an account holding 3 cents, 3 succeed and 17
 * are refused; from one holding 100, all 20 succeed. Either way the debits take indices 0, 1, 2, ... without gaps,
 * and the attempts that lost their slot to a concurrent debit were retried by the ledger, never surfaced. (After
 * {@link AccountsSample}: the issuer exists; the ledger reports to the {@link Conflicts} given.)
 */
final class RacesSample {
  static final int RACERS = 20;

  /** Counts the attempts that lost their index slot to a concurrent debit (then retried). Thread-safe. */
  static final class Conflicts implements LedgerListener {
    private final AtomicLong count = new AtomicLong();

    @Override
    public void conflict(Operation operation, int attempt, String detail) {
      count.incrementAndGet();
    }
  }

  /** What one race left: the transfers recorded, the count of each refusal and an example message of each. */
  private record Race(List<Transfer> recorded, Map<String, Integer> refused, Map<String, String> examples,
      long retried) {}

  static void run(Story story, Conflicts conflicts) throws InterruptedException {
    AccountId three = AccountId.of("race-3");
    AccountId hundred = AccountId.of("race-100");
    story.ledger().open(NewAccount.of(SHOP, CURRENCY));
    story.ledger().open(NewAccount.of(three, CURRENCY).withOpeningBalance(3, BANK));
    story.ledger().open(NewAccount.of(hundred, CURRENCY).withOpeningBalance(100, BANK));

    story.section("Race 1: " + RACERS + " threads at once each debit " + money(1) + " from race-3, which holds "
        + money(3));
    Race first = race(story, conflicts, three);
    int funds = first.refused().getOrDefault("INSUFFICIENT_FUNDS", 0);
    story.out().printf("  %d succeeded, %d refused with INSUFFICIENT_FUNDS, %d other%n", first.recorded().size(),
        funds, RACERS - first.recorded().size() - funds);
    details(story, three, first);

    story.section("Race 2: the same from race-100, which holds " + money(100));
    Race second = race(story, conflicts, hundred);
    int surfaced = second.refused().getOrDefault("RETRIES_EXHAUSTED", 0);
    int other = RACERS - second.recorded().size() - surfaced;
    story.out().printf("  %d succeeded, %d conflicts surfaced%s%n", second.recorded().size(), surfaced, other > 0 ? ", "
        + other + " other" : "");
    details(story, hundred, second);
  }

  private static Race race(Story story, Conflicts conflicts, AccountId source) throws InterruptedException {
    long conflictsBefore = conflicts.count.get();
    Race race = new Race(Collections.synchronizedList(new ArrayList<>()), new ConcurrentHashMap<>(),
        new ConcurrentHashMap<>(), 0);
    CountDownLatch ready = new CountDownLatch(RACERS);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) {
      Thread thread = new Thread(() -> {
        ready.countDown();
        try {
          go.await();
          race.recorded().add(story.ledger().transfer(source, SHOP, 1, CURRENCY));
        } catch (LedgerException e) {
          String kind = e instanceof LedgerRejectedException r ? r.reason().name()
              : ((LedgerUnavailableException) e).kind().name();
          race.refused().merge(kind, 1, Integer::sum);
          race.examples().putIfAbsent(kind, String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          race.refused().merge("INTERRUPTED", 1, Integer::sum);
        }
      }, "racer-" + i);
      threads.add(thread);
      thread.start();
    }
    ready.await();
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    return new Race(race.recorded(), race.refused(), race.examples(), conflicts.count.get() - conflictsBefore);
  }

  private RacesSample() {}

  private static void details(Story story, AccountId source, Race race) {
    List<Long> indices = race.recorded().stream().map(Transfer::sourceIndex).sorted().toList();
    boolean contiguous = IntStream.range(0, indices.size()).allMatch(i -> indices.get(i) == i);
    String taken = indices.isEmpty() ? "none" : indices.size() <= 4 ? indices.toString().replaceAll("[\\[\\]]", "")
        : indices.get(0) + " to " + indices.get(indices.size() - 1);
    story.out().printf("  %s balance now %s; its debits hold indices %s%s%n", source,
        money(story.ledger().balance(source)), taken, contiguous ? ", without gaps" : " (GAPS?!)");
    story.out().printf("  %d time%s an attempt lost its index slot to a concurrent debit; the ledger re-read and"
        + " retried%n", race.retried(), race.retried() == 1 ? "" : "s");
    race.examples().entrySet().stream().filter(e -> !e.getKey().equals("INSUFFICIENT_FUNDS"))
        .forEach(e -> story.out().println("  e.g. " + e.getValue()));
  }
}
