package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.core.Ledger;
import dev.ledger.core.VerificationReport;
import dev.ledger.postgres.jepsen.Bank;
import dev.ledger.postgres.jepsen.BankChecker;
import dev.ledger.postgres.jepsen.FaultRun;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scaling out while transfers run: a third worker is created on this machine and added to the cluster, and
 * {@code citus_rebalance_start()} moves shards of the ledger onto it (logical replication, then a short block of writes
 * per shard group) while 8 clients run the bank workload and the background summariser runs. Before the move, the
 * summariser must already work with the new worker in the cluster, which holds no copy of the reference tables yet.
 * Then: shards of the ledger on the new worker, nothing lost or recorded twice, money conserved exactly, verify clean,
 * nothing prepared left. Afterwards the new worker is drained ({@code citus_drain_node}), removed and stopped, so the
 * cluster is as it was.
 */
class CitusRebalanceTest {
    @RegisterExtension
    static final CitusCluster CLUSTER = new CitusCluster();

    private static final int CLIENTS = 8;

    @Test
    void rebalance_workerAddedUnderLoad_shardsMoveAndNothingIsLost() throws Exception {
        FaultRun run = FaultRun.start("citus-rebalance", Duration.ofSeconds(4));
        Map<Integer, Long> deadlocks = CLUSTER.deadlocks();
        CitusNode existing = CitusNode.of(CLUSTER, CLUSTER.nodePorts().get(1));
        Path dir = Files.createTempDirectory("ledger-citus-worker");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String superuser = CLUSTER.textOnNode(existing.port, "SELECT current_user");
        CitusNode added = CitusNode.create(existing, dir, port, superuser);
        String schema = CLUSTER.newSchema();
        // A deferred drop recorded for a worker no longer in the cluster can never run, and Citus then refuses to move
        // that shard again ("orphaned shard ... could not be cleaned up"): left by an earlier run on a long-lived
        // development cluster that was stopped between a drain and its cleanup.
        CLUSTER.execute("DELETE FROM pg_dist_cleanup WHERE node_group_id NOT IN (SELECT groupid FROM pg_dist_node)");
        try {
            PostgresLedgerStore.migrate(CLUSTER.pool(), schema, true);
            CLUSTER.query("SELECT citus_add_node('localhost', " + port + ")");
            try (HikariDataSource pool = FaultRun.pool(
                            "citus-rebalance",
                            CLIENTS,
                            Duration.ofSeconds(3),
                            CitusCluster.url() + "&ApplicationName=citus-rebalance");
                    Ledger ledger = Ledger.builder(PostgresLedgerStore.builder()
                                    .dataSource(pool)
                                    .schema(schema)
                                    .distributed(true)
                                    .summarizeEvery(Duration.ofMillis(100))
                                    .summaryCheckpointAfter(1) // (a checkpoint from the first round on)
                                    .build())
                            .build()) {
                Bank bank = new Bank(ledger, pool, schema, run.seed, 8, 10_000);
                bank.readPercent(0);
                bank.readsPerAccount();
                bank.open();
                // The new worker holds no copy of the reference tables (the seal among them) until the rebalance
                // replicates them: the summariser must not wait for it (nor fail on it) meanwhile.
                assertEquals(
                        0, placements(port, schema + ".seal"), "the new worker already holds a copy of the seal table");
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (CLUSTER.query("SELECT count(*) FROM " + schema + ".credit_checkpoint") == 0) {
                    assertTrue(
                            System.nanoTime() < deadline,
                            "no checkpoint within 20 s with a worker holding no seal copy");
                    Thread.sleep(100);
                }
                AtomicBoolean done = new AtomicBoolean();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread rebalancer = new Thread(
                        () -> {
                            try {
                                Thread.sleep(run.duration.toMillis() / 2);
                                long started = System.nanoTime();
                                long job = CLUSTER.query("SELECT citus_rebalance_start()");
                                awaitJob(job, Duration.ofMinutes(3));
                                System.out.printf(
                                        "citus-rebalance: shards moved in %.1f s under load%n",
                                        (System.nanoTime() - started) / 1e9);
                                Thread.sleep(run.duration.toMillis() / 2);
                            } catch (Throwable t) {
                                failure.set(t);
                            } finally {
                                done.set(true);
                            }
                        },
                        "rebalancer");
                rebalancer.start();
                bank.run(CLIENTS, Duration.ZERO, Duration.ofMinutes(5), done::get, Bank::mixed);
                rebalancer.join();
                if (failure.get() != null) {
                    throw new AssertionError("rebalancing failed: " + failure.get(), failure.get());
                }
                assertTrue(placements(port, schema + ".account") > 0, "no shard of the ledger moved to the new worker");
                CLUSTER.query("SELECT recover_prepared_transactions()");
                bank.resolve();
                BankChecker.Report report = BankChecker.check(
                        run.fault,
                        run.seed,
                        run.elapsedSeconds(),
                        1,
                        bank.history(),
                        bank.finalState(CLUSTER.pool()),
                        bank.setupIds());
                run.finish(report);
                assertTrue(report.ok() > 0, "no operation succeeded: " + report.line());
                VerificationReport verified = ledger.verify();
                assertTrue(verified.ok(), () -> "verify after the rebalance: " + verified.describe());
                assertTrue(
                        CLUSTER.query("SELECT count(*) FROM " + schema + ".credit_checkpoint") > 0,
                        "the background summariser wrote no checkpoint while the shards moved");
            }
        } finally {
            removeAndStop(added, dir, schema);
        }
        CLUSTER.assertNothingPreparedAndNoNewDeadlocks(deadlocks);
    }

    /** The shards of {@code table} placed on the node at {@code port}. */
    private static long placements(int port, String table) throws Exception {
        return CLUSTER.query("SELECT count(*) FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid)"
                + " JOIN pg_dist_shard s USING (shardid) WHERE n.nodeport = " + port + " AND s.logicalrelid = '" + table
                + "'::regclass");
    }

    /**
     * Waits for a background job of Citus to finish; past the deadline (a task retrying forever, as a shard move that
     * cannot start does), cancels it and fails with what its unfinished tasks last said.
     */
    private static void awaitJob(long job, Duration deadline) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (CLUSTER.query("SELECT count(*) FROM pg_dist_background_job WHERE job_id = " + job
                        + " AND state NOT IN ('finished', 'cancelled', 'failed')")
                > 0) {
            if (System.nanoTime() > end) {
                String tasks = CLUSTER.textOnNode(
                        CLUSTER.nodePorts().get(0),
                        "SELECT string_agg(format('%s: %s', command,"
                                + " message), '; ') FROM pg_dist_background_task WHERE job_id = " + job
                                + " AND status <> 'done'");
                CLUSTER.execute("SELECT citus_job_cancel(" + job + ")");
                throw new AssertionError("rebalance job " + job + " not finished after " + deadline + ": " + tasks);
            }
            Thread.sleep(200);
        }
        assertEquals(
                0,
                CLUSTER.query("SELECT count(*) FROM pg_dist_background_job WHERE job_id = " + job
                        + " AND state <> 'finished'"),
                "rebalance job " + job + " did not finish");
    }

    /**
     * Drops the test's schema, drains the added worker of every shard (other schemas' too: the rebalance moved them),
     * drops what the drain left behind there, removes it from the cluster, stops it and deletes its files; each step
     * tried whatever the others did.
     */
    private static void removeAndStop(CitusNode added, Path dir, String schema) throws Exception {
        Exception first = null;
        for (String sql : new String[] {
            "DROP SCHEMA IF EXISTS " + schema + " CASCADE",
            "SELECT citus_drain_node('localhost', " + added.port + ")",
            // the drain's deferred drops of the shards it moved off the worker, before the worker goes
            "CALL citus_cleanup_orphaned_resources()",
            "SELECT citus_remove_node('localhost', " + added.port + ")"
        }) {
            try {
                if (sql.startsWith("DROP")
                        || CLUSTER.query("SELECT count(*) FROM pg_dist_node WHERE nodeport = " + added.port) > 0) {
                    CLUSTER.execute(sql);
                }
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        try {
            added.stop();
        } catch (Exception e) {
            first = first == null ? e : first;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        if (first != null) {
            throw first;
        }
    }
}
