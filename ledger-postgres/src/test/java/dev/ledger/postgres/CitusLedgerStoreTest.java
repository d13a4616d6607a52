package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.core.AccountId;
import dev.ledger.core.BatchMode;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.TransferResult;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store distributed on a real Citus cluster (a coordinator and two workers): the write path, idempotency and
 * balances, with accounts on different workers (a transfer then commits on two nodes by two-phase commit). Every test
 * ends with no prepared transaction left and no deadlock on any node.
 */
class CitusLedgerStoreTest {
    @RegisterExtension
    static final CitusCluster CLUSTER = new CitusCluster();

    private static final AccountId BANK = AccountId.of("bank");

    @Test
    void distribute_onCluster_tablesDistributedByAccountAndColocated() throws Exception {
        PostgresLedgerStore store = CLUSTER.newStore();
        String s = store.schema();
        long colocation = CLUSTER.query(
                "SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = '" + s + ".account'::regclass");
        for (String table : List.of("account", "transfer", "credit", "credit_checkpoint")) {
            assertEquals(
                    colocation,
                    CLUSTER.query("SELECT colocationid FROM pg_dist_partition WHERE partmethod = 'h'"
                            + " AND logicalrelid = '" + s + "." + table + "'::regclass"),
                    table + " co-located with account");
        }
        assertEquals(
                1,
                CLUSTER.query("SELECT count(*) FROM pg_dist_partition WHERE partmethod = 'h'" + " AND logicalrelid = '"
                        + s + ".transfer_id'::regclass"),
                "transfer_id distributed by id");
        assertEquals(
                4,
                CLUSTER.query("SELECT count(*) FROM pg_dist_partition WHERE repmodel = 't' AND logicalrelid IN ('"
                        + s + ".seal'::regclass, '" + s + ".seal_horizon'::regclass, '" + s
                        + ".seal_summarized'::regclass, '" + s
                        + ".setting'::regclass)"),
                "reference tables");
        // Migrating again keeps it distributed and working.
        assertEquals(0, store.migrate());
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(AccountId.of("a"), "USD").withOpeningBalance(10, BANK));
        assertEquals(10, ledger.balance(AccountId.of("a")));
    }

    @Test
    void transfer_betweenAccountsOnDifferentWorkers_movesMoneyAndLeavesNothingPrepared() throws Exception {
        Funded setup = funded(1_000);
        PostgresLedgerStore store = setup.store();
        Ledger ledger = setup.ledger();
        List<AccountId> accounts = setup.accounts();
        Map<Integer, Long> deadlocks = CLUSTER.deadlocks();
        AccountId a = accounts.get(0);
        AccountId b = accounts.get(1);
        assertNotEquals(CLUSTER.workerOf(store.schema(), a.value()), CLUSTER.workerOf(store.schema(), b.value()));
        Transfer t = ledger.transfer(a, b, 250, "USD");
        assertEquals(750, ledger.balance(a));
        assertEquals(1_250, ledger.balance(b));
        assertEquals(t, ledger.findTransfer(t.id()).orElseThrow());
        LedgerRejectedException refused =
                assertThrows(LedgerRejectedException.class, () -> ledger.transfer(a, b, 751, "USD"));
        assertEquals(RejectionReason.INSUFFICIENT_FUNDS, refused.reason());
        assertEquals(750, ledger.balance(a));
        CLUSTER.assertNothingPreparedAndNoNewDeadlocks(deadlocks);
    }

    @Test
    void transfer_sameIdReplayedOrReusedFromAnotherSource_originalOrIdReused() throws Exception {
        Funded setup = funded(100);
        PostgresLedgerStore store = setup.store();
        Ledger ledger = setup.ledger();
        List<AccountId> accounts = setup.accounts();
        UUID id = UUID.randomUUID();
        TransferRequest first =
                TransferRequest.of(accounts.get(0), accounts.get(1), 30, "USD").withId(id);
        Transfer original = ledger.transfer(first);
        assertEquals(original, ledger.transfer(first), "a replay returns the original");
        // The same id from a source on the other worker: ids are unique across sources (transfer_id).
        LedgerRejectedException reused = assertThrows(
                LedgerRejectedException.class,
                () -> ledger.transfer(TransferRequest.of(accounts.get(1), accounts.get(0), 30, "USD")
                        .withId(id)));
        assertEquals(RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT, reused.reason());
        assertEquals(70, ledger.balance(accounts.get(0)));
        assertEquals(130, ledger.balance(accounts.get(1)));
    }

    @Test
    void transfer_oneNewIdFromSourcesOnBothWorkersAtOnce_recordedOnceOthersIdReused() throws Exception {
        Funded setup = funded(1_000);
        PostgresLedgerStore store = setup.store();
        Ledger ledger = setup.ledger();
        List<AccountId> accounts = setup.accounts();
        Map<Integer, Long> deadlocks = CLUSTER.deadlocks();
        ExecutorService pool = Executors.newFixedThreadPool(accounts.size());
        try {
            for (int round = 0; round < 20; round++) {
                UUID id = UUID.randomUUID();
                CountDownLatch start = new CountDownLatch(1);
                List<Future<RejectionReason>> outcomes = new ArrayList<>();
                for (int i = 0; i < accounts.size(); i++) {
                    TransferRequest request = TransferRequest.of(
                                    accounts.get(i), accounts.get((i + 1) % accounts.size()), 1, "USD")
                            .withId(id);
                    outcomes.add(pool.submit(() -> {
                        start.await();
                        try {
                            ledger.transfer(request);
                            return null;
                        } catch (LedgerRejectedException e) {
                            return e.reason();
                        }
                    }));
                }
                start.countDown();
                int recorded = 0;
                for (Future<RejectionReason> f : outcomes) {
                    RejectionReason reason = f.get(1, TimeUnit.MINUTES);
                    if (reason == null) {
                        recorded++;
                    } else {
                        assertEquals(RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT, reason, "round " + round);
                    }
                }
                assertEquals(1, recorded, "round " + round + ": one of the sources records the id");
                assertEquals(
                        1,
                        CLUSTER.query("SELECT count(*) FROM " + store.schema() + ".transfer WHERE id = '" + id + "'"));
            }
        } finally {
            pool.shutdownNow();
        }
        long total = 0;
        for (AccountId a : accounts) {
            total += ledger.balance(a);
        }
        assertEquals(5_000, total, "conservation");
        CLUSTER.assertNothingPreparedAndNoNewDeadlocks(deadlocks);
    }

    @Test
    void transferBatch_linkedFailingAtItsLastItem_recordsNothingOnAnyWorker() throws Exception {
        Funded setup = funded(100);
        PostgresLedgerStore store = setup.store();
        Ledger ledger = setup.ledger();
        List<AccountId> accounts = setup.accounts();
        AccountId a = accounts.get(0);
        AccountId b = accounts.get(1);
        long rows = CLUSTER.query("SELECT count(*) FROM " + store.schema() + ".transfer");
        List<TransferRequest> linked = List.of(
                TransferRequest.of(a, b, 60, "USD"),
                TransferRequest.of(b, a, 10, "USD"),
                TransferRequest.of(a, b, 51, "USD"));
        LedgerRejectedException e =
                assertThrows(LedgerRejectedException.class, () -> ledger.transferBatch(linked, BatchMode.LINKED));
        assertEquals(RejectionReason.INSUFFICIENT_FUNDS, e.reason());
        assertEquals(rows, CLUSTER.query("SELECT count(*) FROM " + store.schema() + ".transfer"));
        assertEquals(rows, CLUSTER.query("SELECT count(*) FROM " + store.schema() + ".transfer_id"));
        assertEquals(100, ledger.balance(a));
        // Independent: the third item spends what the second brought, down to exactly 0.
        List<TransferResult> results = ledger.transferBatch(
                List.of(
                        TransferRequest.of(a, b, 60, "USD"),
                        TransferRequest.of(b, a, 10, "USD"),
                        TransferRequest.of(a, b, 50, "USD")),
                BatchMode.INDEPENDENT);
        for (TransferResult r : results) {
            assertTrue(r instanceof TransferResult.Recorded, "recorded: " + results);
        }
        assertEquals(0, ledger.balance(a));
        assertEquals(200, ledger.balance(b));
    }

    @Test
    void transfer_concurrentDebitsOfOneSourceFromManyThreads_neverOverdrawAndNoDeadlock() throws Exception {
        PostgresLedgerStore store = CLUSTER.newStore();
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        List<AccountId> accounts = accountsOnTwoWorkers(store.schema());
        AccountId source = accounts.get(0);
        ledger.open(NewAccount.of(source, "USD").withOpeningBalance(200, BANK));
        for (AccountId a : accounts.subList(1, accounts.size())) {
            ledger.open(NewAccount.of(a, "USD"));
        }
        Map<Integer, Long> deadlocks = CLUSTER.deadlocks();
        AtomicInteger recorded = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 10; i++) {
                    AccountId to = accounts.get(1 + (thread + i) % (accounts.size() - 1));
                    try {
                        ledger.transfer(source, to, 7, "USD");
                        recorded.incrementAndGet();
                    } catch (LedgerRejectedException e) {
                        assertEquals(RejectionReason.INSUFFICIENT_FUNDS, e.reason());
                        refused.incrementAndGet();
                    }
                    // A credit the other way, from a destination, concurrently: the source is also credited.
                }
                return null;
            }));
        }
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(2, TimeUnit.MINUTES));
        for (Future<?> f : futures) {
            f.get();
        }
        assertEquals(28, recorded.get(), "200 / 7 debits of 7");
        assertEquals(80 - 28, refused.get());
        assertEquals(200 - 28 * 7, ledger.balance(source));
        long total = 0;
        for (AccountId a : accounts) {
            total += ledger.balance(a);
        }
        assertEquals(200, total, "conservation");
        assertEquals(
                28,
                CLUSTER.query("SELECT count(*) FROM " + store.schema() + ".transfer WHERE source = '" + source.value()
                        + "' AND source_index BETWEEN 0 AND 27"),
                "contiguous indices");
        assertEquals(
                27,
                CLUSTER.query("SELECT max(source_index) FROM " + store.schema() + ".transfer WHERE source = '"
                        + source.value() + "'"));
        CLUSTER.assertNothingPreparedAndNoNewDeadlocks(deadlocks);
    }

    @Test
    void history_updateAsTheOwnerThroughTheCoordinator_refusedOnTheShard() throws Exception {
        PostgresLedgerStore store = CLUSTER.newStore();
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(AccountId.of("a"), "USD").withOpeningBalance(10, BANK));
        for (String sql : List.of(
                "UPDATE " + store.schema() + ".transfer SET amount = 1000",
                "DELETE FROM " + store.schema() + ".credit",
                "UPDATE " + store.schema() + ".transfer_id SET source = 'x'")) {
            SQLException e = assertThrows(
                    SQLException.class,
                    () -> {
                        try (Connection c = CLUSTER.pool().getConnection();
                                Statement st = c.createStatement()) {
                            st.execute(sql);
                        }
                    },
                    sql);
            assertTrue(e.getMessage().contains("ledger history is immutable"), sql + ": " + e.getMessage());
        }
        assertEquals(10, ledger.balance(AccountId.of("a")));
    }

    /**
     * A transfer is atomic across nodes even when the destination's worker fails at the very end: a deferred constraint
     * trigger on the destination's credit shard fails at commit, on the worker. Citus must have prepared that worker
     * (two-phase commit), so the failure aborts the whole transfer; a worker committed after the coordinator would
     * leave the debit without its credit. Run late in a session whose earlier statements only read from the
     * destination's worker (Citus once left such a worker out of the two-phase commit), with transfer ids whose own
     * rows lie on the source's worker.
     */
    @Test
    void transfer_destinationWorkerFailsAtCommit_nothingRecordedOnAnyNode() throws Exception {
        Funded setup = funded(1_000);
        String s = setup.store().schema();
        AccountId a = setup.accounts().get(0);
        AccountId b = setup.accounts().get(1);
        int sourceWorker = CLUSTER.workerOf(s, a.value());
        int destinationWorker = CLUSTER.workerOf(s, b.value());
        assertNotEquals(sourceWorker, destinationWorker);
        long shard =
                CLUSTER.query("SELECT get_shard_id_for_distribution_column('" + s + ".credit', '" + b.value() + "')");
        String trigger = "SET citus.enable_ddl_propagation TO off; SET citus.enable_manual_changes_to_shards TO on;"
                + " CREATE FUNCTION " + s + ".fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS"
                + " $f$ BEGIN RAISE EXCEPTION 'destination worker fails at commit'; END $f$;"
                + " CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON " + s + ".credit_" + shard
                + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION " + s + ".fail_at_commit()";
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(CitusCluster.url());
        config.setMaximumPoolSize(1); // one session: the later transfers reuse its cached connections to the workers
        try (HikariDataSource one = new HikariDataSource(config);
                Ledger ledger = Ledger.builder(PostgresLedgerStore.builder()
                                .dataSource(one)
                                .schema(s)
                                .distributed(true)
                                .summarizeEvery(Duration.ZERO)
                                .build())
                        .build()) {
            ledger.transfer(TransferRequest.of(a, b, 1, "USD").withId(idOn(s, sourceWorker)));
            assertEquals(1_001, ledger.balance(b)); // reads the destination's worker in this session
            try (Connection c = DriverManager.getConnection(CitusCluster.nodeUrl(destinationWorker));
                    Statement st = c.createStatement()) {
                st.execute(trigger);
            }
            for (int i = 0; i < 3; i++) {
                UUID id = idOn(s, sourceWorker);
                assertThrows(
                        RuntimeException.class,
                        () -> ledger.transfer(
                                TransferRequest.of(a, b, 10, "USD").withId(id)),
                        "the destination's worker refused its commit, yet the transfer was acknowledged");
                assertTrue(ledger.findTransfer(id).isEmpty(), "a transfer whose credit failed was recorded");
            }
            CLUSTER.query("SELECT recover_prepared_transactions()");
            assertEquals(999, ledger.balance(a), "the source was debited without the credit");
            assertEquals(1_001, ledger.balance(b));
            assertEquals(0, CLUSTER.query("SELECT count(*) FROM " + s + ".transfer WHERE amount = 10"));
        }
    }

    /**
     * The ledger orders concurrent writers with advisory locks, which are one node's: on Citus every write must run on
     * the coordinator. Citus would run the function on a worker too (its metadata is everywhere): refused there, naming
     * the rule, and nothing recorded.
     */
    @Test
    void appendTransfers_calledOnAWorker_refusedNamingTheCoordinator() throws Exception {
        Funded setup = funded(100);
        String s = setup.store().schema();
        AccountId a = setup.accounts().get(0);
        AccountId b = setup.accounts().get(1);
        try (Connection c = DriverManager.getConnection(
                        CitusCluster.nodeUrl(CLUSTER.nodePorts().get(1)));
                Statement st = c.createStatement()) {
            SQLException e = assertThrows(
                    SQLException.class,
                    () -> st.execute(
                            "SELECT * FROM " + s + ".append_transfers("
                                    + "ARRAY[gen_random_uuid()], ARRAY['" + a.value() + "'], ARRAY['" + b.value()
                                    + "'], ARRAY[1::bigint],"
                                    + " ARRAY['USD'], ARRAY[NULL::text], now(), false, false, false, NULL, NULL, NULL, NULL, NULL)"));
            assertEquals("55000", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("through the coordinator only"), e.getMessage());
        }
        assertEquals(100, setup.ledger().balance(a));
        assertEquals(100, setup.ledger().balance(b));
    }

    /** A new transfer id whose row in transfer_id lies on the worker on {@code port}. */
    private static UUID idOn(String schema, int port) throws SQLException {
        for (int i = 0; i < 1000; i++) {
            UUID id = UUID.randomUUID();
            if (CLUSTER.query("SELECT n.nodeport FROM pg_dist_placement p JOIN pg_dist_node n ON n.groupid = p.groupid"
                            + " WHERE p.shardid = get_shard_id_for_distribution_column('" + schema + ".transfer_id', '"
                            + id
                            + "'::uuid)")
                    == port) {
                return id;
            }
        }
        throw new AssertionError("no transfer id on the worker on port " + port);
    }

    /** A new distributed store, its ledger, and five accounts on both workers each funded with {@code opening}. */
    private record Funded(PostgresLedgerStore store, Ledger ledger, List<AccountId> accounts) {}

    private static Funded funded(long opening) throws SQLException {
        PostgresLedgerStore store = CLUSTER.newStore();
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        List<AccountId> accounts = accountsOnTwoWorkers(store.schema());
        for (AccountId a : accounts) {
            ledger.open(NewAccount.of(a, "USD").withOpeningBalance(opening, BANK));
        }
        return new Funded(store, ledger, accounts);
    }

    /** Five accounts, alternating between the two workers: a0, b0, a1, b1, a2. */
    private static List<AccountId> accountsOnTwoWorkers(String schema) throws SQLException {
        Map<Integer, List<AccountId>> byWorker = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            AccountId a = AccountId.of("acct-" + i);
            byWorker.computeIfAbsent(CLUSTER.workerOf(schema, a.value()), w -> new ArrayList<>())
                    .add(a);
            List<List<AccountId>> groups = new ArrayList<>(byWorker.values());
            if (groups.size() >= 2 && groups.get(0).size() >= 3 && groups.get(1).size() >= 3) {
                return List.of(
                        groups.get(0).get(0),
                        groups.get(1).get(0),
                        groups.get(0).get(1),
                        groups.get(1).get(1),
                        groups.get(0).get(2));
            }
        }
        throw new AssertionError("no accounts on two workers: " + byWorker.keySet());
    }
}
