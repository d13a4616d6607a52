package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Coalescing;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.VerificationReport;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A shard move under a held lock. A credit to an account with an upper limit is decided under that account's row lock;
 * Citus takes no shard metadata lock for a {@code SELECT ... FOR UPDATE}, so without one of its own a transfer holding
 * the row lock on the old placement would not keep a move from switching the account to its new placement, where a
 * second credit, not waiting for the first, could pass the limit too. The first transfer is held at its insert, after
 * its locks and its decision (a test session holds an uncommitted row with the same transfer id); the capped account's
 * shard group is moved meanwhile; a second credit is sent; then the first is released.
 */
class CitusShardMoveTest {
    @RegisterExtension
    static final CitusCluster CLUSTER = new CitusCluster();

    private static final AccountId BANK = AccountId.of("bank");
    private static final AccountId S1 = AccountId.of("s1");
    private static final AccountId S2 = AccountId.of("s2");
    private static final AccountId CAPPED = AccountId.of("capped");

    @Test
    void shardMove_whileACreditToACappedAccountHoldsItsLock_secondCreditWaitsAndTheLimitHolds() throws Exception {
        Map<Integer, Long> deadlocks = CLUSTER.deadlocks();
        PostgresLedgerStore store = CLUSTER.newStore();
        String s = store.schema();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try (Ledger ledger = Ledger.builder(store).coalescing(Coalescing.off()).build();
                Connection holder = DriverManager.getConnection(CitusCluster.url());
                Connection mover = DriverManager.getConnection(CitusCluster.url())) {
            ledger.open(NewAccount.issuer(BANK, "USD"));
            ledger.open(NewAccount.of(S1, "USD").withOpeningBalance(100, BANK));
            ledger.open(NewAccount.of(S2, "USD").withOpeningBalance(100, BANK));
            ledger.open(NewAccount.of(CAPPED, "USD").withUpperLimit(100));
            long shard = CLUSTER.query(
                    "SELECT get_shard_id_for_distribution_column('" + s + ".account', '" + CAPPED.value() + "')");
            int from = CLUSTER.workerOf(s, CAPPED.value());
            int to = CLUSTER.nodePorts().stream()
                    .skip(1)
                    .filter(p -> p != from)
                    .findFirst()
                    .orElseThrow();

            // the first credit's id, taken (uncommitted) by the test session: the first credit waits at its insert
            UUID id = UUID.randomUUID();
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("INSERT INTO " + s + ".transfer_id (id, source) VALUES ('" + id + "', 's1')");
            }
            Future<Object> first = threads.submit(() -> outcome(() ->
                    ledger.transfer(TransferRequest.of(S1, CAPPED, 60, "USD").withId(id))));
            awaitTrue(() -> waiting(null) > 0, "the first credit held at its insert");

            long moverPid;
            try (Statement st = mover.createStatement();
                    var rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                moverPid = rs.getLong(1);
            }
            Future<Object> move = threads.submit(() -> {
                try (Statement st = mover.createStatement()) {
                    st.execute("SELECT citus_move_shard_placement(" + shard + ", 'localhost', " + from
                            + ", 'localhost', " + to + ", 'block_writes')");
                }
                return "moved";
            });
            awaitTrue(() -> move.isDone() || waiting(moverPid) > 0, "the move done or waiting");
            boolean moveWaited = !move.isDone();

            Future<Object> second = threads.submit(() -> outcome(() -> ledger.transfer(S2, CAPPED, 60, "USD")));
            awaitTrue(() -> second.isDone() || waitingExcept(moverPid) > 1, "the second credit done or waiting");
            holder.rollback();

            List<Object> outcomes = List.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS));
            assertEquals("moved", move.get(60, TimeUnit.SECONDS));
            assertTrue(
                    ledger.balance(CAPPED) <= 100,
                    "balance " + ledger.balance(CAPPED) + " above the upper limit 100;" + " outcomes " + outcomes
                            + (moveWaited ? "" : "; the move did not wait for the first credit's lock"));
            assertEquals("recorded", outcomes.get(0), "the first credit, decided first, recorded");
            assertEquals(RejectionReason.UPPER_LIMIT_EXCEEDED.name(), outcomes.get(1), "the second credit refused");
            assertTrue(moveWaited, "the move waited for the transfer holding the capped account's lock");
            assertEquals(to, CLUSTER.workerOf(s, CAPPED.value()), "the shard moved");
            VerificationReport report = ledger.verify();
            assertTrue(report.ok(), report::describe);
        } finally {
            threads.shutdownNow();
        }
        CLUSTER.assertNothingPreparedAndNoNewDeadlocks(deadlocks);
    }

    private interface Call {
        Object run();
    }

    /** "recorded", or the reason of the rejection. */
    private static Object outcome(Call call) {
        try {
            call.run();
            return "recorded";
        } catch (LedgerRejectedException e) {
            return e.reason().name();
        }
    }

    /** Lock requests not granted on any node; on the coordinator only those of {@code pid}, when given. */
    private static long waiting(Long pid) throws Exception {
        if (pid != null) {
            return CLUSTER.query("SELECT count(*) FROM pg_locks WHERE NOT granted AND pid = " + pid);
        }
        long n = 0;
        for (int port : CLUSTER.nodePorts()) {
            n += Long.parseLong(CLUSTER.textOnNode(port, "SELECT count(*) FROM pg_locks WHERE NOT granted"));
        }
        return n;
    }

    /** Lock requests not granted on any node, but those of {@code pid} on the coordinator. */
    private static long waitingExcept(long pid) throws Exception {
        return waiting(null) - waiting(pid);
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Condition condition, String what) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < end, "not seen within 30 s: " + what);
            Thread.sleep(20);
        }
    }
}
