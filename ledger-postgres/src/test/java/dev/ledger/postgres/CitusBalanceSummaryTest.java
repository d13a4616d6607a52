package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Balances;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The balance summariser on a real Citus cluster: its checkpoints never miss a transfer that is still committing on a
 * worker (paused there at the worst moments), and balances from checkpoints equal a recomputation from the rows under a
 * concurrent workload with the background summariser killed now and then. Seeded: {@code -Dledger.test.seed=N} replays
 * the random choices.
 */
class CitusBalanceSummaryTest {
    @RegisterExtension
    static final CitusCluster CLUSTER = new CitusCluster();

    private static final AccountId BANK = AccountId.of("bank");

    /**
     * A distributed store, summariser off, a short seal lag and wait limit, and every account credited since the
     * previous seal checkpointed at the next (these tests follow one or two transfers into the checkpoints).
     */
    private static PostgresLedgerStore store() {
        return CLUSTER.newStore(b -> b.sealLag(Duration.ofMillis(1))
                .summaryWaitLimit(Duration.ofMillis(500))
                .summaryCheckpointAfter(1));
    }

    /** Two accounts, funded by the bank, whose shards are on different workers; the destination's worker third. */
    private record Pair(
            Ledger ledger, PostgresLedgerStore store, AccountId source, AccountId destination, int destinationWorker) {}

    private static Pair pair() throws SQLException {
        PostgresLedgerStore store = store();
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        String s = store.schema();
        String source = "src";
        String destination = null;
        for (int i = 0; destination == null; i++) {
            if (CLUSTER.workerOf(s, "dst" + i) != CLUSTER.workerOf(s, source)) {
                destination = "dst" + i;
            }
        }
        ledger.open(NewAccount.of(AccountId.of(source), "USD").withOpeningBalance(1_000, BANK));
        ledger.open(NewAccount.of(AccountId.of(destination), "USD").withOpeningBalance(50, BANK));
        return new Pair(
                ledger, store, AccountId.of(source), AccountId.of(destination), CLUSTER.workerOf(s, destination));
    }

    /**
     * The window Citus leaves between the two commits of a transfer across workers: the coordinator has committed (the
     * transfer left its snapshot) and the destination's worker has not yet applied COMMIT PREPARED. The summariser
     * takes its horizon while the transfer runs; before the fix it then found no older transaction in the snapshot and
     * wrote the destination's checkpoint without the credit, for good.
     */
    @Test
    void summarize_transferStillCommittingOnAWorker_waitsAndCountsIt() throws Exception {
        Pair p = pair();
        String s = p.store().schema();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (CommitPause pause = new CommitPause(p.destinationWorker())) {
            Future<Transfer> transfer = pool.submit(() -> p.ledger().transfer(p.source(), p.destination(), 100, "USD"));
            int backend = pause.hold("PREPARE TRANSACTION%"); // prepared on the source's worker, preparing here
            Thread.sleep(5);
            assertEquals(0, p.store().summarize(), "sealed, horizon taken, the transfer still runs on the coordinator");
            assertEquals(1, CLUSTER.query("SELECT count(*) FROM " + s + ".seal_horizon"));
            pause.releaseOnce(backend);
            pause.awaitWaiting(backend, "COMMIT PREPARED%");
            // The window: committed on the coordinator (its snapshot is past the horizon), the source debited, the
            // destination's credit not visible yet.
            assertEquals(
                    1,
                    CLUSTER.query("SELECT (pg_snapshot_xmin(pg_current_snapshot()) >= h.horizon)::int FROM " + s
                            + ".seal_horizon h"),
                    "the coordinator no longer sees the transfer running");
            assertEquals(1, CLUSTER.query("SELECT count(*) FROM " + s + ".transfer WHERE source = 'src'"));
            assertEquals(
                    0,
                    CLUSTER.query("SELECT count(*) FROM " + s + ".credit WHERE account = '"
                            + p.destination().value() + "' AND amount = 100"),
                    "the credit is not visible yet");
            assertEquals(0, p.store().summarize(), "the summariser must wait for the commit on the worker");
            assertTrue(p.store().summarizedThrough().isEmpty());
            pause.releaseAll();
            assertEquals(100, transfer.get(30, TimeUnit.SECONDS).amount());
        } finally {
            pool.shutdownNow();
        }
        assertBalancesSummarisedAndExact(p, 150, 900);
    }

    /**
     * A transfer whose COMMIT PREPARED never reached the destination's worker (the connection was lost after the
     * coordinator committed): acknowledged, its credit prepared on the worker until Citus's recovery commits it. The
     * summariser waits until then.
     */
    @Test
    void summarize_transferLeftPreparedOnAWorker_waitsForRecoveryAndCountsIt() throws Exception {
        Pair accounts = withRecoveryOff((coordinator, pool, p) -> {
            String s = p.store().schema();
            try (CommitPause pause = new CommitPause(coordinator)) {
                Future<Transfer> transfer =
                        pool.submit(() -> p.ledger().transfer(p.source(), p.destination(), 100, "USD"));
                // prepared on both workers, committing on the coordinator
                int backend = pause.hold("%append_transfers%");
                Thread.sleep(5);
                assertEquals(
                        0, p.store().summarize(), "sealed, horizon taken, the transfer still runs on the coordinator");
                loseCommitPrepared(pause, backend, p.destinationWorker());
                assertEquals(100, transfer.get(30, TimeUnit.SECONDS).amount(), "acknowledged");
            }
            assertEquals(1, CLUSTER.onNode(p.destinationWorker(), "SELECT count(*) FROM pg_prepared_xacts"));
            assertEquals(
                    0,
                    CLUSTER.query(
                            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'" + " AND classid = 1279607896"),
                    "the transfer has ended on the coordinator");
            assertEquals(
                    0,
                    CLUSTER.query("SELECT count(*) FROM " + s + ".credit WHERE account = '"
                            + p.destination().value() + "' AND amount = 100"),
                    "the credit is not visible yet");
            assertEquals(0, p.store().summarize(), "the summariser must wait for the prepared credit");
            assertEquals(0, p.store().summarize());
            assertTrue(CLUSTER.query("SELECT recover_prepared_transactions()") >= 1);
        });
        assertBalancesSummarisedAndExact(accounts, 150, 900);
    }

    /**
     * The summariser's own seal left prepared on a worker (its COMMIT PREPARED lost): a writer reading that worker's
     * copy of the seals would not see it, so the summariser takes no horizon until recovery committed it there.
     */
    @Test
    void summarize_sealLeftPreparedOnAWorker_noHorizonUntilRecovered() throws Exception {
        Pair accounts = withRecoveryOff((coordinator, pool, p) -> {
            String s = p.store().schema();
            try (CommitPause pause = new CommitPause(coordinator)) {
                Thread.sleep(5);
                Future<Integer> round = pool.submit(() -> p.store().summarize());
                // the seal prepared on every worker, committing here (the summariser commits each step by COMMIT)
                int backend = pause.hold("COMMIT");
                loseCommitPrepared(pause, backend, p.destinationWorker());
                assertEquals(0, round.get(30, TimeUnit.SECONDS), "sealed, then waiting for the seal on every worker");
            }
            assertEquals(
                    1, CLUSTER.query("SELECT count(*) FROM " + s + ".seal"), "the seal committed on the coordinator");
            assertEquals(0, CLUSTER.query("SELECT count(*) FROM " + s + ".seal_horizon"), "no horizon taken");
            assertEquals(0, p.store().summarize());
            assertEquals(0, CLUSTER.query("SELECT count(*) FROM " + s + ".seal_horizon"), "still none");
            assertTrue(CLUSTER.query("SELECT recover_prepared_transactions()") >= 1);
        });
        assertBalancesSummarisedAndExact(accounts, 50, 1_000);
    }

    /** A test body given the coordinator's port, a thread of its own and the accounts. */
    private interface RecoveryOffTest {
        void run(int coordinator, ExecutorService pool, Pair p) throws Exception;
    }

    /**
     * Runs {@code test} on new accounts with Citus's automatic recovery of two-phase commits off (the test recovers
     * when it means to), restored afterwards whatever happens; returns the accounts.
     */
    private static Pair withRecoveryOff(RecoveryOffTest test) throws Exception {
        Pair p = pair();
        int coordinator = CLUSTER.nodePorts().get(0);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        setOnNode(coordinator, "citus.recover_2pc_interval", "-1");
        try {
            test.run(coordinator, pool, p);
        } finally {
            pool.shutdownNow();
            setOnNode(coordinator, "citus.recover_2pc_interval", null);
        }
        return p;
    }

    /**
     * With the coordinator's commit of {@code backend} held: kills the coordinator's connection to {@code worker} that
     * prepared the one transaction prepared there, then lets the commit go on. Its COMMIT PREPARED to that worker
     * cannot arrive: the transaction is committed on the coordinator and stays prepared on the worker.
     */
    private static void loseCommitPrepared(CommitPause pause, int backend, int worker) throws SQLException {
        String gid = CLUSTER.textOnNode(worker, "SELECT gid FROM pg_prepared_xacts");
        assertEquals(
                1,
                CLUSTER.onNode(
                        worker,
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                + " WHERE query LIKE 'PREPARE TRANSACTION%" + gid + "%'"));
        pause.releaseOnce(backend);
    }

    private static void assertBalancesSummarisedAndExact(Pair p, long destination, long source) throws Exception {
        assertTrue(p.store().summarize() > 0, "summarised once the transfer committed everywhere");
        Instant through = p.store().summarizedThrough().orElseThrow();
        assertEquals(destination, p.ledger().balance(p.destination()));
        assertEquals(destination, p.ledger().balanceAsOf(p.destination(), through));
        assertEquals(
                destination,
                CLUSTER.query("SELECT credits FROM " + p.store().schema() + ".credit_checkpoint" + " WHERE account = '"
                        + p.destination().value() + "' ORDER BY through DESC LIMIT 1"));
        assertEquals(source, p.ledger().balance(p.source()));
        assertTrue(p.ledger().verify().ok(), p.ledger().verify().describe());
        CLUSTER.assertNothingPreparedAndNoNewDeadlocks(CLUSTER.deadlocks());
    }

    @Test
    void summarizerStep_calledOnAWorker_refusedNamingTheCoordinator() throws Exception {
        Pair p = pair();
        try (Connection c = DriverManager.getConnection(CitusCluster.nodeUrl(p.destinationWorker()));
                Statement st = c.createStatement()) {
            SQLException e = assertThrows(
                    SQLException.class,
                    () -> st.execute("SELECT * FROM " + p.store().schema() + ".summarizer_step(interval '1 ms')"));
            assertEquals("55000", e.getSQLState());
            assertTrue(e.getMessage().contains("coordinator"), e.getMessage());
        }
    }

    /**
     * Transfers, pending transfers posted or voided, from 5 threads, while the background summariser runs every 20 ms
     * and a killer terminates its backend every 300 to 1,000 ms: afterwards every account's balances now, as of random
     * instants and as of the summaries equal those recomputed from the rows, and verify() passes.
     */
    @Test
    void backgroundSummariser_concurrentWorkloadAndKills_balancesEqualRecomputation() throws Exception {
        long seed = Long.getLong("ledger.test.seed", System.nanoTime());
        System.out.println("CitusBalanceSummaryTest seed=" + seed + " (replay with -Dledger.test.seed=" + seed + ")");
        PostgresLedgerStore store = CLUSTER.newStore(b -> b.summarizeEvery(Duration.ofMillis(20))
                .sealLag(Duration.ofMillis(20))
                .summaryWaitLimit(Duration.ofSeconds(2)));
        String s = store.schema();
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        List<AccountId> accounts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            AccountId id = AccountId.of("c" + i);
            ledger.open(NewAccount.of(id, "USD").withOpeningBalance(5_000, BANK));
            accounts.add(id);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong transfers = new AtomicLong();
        AtomicLong kills = new AtomicLong();
        AtomicBoolean killed = new AtomicBoolean(); // the kills are over
        ConcurrentLinkedQueue<Instant> summarised = new ConcurrentLinkedQueue<>();
        int coordinator = CLUSTER.nodePorts().get(0);
        // A summariser killed during its two-phase commit leaves it prepared on a worker, and the rounds after it wait
        // until Citus recovers it: as scaling.md advises, recovery more often than every minute.
        setOnNode(coordinator, "citus.recover_2pc_interval", "200ms");
        ExecutorService pool = Executors.newFixedThreadPool(7);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < 5; w++) {
            SplittableRandom random = new SplittableRandom(seed + w);
            futures.add(pool.submit(() -> {
                while (!stop.get()) {
                    AccountId from = random.nextInt(10) == 0 ? BANK : accounts.get(random.nextInt(accounts.size()));
                    AccountId to = accounts.get(random.nextInt(accounts.size()));
                    if (from.equals(to)) {
                        continue;
                    }
                    long amount = 1 + random.nextInt(400);
                    try {
                        if (random.nextInt(5) == 0) {
                            Transfer hold = ledger.transfer(TransferRequest.pending(from, to, amount, "USD"));
                            int choice = random.nextInt(3);
                            if (choice == 0) {
                                ledger.transfer(TransferRequest.post(hold, 1 + random.nextLong(amount)));
                            } else if (choice == 1) {
                                ledger.transfer(TransferRequest.voidPending(hold));
                            } // else left pending
                        } else {
                            ledger.transfer(from, to, amount, "USD");
                        }
                        transfers.incrementAndGet();
                    } catch (LedgerRejectedException e) {
                        // insufficient funds: part of the workload
                    }
                }
                return null;
            }));
        }
        futures.add(pool.submit(() -> {
            SplittableRandom random = new SplittableRandom(seed ^ 0x5eed);
            while (!stop.get() && !killed.get()) {
                Thread.sleep(300 + random.nextInt(700));
                kills.addAndGet(SummarizerKills.terminateStepInProgress(
                        CLUSTER::query, s, () -> stop.get() || killed.get(), 2));
            }
            return null;
        }));
        futures.add(pool.submit(() -> {
            while (!stop.get()) {
                store.summarizedThrough().ifPresent(summarised::add);
                Thread.sleep(200);
            }
            return null;
        }));
        try {
            Thread.sleep(Long.getLong("ledger.test.summarySeconds", 10) * 1000);
            // On a slow machine a round can take longer than the kills leave it (seen: one summary in 70 s with 101
            // kills): the kills stop, the workload goes on (at most a minute more) until three distinct summaries were
            // seen, so that the checks below always follow several rounds, the first of them after kills.
            killed.set(true);
            long extended = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (summarised.stream().distinct().count() < 3 && System.nanoTime() < extended) {
                Thread.sleep(100);
            }
            stop.set(true);
            pool.shutdown();
            assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            stop.set(true);
            setOnNode(coordinator, "citus.recover_2pc_interval", null);
        }
        CLUSTER.query("SELECT recover_prepared_transactions()");
        long rounds = summarised.stream().distinct().count();
        System.out.println("CitusBalanceSummaryTest: " + transfers + " transfers, " + kills + " summariser backends"
                + " killed, " + rounds + " distinct summaries seen, "
                + CLUSTER.query("SELECT count(*) FROM " + s + ".credit_checkpoint") + " checkpoints");
        assertTrue(transfers.get() > 0 && kills.get() > 0 && rounds >= 3, "every part of the workload ran");

        Thread.sleep(30);
        for (int i = 0; i < 20 && store.summarize() == 0; i++) {
            Thread.sleep(50);
        }
        Instant through = store.summarizedThrough().orElseThrow();
        Rows rows = Rows.of(s);
        SplittableRandom random = new SplittableRandom(seed);
        Instant first = rows.first();
        List<Instant> instants = new ArrayList<>(summarised);
        instants.add(through);
        for (int i = 0; i < 10; i++) {
            instants.add(first.plusNanos(random.nextLong(
                            Math.max(1, Duration.between(first, through).toNanos())))
                    .truncatedTo(ChronoUnit.MICROS));
        }
        for (AccountId a : accounts) {
            assertEquals(rows.balancesAsOf(a.value(), null), ledger.balances(a), "balances now of " + a);
            for (Instant t : instants) {
                assertEquals(
                        rows.balancesAsOf(a.value(), t), ledger.balancesAsOf(a, t), "balances of " + a + " as of " + t);
            }
            BalanceSummaryTest.assertStatementBalances(ledger, a);
        }
        // (the store checkpoints an account at a seal only once BalanceSummarizer.CHECKPOINT_AFTER credit rows follow
        // its newest checkpoint, so the reads above summed credits after checkpoints of earlier rounds as well)
        assertNotEquals(
                0,
                CLUSTER.query("SELECT count(*) FROM " + s + ".credit_checkpoint WHERE through <= '"
                        + OffsetDateTime.ofInstant(through, java.time.ZoneOffset.UTC) + "'"),
                "checkpoints through the last seal");
        assertTrue(ledger.verify().ok(), ledger.verify().describe());
    }

    /** Every transfer row of a schema, read once; balances recomputed from them. */
    private record Rows(List<Row> rows) {
        record Row(UUID id, String source, String destination, long amount, int kind, UUID pendingId, Instant at) {}

        static Rows of(String schema) throws SQLException {
            List<Row> rows = new ArrayList<>();
            try (Connection c = CLUSTER.pool().getConnection();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(
                            "SELECT id, source, destination, amount, kind, pending_id, recorded_at FROM " + schema
                                    + ".transfer")) {
                while (rs.next()) {
                    rows.add(new Row(
                            rs.getObject(1, UUID.class),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getLong(4),
                            rs.getInt(5),
                            rs.getObject(6, UUID.class),
                            rs.getObject(7, OffsetDateTime.class).toInstant()));
                }
            }
            return new Rows(rows);
        }

        Instant first() {
            return rows.stream().map(Row::at).min(Instant::compareTo).orElseThrow();
        }

        /** Posted, pending debits and pending credits over the rows recorded at or before {@code t} (all when null). */
        Balances balancesAsOf(String account, Instant t) {
            Set<UUID> resolved = new HashSet<>();
            for (Row r : rows) {
                if (r.pendingId() != null && (t == null || !r.at().isAfter(t))) {
                    resolved.add(r.pendingId());
                }
            }
            long posted = 0;
            long pendingDebits = 0;
            long pendingCredits = 0;
            for (Row r : rows) {
                if (t != null && r.at().isAfter(t)) {
                    continue;
                }
                long sign = r.destination().equals(account) ? 1 : r.source().equals(account) ? -1 : 0;
                if (r.kind() == 0 || r.kind() == 2) {
                    posted += sign * r.amount();
                } else if (r.kind() == 1 && !resolved.contains(r.id())) {
                    if (sign > 0) {
                        pendingCredits += r.amount();
                    } else if (sign < 0) {
                        pendingDebits += r.amount();
                    }
                }
            }
            return new Balances(posted, pendingDebits, pendingCredits);
        }
    }

    /** Sets (or with null, resets) a setting of a node by ALTER SYSTEM, and reloads its configuration. */
    private static void setOnNode(int port, String name, String value) throws SQLException {
        try (Connection c = DriverManager.getConnection(CitusCluster.nodeUrl(port));
                Statement st = c.createStatement()) {
            st.execute(
                    value == null ? "ALTER SYSTEM RESET " + name : "ALTER SYSTEM SET " + name + " = '" + value + "'");
            st.execute("SELECT pg_reload_conf()");
        }
    }

    /**
     * Every commit on one node waits for a synchronous standby that never comes (the node's commit record is written;
     * its rows stay invisible until the wait ends). Until {@link #hold} picks a backend, nothing is released; then a
     * releaser cancels every other waiting backend's wait at once (a cancelled wait keeps its commit), so the test
     * holds one transaction at a chosen step of its commit while everything else goes on.
     */
    private static final class CommitPause implements AutoCloseable {
        private final int port;
        private final Set<Integer> held = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread releaser;

        CommitPause(int port) throws SQLException {
            this.port = port;
            setOnNode(port, "synchronous_commit", "on");
            setOnNode(port, "synchronous_standby_names", "ledger_test_nobody");
            releaser = new Thread(
                    () -> {
                        while (!stop.get()) {
                            try {
                                CLUSTER.onNode(
                                        port,
                                        "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity"
                                                + " WHERE wait_event = 'SyncRep' AND NOT pid = ANY ('{"
                                                + String.join(
                                                        ",",
                                                        held.stream()
                                                                .map(String::valueOf)
                                                                .toList()) + "}'::int[])");
                                Thread.sleep(2);
                            } catch (SQLException | InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "commit-pause-releaser");
        }

        /**
         * Waits for a backend of this node waiting at commit while running {@code like}, holds it, starts releasing.
         */
        int hold(String like) throws Exception {
            int pid = waiting(like, 0);
            held.add(pid);
            if (!releaser.isAlive()) {
                releaser.start();
            }
            return pid;
        }

        /** Ends the held backend's current wait; it stays held for its next one. */
        void releaseOnce(int pid) throws SQLException {
            CLUSTER.onNode(port, "SELECT pg_cancel_backend(" + pid + ")::int");
        }

        /** Waits until the held backend waits at commit again, running {@code like}. */
        void awaitWaiting(int pid, String like) throws Exception {
            waiting(like, pid);
        }

        void releaseAll() {
            held.clear();
        }

        private int waiting(String like, int pid) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                long found = CLUSTER.onNode(
                        port,
                        "SELECT coalesce(min(pid), 0) FROM pg_stat_activity WHERE wait_event ="
                                + " 'SyncRep' AND query LIKE '" + like + "'" + (pid == 0 ? "" : " AND pid = " + pid));
                if (found != 0) {
                    return (int) found;
                }
                Thread.sleep(2);
            }
            throw new AssertionError("no backend of node " + port + " waited at commit running " + like + " in 30 s");
        }

        @Override
        public void close() throws SQLException {
            held.clear();
            setOnNode(port, "synchronous_standby_names", null);
            setOnNode(port, "synchronous_commit", null);
            stop.set(true);
            try {
                releaser.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            CLUSTER.onNode(
                    port, "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE wait_event = 'SyncRep'");
        }
    }
}
