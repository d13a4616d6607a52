package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 32 threads make random transfers over 50 accounts for {@code ledger.test.stressSeconds} (default 10) while a reader
 * checks, in single snapshots, that money is conserved and no ordinary account is negative. Then: zero drift, zero
 * negative balances, zero index gaps, every balance equal to a recomputation, and no deadlock. Seeded:
 * {@code -Dledger.test.seed=N} replays the same choices (thread timing still varies).
 */
class ConcurrencyStressTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(40);

    private static final int THREADS = 32;
    private static final int ACCOUNTS = 50;
    private static final long INITIAL = 1_000;

    @Test
    void randomTransfers_32threads_conserveMoneyWithoutDeadlocks() throws Exception {
        long deadlocksBefore = deadlocks();
        stress(DB.newStore(), DB.dataSource(), true, "ConcurrencyStressTest");
        assertEquals(deadlocksBefore, deadlocks(), "deadlocks reported by pg_stat_database");
    }

    /**
     * 32 threads of random transfers over 50 accounts for {@code -Dledger.test.stressSeconds} (10), with a reader
     * checking as it goes: with {@code snapshotTotals}, that money is conserved and no ordinary account is negative in
     * one snapshot of the whole ledger (one node); without (Citus, where a read across nodes is no single snapshot),
     * that no account's balance is ever negative. Then, quiescent: every balance against a recomputation from the rows,
     * the total, and contiguous indices. Also run on Citus by {@link CitusConcurrencyStressTest}.
     */
    static void stress(PostgresLedgerStore store, DataSource ds, boolean snapshotTotals, String label)
            throws Exception {
        long seed = Long.getLong("ledger.test.seed", System.nanoTime());
        long seconds = Long.getLong("ledger.test.stressSeconds", 10);
        System.out.println(
                label + " seed=" + seed + " seconds=" + seconds + " (replay with -Dledger.test.seed=" + seed + ")");
        String s = store.schema();
        Ledger ledger = Ledger.builder(store).build();
        AccountId bank = AccountId.of("bank");
        ledger.open(NewAccount.issuer(bank, "USD"));
        List<AccountId> accounts = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            AccountId id = AccountId.of("a" + i);
            ledger.open(NewAccount.of(id, "USD").withOpeningBalance(INITIAL, bank));
            accounts.add(id);
        }

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong recorded = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong snapshots = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            SplittableRandom random = new SplittableRandom(seed + t);
            futures.add(pool.submit(() -> {
                start.await();
                while (!stop.get()) {
                    AccountId from = accounts.get(random.nextInt(ACCOUNTS));
                    AccountId to = accounts.get(random.nextInt(ACCOUNTS));
                    if (from.equals(to)) {
                        continue;
                    }
                    try {
                        ledger.transfer(from, to, 1 + random.nextInt(300), "USD");
                        recorded.incrementAndGet();
                    } catch (LedgerRejectedException e) {
                        if (e.reason() != RejectionReason.INSUFFICIENT_FUNDS) {
                            failures.add("unexpected rejection: " + e.getMessage());
                        }
                        refused.incrementAndGet();
                    } catch (RuntimeException e) {
                        failures.add("unexpected failure: " + e);
                    }
                }
                return null;
            }));
        }
        futures.add(pool.submit(() -> {
            start.await();
            while (!stop.get()) {
                String problem = snapshotTotals ? checkSnapshot(ds, s) : checkBalances(ledger, accounts);
                if (problem != null) {
                    failures.add(problem);
                }
                snapshots.incrementAndGet();
            }
            return null;
        }));
        start.countDown();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        stop.set(true);
        pool.shutdown();
        assertTrue(pool.awaitTermination(2, TimeUnit.MINUTES), "workers did not stop");
        for (Future<?> f : futures) {
            f.get();
        }
        System.out.println(
                label + ": " + recorded + " transfers, " + refused + " refused, " + snapshots + " snapshot checks");

        assertTrue(failures.isEmpty(), failures.size() + " failures, first: " + failures.peek());
        assertTrue(recorded.get() > 0, "no transfer was recorded");
        assertTrue(snapshots.get() > 0, "the reader made no check");
        if (snapshotTotals) {
            assertEquals(null, checkSnapshot(ds, s));
        }
        long total = 0;
        for (AccountId id : accounts) {
            long balance = ledger.balance(id);
            assertTrue(balance >= 0, id + " is negative: " + balance);
            assertEquals(recomputed(ds, s, id.value()), balance, "balance of " + id + " against a recomputation");
            total += balance;
        }
        assertEquals(INITIAL * ACCOUNTS, total, "money drifted");
        assertEquals(-INITIAL * ACCOUNTS, ledger.balance(bank));
        assertEquals(
                0,
                queryLong(
                        ds,
                        "SELECT count(*) FROM (SELECT source, count(*) AS n, max(source_index) AS top" + " FROM " + s
                                + ".transfer GROUP BY source) x WHERE n <> top + 1"),
                "sources with index gaps");
    }

    /** Null when no account's balance is negative, each read on its own. */
    private static String checkBalances(Ledger ledger, List<AccountId> accounts) {
        for (AccountId id : accounts) {
            long balance = ledger.balance(id);
            if (balance < 0) {
                return id + " read negative: " + balance;
            }
        }
        return null;
    }

    private static long queryLong(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** In one statement (one snapshot): null when money is conserved and no ordinary account is negative. */
    private static String checkSnapshot(DataSource ds, String s) throws SQLException {
        String sql = "SELECT sum(balance) AS total, count(*) FILTER (WHERE balance < 0 AND NOT issuer) AS negative"
                + " FROM (SELECT a.issuer,"
                + " (SELECT coalesce(sum(amount), 0) FROM " + s + ".transfer WHERE destination = a.id)"
                + " - coalesce((SELECT source_debits FROM " + s + ".transfer WHERE source = a.id"
                + " ORDER BY source_index DESC LIMIT 1), 0) AS balance FROM " + s + ".account a) b";
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            if (rs.getLong("total") != 0) {
                return "snapshot total is " + rs.getLong("total") + ", not 0";
            }
            if (rs.getLong("negative") != 0) {
                return rs.getLong("negative") + " ordinary accounts negative in a snapshot";
            }
            return null;
        }
    }

    /** Credits minus debits summed from every row, ignoring the stored cumulative debits. */
    private static long recomputed(DataSource ds, String s, String id) throws SQLException {
        return queryLong(
                ds,
                "SELECT (SELECT coalesce(sum(amount), 0) FROM " + s + ".transfer WHERE destination = '" + id
                        + "') - (SELECT coalesce(sum(amount), 0) FROM " + s + ".transfer WHERE source = '" + id + "')");
    }

    private static long deadlocks() throws SQLException {
        return DB.queryLong("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    }
}
