package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.core.Ledger;
import dev.ledger.postgres.jepsen.BackendKiller;
import dev.ledger.postgres.jepsen.Bank;
import dev.ledger.postgres.jepsen.BankChecker;
import dev.ledger.postgres.jepsen.FaultRun;
import dev.ledger.postgres.jepsen.Restarts;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault tests on the real Citus cluster: the bank workload of the single-node fault tests (singles, batches both
 * ways and two-phase transfers, 8 clients over 8 accounts on both workers, seeded, the background summariser running
 * every 100 ms) while a worker's backends are terminated, or while a worker is stopped in immediate mode and started
 * again. Then, after Citus's recovery of two-phase commits: no acknowledged transfer lost, none recorded twice, money
 * conserved exactly (the bank checker's rules), no prepared transaction left on any node, no deadlock. Reads during the
 * run are off: a read across nodes is no single snapshot (docs/scaling.md); the final balances are read per account,
 * quiescent.
 */
class CitusFaultTest {
    @RegisterExtension
    static final CitusCluster CLUSTER = new CitusCluster();

    private static final int CLIENTS = 8;

    @Test
    void bank_workerBackendsTerminatedEvery200ms_noLostOrDuplicatedTransfers() throws Exception {
        FaultRun run = FaultRun.start("citus-worker-backend-kills", Duration.ofSeconds(15));
        List<Integer> workers = CLUSTER.nodePorts().subList(1, 3);
        Map<Integer, Long> deadlocks = CLUSTER.deadlocks();
        AtomicLong kills = new AtomicLong();
        String schema = CLUSTER.newSchema();
        try (HikariDataSource pool = pool("citus-kill");
                Ledger ledger = ledger(pool, schema)) {
            Bank bank = bank(ledger, pool, schema, run);
            AtomicBoolean stop = new AtomicBoolean();
            SplittableRandom random = new SplittableRandom(run.seed ^ 0x4B111L);
            // Each round on a worker chosen by the seed: its backends of this database, which serve the coordinator.
            Thread killer = new Thread(
                    () -> BackendKiller.run(
                            random,
                            stop,
                            kills,
                            () -> DriverManager.getConnection(
                                    CitusCluster.nodeUrl(workers.get(random.nextInt(workers.size())))),
                            "backend_type = 'client backend' AND datname = current_database()"
                                    + " AND application_name LIKE 'citus_internal%'"),
                    "killer");
            killer.start();
            try {
                bank.run(CLIENTS, run.duration, run.duration.plusMinutes(2), () -> true, Bank::mixed);
            } finally {
                stop.set(true);
                killer.join();
            }
            finish(run, bank, kills.get(), schema);
            assertTrue(kills.get() >= run.pick(20, 100), "only " + kills + " worker backends terminated");
        }
        CLUSTER.assertNothingPreparedAndNoNewDeadlocks(deadlocks);
    }

    @Test
    void bank_workerStoppedImmediatelyAndRestarted_noAcknowledgedTransferLostAndClientsRecover() throws Exception {
        FaultRun run = FaultRun.start("citus-worker-restart", Duration.ZERO);
        int restarts = (int) run.pick(3, 20);
        long loadMillis = run.longForm ? run.duration.toMillis() / restarts : 3_000;
        int port = CLUSTER.nodePorts().get(1 + new SplittableRandom(run.seed).nextInt(2));
        CitusNode worker = CitusNode.of(CLUSTER, port);
        // The test cluster runs with synchronous_commit off (../shared/citus/cluster.sh): a commit acknowledged before
        // its WAL reached the kernel dies with an immediate stop. What the test asserts needs durable commits there.
        durableCommits(worker.port, true);
        String schema = CLUSTER.newSchema();
        try (HikariDataSource pool = pool("citus-restart");
                Ledger ledger = ledger(pool, schema)) {
            Bank bank = bank(ledger, pool, schema, run);
            Restarts nemesis = Restarts.start(bank, CLIENTS, restarts, loadMillis, 120, worker::crash, worker::start);
            try {
                bank.run(CLIENTS, Duration.ZERO, run.duration.plusMinutes(2L * restarts), nemesis::done, Bank::mixed);
            } finally {
                nemesis.awaitEnd();
                ensureUp(worker);
                durableCommits(worker.port, false);
            }
            List<Double> recoveries = nemesis.recoveries("stopping or starting the worker on port " + port);
            finish(run, bank, restarts, schema);
            System.out.println("FAULT citus-worker-restart (port " + port + ") recovery: seconds until all " + CLIENTS
                    + " clients completed an operation after each restart: " + recoveries);
            assertEquals(restarts, recoveries.size());
            for (double seconds : recoveries) {
                assertTrue(
                        seconds <= 30, "clients took " + seconds + " s to work again after a restart: " + recoveries);
            }
        }
        for (int node : CLUSTER.nodePorts()) {
            assertEquals(0, CLUSTER.onNode(node, "SELECT count(*) FROM pg_prepared_xacts"), "prepared on node " + node);
        }
    }

    private static HikariDataSource pool(String name) {
        return FaultRun.pool(name, CLIENTS, Duration.ofSeconds(3), CitusCluster.url() + "&ApplicationName=" + name);
    }

    /** A distributed store on {@code schema} (migrated through the fixture's pool: 4 shards), over {@code pool}. */
    private static Ledger ledger(HikariDataSource pool, String schema) {
        PostgresLedgerStore.migrate(CLUSTER.pool(), schema, true);
        return Ledger.builder(PostgresLedgerStore.builder()
                        .dataSource(pool)
                        .schema(schema)
                        .distributed(true)
                        .summarizeEvery(Duration.ofMillis(100))
                        .sealLag(Duration.ofMillis(50))
                        .build())
                .build();
    }

    private static Bank bank(Ledger ledger, HikariDataSource pool, String schema, FaultRun run) {
        Bank bank = new Bank(ledger, pool, schema, run.seed, 8, 10_000);
        bank.readPercent(0);
        bank.readsPerAccount();
        bank.open();
        return bank;
    }

    /**
     * Lets Citus finish the two-phase commits the faults interrupted (what its maintenance daemon does every
     * {@code citus.recover_2pc_interval}), settles every unknown outcome, and checks the history against the rows (the
     * final balances read by the ledger through the checkpoints the summariser wrote during the faults: it must have
     * written some).
     */
    private static void finish(FaultRun run, Bank bank, long faults, String schema) throws Exception {
        // The fixture's sessions cache connections to the workers, which the faults broke: fresh sessions for the
        // checks.
        CLUSTER.pool().getHikariPoolMXBean().softEvictConnections();
        recoverPreparedTransactions();
        bank.resolve();
        BankChecker.Report report = BankChecker.check(
                run.fault,
                run.seed,
                run.elapsedSeconds(),
                faults,
                bank.history(),
                bank.finalState(CLUSTER.pool()),
                bank.setupIds());
        run.finish(report);
        assertTrue(report.ok() > 0, "no operation succeeded: " + report.line());
        long checkpoints = CLUSTER.query("SELECT count(*) FROM " + schema + ".credit_checkpoint");
        System.out.println(
                "FAULT " + run.fault + ": the summariser wrote " + checkpoints + " checkpoints during the run");
        assertTrue(checkpoints > 0, "the background summariser wrote no checkpoint during the run");
    }

    /** Runs Citus's recovery until no node holds a prepared transaction (at most 60 s). */
    private static void recoverPreparedTransactions() throws Exception {
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            CLUSTER.onNode(CLUSTER.nodePorts().get(0), "SELECT recover_prepared_transactions()");
            long prepared = 0;
            for (int node : CLUSTER.nodePorts()) {
                prepared += CLUSTER.onNode(node, "SELECT count(*) FROM pg_prepared_xacts");
            }
            if (prepared == 0) {
                return;
            }
            if (System.nanoTime() > limit) {
                throw new AssertionError(prepared + " prepared transactions left on the nodes 60 s after the run");
            }
            Thread.sleep(200);
        }
    }

    /**
     * {@code synchronous_commit} on for the node's new sessions ({@code ALTER SYSTEM}), or back to its file's value.
     */
    private static void durableCommits(int port, boolean on) throws Exception {
        try (Connection c = DriverManager.getConnection(CitusCluster.nodeUrl(port));
                Statement st = c.createStatement()) {
            st.execute(on ? "ALTER SYSTEM SET synchronous_commit = on" : "ALTER SYSTEM RESET synchronous_commit");
            st.execute("SELECT pg_reload_conf()");
        }
    }

    /** Starts the worker if a failure left it stopped, so that the tests after this one find the cluster whole. */
    private static void ensureUp(CitusNode worker) {
        try {
            CLUSTER.onNode(worker.port, "SELECT 1");
        } catch (Exception down) {
            try {
                worker.start();
            } catch (Exception e) {
                System.out.println("could not start the worker on port " + worker.port + " again: " + e);
            }
        }
    }
}
