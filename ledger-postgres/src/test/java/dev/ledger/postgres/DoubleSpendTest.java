package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The double-spend attack: 1000 accounts funded with 10, then 16 concurrent withdrawals of 9 from each. Exactly one
 * withdrawal per account may succeed. Reading the next index and the balance in two statements under READ COMMITTED
 * would let several succeed; this test catches that regression.
 */
class DoubleSpendTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(24);

    private static final int ACCOUNTS = 1000;
    private static final int THREADS = 16;
    private static final AccountId BANK = AccountId.of("bank");
    private static final AccountId SINK = AccountId.of("sink");

    @Test
    void withdrawals_16concurrentPerAccount_exactlyOneSucceedsEach() throws Exception {
        attack(DB.newStore(), ACCOUNTS);
    }

    /**
     * The attack on {@code store}, over {@code accounts} accounts; also run on Citus by {@link CitusDoubleSpendTest}.
     */
    static void attack(PostgresLedgerStore store, int accounts) throws Exception {
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(SINK, "USD"));
        List<AccountId> victims = new ArrayList<>();
        for (int i = 0; i < accounts; i++) {
            AccountId id = AccountId.of("acct-" + i);
            ledger.open(NewAccount.of(id, "USD").withOpeningBalance(10, BANK));
            victims.add(id);
        }
        AtomicIntegerArray successes = new AtomicIntegerArray(accounts);
        AtomicIntegerArray refusals = new AtomicIntegerArray(accounts);
        AtomicLong other = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < accounts; i++) {
                    try {
                        ledger.transfer(victims.get(i), SINK, 9, "USD");
                        successes.incrementAndGet(i);
                    } catch (LedgerRejectedException e) {
                        if (e.reason() == RejectionReason.INSUFFICIENT_FUNDS) {
                            refusals.incrementAndGet(i);
                        } else {
                            other.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        other.incrementAndGet();
                        e.printStackTrace();
                    }
                }
                return null;
            }));
        }
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(5, TimeUnit.MINUTES), "the attack did not finish in 5 minutes");
        for (Future<?> f : futures) {
            f.get();
        }
        assertEquals(0, other.get(), "outcomes other than success or INSUFFICIENT_FUNDS");
        for (int i = 0; i < accounts; i++) {
            assertEquals(1, successes.get(i), "successful withdrawals from " + victims.get(i));
            assertEquals(THREADS - 1, refusals.get(i), "refused withdrawals from " + victims.get(i));
            assertEquals(1, ledger.balance(victims.get(i)), "final balance of " + victims.get(i));
        }
        assertEquals(9L * accounts, ledger.balance(SINK));
        assertEquals(-10L * accounts, ledger.balance(BANK));
    }
}
