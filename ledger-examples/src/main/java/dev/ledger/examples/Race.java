package dev.ledger.examples;

import static dev.ledger.examples.Story.CURRENCY;
import static dev.ledger.examples.Story.SHOP;

import dev.ledger.core.AccountId;
import dev.ledger.core.LedgerException;
import dev.ledger.core.LedgerListener;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.Transfer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The harness of {@link RacesSample}: what one race left (the transfers recorded, the count of each refusal, an example
 * message of each, and how many attempts lost their slot and were retried), and how a race is run.
 */
record Race(List<Transfer> recorded, Map<String, Integer> refused, Map<String, String> examples, long retried) {
    /** Counts the attempts that lost their index slot to a concurrent debit (then retried). Thread-safe. */
    static final class Conflicts implements LedgerListener {
        private final AtomicLong count = new AtomicLong();

        @Override
        public void conflict(Operation operation, int attempt, String detail) {
            count.incrementAndGet();
        }
    }

    /** Starts {@code racers} threads at once, each debiting 1 from {@code source}; returns when all are done. */
    static Race run(Story story, Conflicts conflicts, AccountId source, int racers) throws InterruptedException {
        long conflictsBefore = conflicts.count.get();
        List<Transfer> recorded = Collections.synchronizedList(new ArrayList<>());
        Race race = new Race(recorded, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), 0);
        CountDownLatch ready = new CountDownLatch(racers);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            Thread thread = new Thread(() -> debitOne(story, race, source, ready, go), "racer-" + i);
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

    /** One racer: waits for the start, debits 1, and counts what it got. */
    private static void debitOne(Story story, Race race, AccountId source, CountDownLatch ready, CountDownLatch go) {
        ready.countDown();
        try {
            go.await();
            race.recorded().add(story.ledger().transfer(source, SHOP, 1, CURRENCY));
        } catch (LedgerException e) {
            String kind = e instanceof LedgerRejectedException r
                    ? r.reason().name()
                    : ((LedgerUnavailableException) e).kind().name();
            race.refused().merge(kind, 1, Integer::sum);
            race.examples().putIfAbsent(kind, String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            race.refused().merge("INTERRUPTED", 1, Integer::sum);
        }
    }
}
