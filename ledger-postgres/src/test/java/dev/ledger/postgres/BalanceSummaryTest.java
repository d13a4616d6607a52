package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Balances;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Balances from checkpoints equal a full recomputation from the recorded transfers — now, as of random instants, and
 * after every statement line — while writers, the summariser and summariser crashes interleave. Seeded:
 * {@code -Dledger.test.seed=N} replays the random choices.
 */
class BalanceSummaryTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(30);

    private static final AccountId BANK = AccountId.of("bank");

    private static PostgresLedgerStore store(String schema, Duration summarizeEvery) {
        return store(schema, summarizeEvery, BalanceSummarizer.CHECKPOINT_AFTER);
    }

    /** With checkpointAfter 1, every account credited since the previous seal is checkpointed at the next. */
    private static PostgresLedgerStore store(String schema, Duration summarizeEvery, int checkpointAfter) {
        PostgresLedgerStore.migrate(DB.dataSource(), schema);
        return DB.track(PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .schema(schema)
                .summarizeEvery(summarizeEvery)
                .sealLag(Duration.ofMillis(20))
                .summaryWaitLimit(Duration.ofSeconds(2))
                .summaryCheckpointAfter(checkpointAfter)
                .build());
    }

    /** Credits minus debits over every row recorded at or before {@code asOf} (all rows when null). */
    private static long recomputed(String s, String account, Instant asOf) throws SQLException {
        String time = asOf == null ? "" : " AND recorded_at <= ?";
        try (Connection c = DB.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT (SELECT coalesce(sum(amount), 0) FROM " + s
                        + ".transfer WHERE destination = ?" + time + ")" + " - (SELECT coalesce(sum(amount), 0) FROM "
                        + s + ".transfer WHERE source = ?" + time + ")")) {
            int i = 1;
            ps.setString(i++, account);
            if (asOf != null) {
                ps.setObject(i++, OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC));
            }
            ps.setString(i++, account);
            if (asOf != null) {
                ps.setObject(i, OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC));
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** In ONE statement: the library's balance functions and the full recomputation, for every account. */
    private static String mismatchInOneSnapshot(String s) throws SQLException {
        String sql =
                "SELECT a.id, " + s + ".credits_as_of(a.id, 'infinity') - " + s + ".debits_as_of(a.id, 'infinity'),"
                        + " (SELECT coalesce(sum(amount), 0) FROM " + s + ".transfer WHERE destination = a.id)"
                        + " - (SELECT coalesce(sum(amount), 0) FROM " + s + ".transfer WHERE source = a.id) FROM " + s
                        + ".account a";
        try (Connection c = DB.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                if (rs.getLong(2) != rs.getLong(3)) {
                    return rs.getString(1) + ": summarised " + rs.getLong(2) + " but recomputed " + rs.getLong(3);
                }
            }
            return null;
        }
    }

    @Test
    void concurrentWorkload_withSummariserAndCrashes_balancesEqualRecomputation() throws Exception {
        long seed = Long.getLong("ledger.test.seed", System.nanoTime());
        System.out.println("BalanceSummaryTest seed=" + seed + " (replay with -Dledger.test.seed=" + seed + ")");
        String s = DB.newSchemaName();
        PostgresLedgerStore store = store(s, Duration.ZERO);
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        List<AccountId> accounts = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            AccountId id = AccountId.of("c" + i);
            ledger.open(NewAccount.of(id, "USD").withOpeningBalance(5_000, BANK));
            accounts.add(id);
        }
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong transfers = new AtomicLong();
        AtomicLong rounds = new AtomicLong();
        AtomicLong kills = new AtomicLong();
        AtomicLong checks = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < 5; w++) {
            SplittableRandom random = new SplittableRandom(seed + w);
            futures.add(pool.submit(() -> {
                start.await();
                while (!stop.get()) {
                    AccountId from = random.nextInt(10) == 0 ? BANK : accounts.get(random.nextInt(accounts.size()));
                    AccountId to = accounts.get(random.nextInt(accounts.size()));
                    if (from.equals(to)) {
                        continue;
                    }
                    try {
                        ledger.transfer(from, to, 1 + random.nextInt(400), "USD");
                        transfers.incrementAndGet();
                    } catch (LedgerRejectedException e) {
                        // insufficient funds: part of the workload
                    }
                }
                return null;
            }));
        }
        // The summariser, run in rounds; a killer terminates its connection now and then, mid-round.
        futures.add(pool.submit(() -> {
            start.await();
            while (!stop.get()) {
                try {
                    store.summarize();
                    rounds.incrementAndGet();
                } catch (LedgerUnavailableException e) {
                    kills.incrementAndGet(); // its backend was terminated
                }
            }
            return null;
        }));
        futures.add(pool.submit(() -> {
            SplittableRandom random = new SplittableRandom(seed ^ 0x5eed);
            start.await();
            while (!stop.get()) {
                Thread.sleep(50 + random.nextInt(150));
                SummarizerKills.terminateStepInProgress(DB::queryLong, s, stop::get, 1);
            }
            return null;
        }));
        // A checker: in single snapshots, and for final instants, summarised balances equal recomputation.
        futures.add(pool.submit(() -> {
            SplittableRandom random = new SplittableRandom(seed ^ 0xc4ec);
            start.await();
            while (!stop.get()) {
                String mismatch = mismatchInOneSnapshot(s);
                if (mismatch != null) {
                    failures.add("snapshot: " + mismatch);
                }
                Instant through = store.summarizedThrough().orElse(null);
                if (through != null) {
                    AccountId a = accounts.get(random.nextInt(accounts.size()));
                    Instant t = through.minusMillis(random.nextInt(2000));
                    long expected = recomputed(s, a.value(), t);
                    long actual = ledger.balanceAsOf(a, t);
                    if (expected != actual) {
                        failures.add(
                                "as of " + t + " (final) " + a + ": ledger " + actual + ", recomputed " + expected);
                    }
                }
                checks.incrementAndGet();
            }
            return null;
        }));
        start.countDown();
        Thread.sleep(Long.getLong("ledger.test.summarySeconds", 6) * 1000);
        stop.set(true);
        pool.shutdown();
        assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
        for (Future<?> f : futures) {
            f.get();
        }
        System.out.println("BalanceSummaryTest: " + transfers + " transfers, " + rounds + " summariser rounds, " + kills
                + " killed rounds, " + checks + " concurrent checks");
        assertTrue(failures.isEmpty(), failures.size() + " mismatches, first: " + failures.peek());
        assertTrue(
                rounds.get() > 0 && checks.get() > 0 && transfers.get() > 0 && kills.get() > 0,
                "every part of the workload ran, the summariser's kills included");

        // Quiescent: one more round, then every balance now, as of random instants, and along statements.
        store.summarize();
        assertTrue(DB.queryLong("SELECT count(*) FROM " + s + ".credit_checkpoint") > 0, "no checkpoint was written");
        SplittableRandom random = new SplittableRandom(seed);
        Instant first = ledger.statement(StatementQuery.of(BANK).limit(1))
                .lines()
                .get(0)
                .transfer()
                .recordedAt();
        Instant last = Instant.now();
        for (AccountId a : accounts) {
            assertEquals(recomputed(s, a.value(), null), ledger.balance(a), "balance now of " + a);
            for (int i = 0; i < 20; i++) {
                Instant t = first.plusNanos(random.nextLong(
                                Math.max(1, Duration.between(first, last).toNanos())))
                        .truncatedTo(ChronoUnit.MICROS);
                assertEquals(recomputed(s, a.value(), t), ledger.balanceAsOf(a, t), "balance of " + a + " as of " + t);
            }
            assertStatementBalances(ledger, a);
        }
    }

    /** Every line's balanceAfter equals the running sum of changes, and the last equals the balance now. */
    static void assertStatementBalances(Ledger ledger, AccountId account) {
        long running = 0;
        StatementQuery query = StatementQuery.of(account).limit(97);
        while (true) {
            StatementPage page = ledger.statement(query);
            for (StatementLine line : page.lines()) {
                running += line.change();
                assertEquals(
                        running,
                        line.balanceAfter(),
                        "balance after " + line.transfer().id() + " of " + account);
            }
            if (!page.hasNext()) {
                break;
            }
            query = query.after(page.next());
        }
        assertEquals(ledger.balance(account), running, "last running balance of " + account);
    }

    /**
     * Pending credits through checkpoints: holds to one account (resolved, expiring, open) across several seals; the
     * balance views as of every instant of its statement are the same before and after the summariser wrote its
     * checkpoints, and equal the views recomputed from the statement.
     */
    @Test
    void holdsAcrossSeals_viewsFromCheckpointsEqualThoseFromRows() throws Exception {
        String s = DB.newSchemaName();
        PostgresLedgerStore.migrate(DB.dataSource(), s);
        PostgresLedgerStore store = DB.track(PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .schema(s)
                .summarizeEvery(Duration.ZERO)
                .summaryCheckpointAfter(1) // (shop's few holds are checkpointed at each seal)
                .sealLag(Duration.ofMillis(1))
                .build());
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        AccountId alice = AccountId.of("alice");
        AccountId shop = AccountId.of("shop");
        ledger.open(NewAccount.of(alice, "USD").withOpeningBalance(10_000, BANK));
        ledger.open(NewAccount.of(shop, "USD"));
        List<Instant> instants = new ArrayList<>();
        Transfer h1 = ledger.transfer(TransferRequest.pending(alice, shop, 100, "USD"));
        Transfer h2 =
                ledger.transfer(TransferRequest.pending(alice, shop, 200, "USD").withTimeout(Duration.ofMillis(300)));
        Transfer h3 =
                ledger.transfer(TransferRequest.pending(alice, shop, 300, "USD").withTimeout(Duration.ofSeconds(30)));
        Transfer h4 = ledger.transfer(TransferRequest.pending(alice, shop, 400, "USD"));
        instants.add(h4.recordedAt());
        summarizeAll(store);
        ledger.transfer(TransferRequest.post(h1, 60));
        ledger.transfer(TransferRequest.voidPending(h4));
        instants.add(ledger.transfer(TransferRequest.of(BANK, shop, 5, "USD")).recordedAt());
        summarizeAll(store);
        Thread.sleep(350); // h2 expires
        instants.add(h2.expiresAt().minusNanos(1_000));
        instants.add(h2.expiresAt());
        Transfer h5 = ledger.transfer(TransferRequest.pending(alice, shop, 500, "USD"));
        instants.add(h5.recordedAt());
        List<Balances> before = new ArrayList<>();
        for (Instant t : instants) {
            before.add(ledger.balancesAsOf(shop, t));
        }
        Balances nowBefore = ledger.balances(shop);
        assertEquals(new Balances(65, 0, 300 + 500), nowBefore, "h3 and h5 held; h1 posted 60, h4 voided, h2 expired");
        summarizeAll(store);
        assertTrue(
                DB.queryLong("SELECT count(*) FROM " + s + ".credit_checkpoint WHERE account = 'shop' AND pending > 0")
                        >= 2,
                "checkpoints of shop carry its pending credits");
        for (int i = 0; i < instants.size(); i++) {
            assertEquals(before.get(i), ledger.balancesAsOf(shop, instants.get(i)), "as of " + instants.get(i));
        }
        assertEquals(new Balances(0, 0, 1_000), before.get(0));
        assertEquals(new Balances(65, 0, 500), before.get(1));
        assertEquals(new Balances(65, 0, 500), before.get(2));
        assertEquals(new Balances(65, 0, 300), before.get(3));
        assertEquals(nowBefore, ledger.balances(shop));
        assertEquals(new Balances(10_000 - 60, 800, 0), ledger.balances(alice));
        assertTrue(ledger.verify().ok(), ledger.verify().describe());
    }

    private static void summarizeAll(PostgresLedgerStore store) throws InterruptedException {
        Thread.sleep(5);
        for (int i = 0; i < 20; i++) {
            store.summarize();
        }
    }

    /**
     * An account is checkpointed at a seal only once {@link BalanceSummarizer#CHECKPOINT_AFTER} credit rows follow its
     * newest checkpoint: a busy account at once, a cold one's credits wait across rounds (its reads sum them) until the
     * one that makes the count. Balances are exact throughout, and the checkpoint holds every credit before it.
     */
    @Test
    void summarize_fewCreditsAfterNewestCheckpoint_checkpointedOnlyOnceEnoughFollow() throws Exception {
        String s = DB.newSchemaName();
        PostgresLedgerStore store = store(s, Duration.ZERO);
        Ledger ledger = Ledger.builder(store).build();
        AccountId busy = AccountId.of("busy");
        AccountId cold = AccountId.of("cold");
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(busy, "USD"));
        ledger.open(NewAccount.of(cold, "USD"));
        int after = BalanceSummarizer.CHECKPOINT_AFTER;
        for (int i = 0; i < after; i++) {
            ledger.transfer(BANK, busy, 1, "USD");
        }
        for (int k = 1; k <= after; k++) {
            ledger.transfer(BANK, cold, 1, "USD");
            Thread.sleep(25); // past the seal lag (20 ms): the round's seal covers the credit
            store.summarize();
            assertEquals(
                    k < after ? 0 : 1,
                    DB.queryLong("SELECT count(*) FROM " + s + ".credit_checkpoint WHERE account = 'cold'"),
                    "checkpoints of cold after its credit " + k);
            assertEquals(k, ledger.balance(cold));
            assertEquals(recomputed(s, "cold", null), ledger.balance(cold));
        }
        assertEquals(
                1,
                DB.queryLong("SELECT count(*) FROM " + s + ".credit_checkpoint WHERE account = 'busy'"),
                "busy had its " + after + " credits in the first round");
        assertEquals(
                after,
                DB.queryLong("SELECT credits FROM " + s + ".credit_checkpoint WHERE account = 'cold'"),
                "the checkpoint counts every credit before it");
        assertEquals(0, DB.queryLong("SELECT count(*) FROM " + s + ".credit_checkpoint WHERE account = 'bank'"));
        assertEquals(after, ledger.balance(busy));
        assertTrue(ledger.verify().ok(), ledger.verify().describe());
    }

    /**
     * The threshold is the summariser's own: a caller of summarizer_step cannot raise it past 128 (reads stay bound).
     */
    @Test
    void summarizerStep_checkpointAfterOutOfRange_refusedNamingIt() throws Exception {
        String s = DB.newSchemaName();
        store(s, Duration.ZERO);
        for (int bad : new int[] {0, 129, Integer.MAX_VALUE}) {
            try (Connection c = DB.dataSource().getConnection();
                    Statement st = c.createStatement()) {
                SQLException e = org.junit.jupiter.api.Assertions.assertThrows(
                        SQLException.class,
                        () -> st.execute("SELECT * FROM " + s + ".summarizer_step(interval '1 ms', 128, " + bad + ")"));
                assertEquals("22023", e.getSQLState());
                assertTrue(e.getMessage().contains("after 1 to 128 credits (not " + bad + ")"), e.getMessage());
            }
        }
    }

    @Test
    void backgroundSummariser_writesCheckpointsAndExposesProgress() throws Exception {
        String s = DB.newSchemaName();
        PostgresLedgerStore store = store(s, Duration.ofMillis(20), 1);
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(AccountId.of("x"), "USD").withOpeningBalance(10, BANK));
        Instant before = Instant.now();
        for (int i = 0;
                i < 200
                        && store.summarizedThrough()
                                .filter(t -> t.isAfter(before.minusSeconds(1)))
                                .isEmpty();
                i++) {
            Thread.sleep(20);
        }
        assertTrue(store.summarizedThrough().isPresent(), "the background summariser wrote nothing in 4 s");
        assertEquals(10, ledger.balance(AccountId.of("x")));
        assertTrue(DB.queryLong("SELECT count(*) FROM " + s + ".credit_checkpoint WHERE account = 'x'") >= 1);
    }

    @Test
    void longRunningTransaction_delaysSummaryButNeverBlocksWriters() throws Exception {
        String s = DB.newSchemaName();
        PostgresLedgerStore store = PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .schema(s)
                .migrateOnStart(true)
                .summarizeEvery(Duration.ZERO)
                .sealLag(Duration.ofMillis(1))
                .summaryWaitLimit(Duration.ofMillis(200))
                .summaryCheckpointAfter(1)
                .build();
        DB.track(store);
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(AccountId.of("y"), "USD").withOpeningBalance(10, BANK));
        Thread.sleep(5);
        try (Connection old = DB.server().connect(DB.name())) {
            old.setAutoCommit(false);
            try (Statement st = old.createStatement()) {
                st.execute("SELECT pg_current_xact_id()"); // holds a transaction id, like any open writer
            }
            assertEquals(0, store.summarize(), "a seal cannot be summarised while an older transaction runs");
            assertTrue(store.summarizedThrough().isEmpty());
            Transfer t = ledger.transfer(AccountId.of("y"), BANK, 3, "USD"); // writers go on
            assertEquals(7, ledger.balance(AccountId.of("y")));
            assertTrue(
                    DB.queryLong("SELECT count(*) FROM " + s + ".seal WHERE sealed_through < '" + t.recordedAt() + "'")
                            == 1,
                    "the new transfer is dated after the seal");
            old.rollback();
        }
        assertTrue(store.summarize() > 0);
        assertTrue(store.summarizedThrough().isPresent());
        assertEquals(7, ledger.balance(AccountId.of("y")));
    }

    @Test
    void longHistory_100kTransfers_balancesEqualRecomputation() throws Exception {
        String s = DB.newSchemaName();
        PostgresLedgerStore store = store(s, Duration.ZERO);
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(AccountId.of("hot"), "USD"));
        ledger.open(NewAccount.of(AccountId.of("cold"), "USD"));
        // 100k transfers as fast bulk SQL (fixture only, written by the owner): bank credits hot 3
        // every odd step, hot debits 1 to cold every even step; one microsecond apart, ending a minute ago.
        DB.sql(
                "INSERT INTO " + s + ".transfer (source, source_index, id, destination, amount, currency, recorded_at,"
                        + " source_debits)"
                        + " SELECT CASE WHEN g % 2 = 1 THEN 'bank' ELSE 'hot' END,"
                        + " CASE WHEN g % 2 = 1 THEN g / 2 ELSE g / 2 - 1 END, gen_random_uuid(), CASE WHEN g % 2 = 1 THEN 'hot' ELSE 'cold' END,"
                        + " CASE WHEN g % 2 = 1 THEN 3 ELSE 1 END, 'USD',"
                        + " now() - interval '1 minute' - (100000 - g) * interval '1 microsecond',"
                        + " CASE WHEN g % 2 = 1 THEN 3 * (g / 2 + 1) ELSE g / 2 END"
                        + " FROM generate_series(0, 99999) g WHERE NOT (g = 0)",
                LedgerDatabase.creditRowsOf(s));
        // g = 0 would debit hot before any credit; the history starts with a credit (g = 1).
        assertEquals(99_999, DB.queryLong("SELECT count(*) FROM " + s + ".transfer"));
        AccountId hot = AccountId.of("hot");
        long expected = recomputed(s, "hot", null);
        assertEquals(expected, ledger.balance(hot));
        assertTrue(store.summarize() > 0);
        assertEquals(expected, ledger.balance(hot));
        // A checkpoint every CHECKPOINT_EVERY credits inside the interval, so an as-of read never sums more.
        assertTrue(
                DB.queryLong("SELECT count(*) FROM " + s + ".credit_checkpoint WHERE account = 'hot'")
                        >= 49_999 / BalanceSummarizer.CHECKPOINT_EVERY,
                "intermediate checkpoints of hot");
        Transfer t = ledger.transfer(hot, AccountId.of("cold"), 5, "USD");
        assertEquals(49_999, t.sourceIndex(), "the debit path continues the bulk-loaded chain");
        assertEquals(expected - 5, ledger.balance(hot));
        SplittableRandom random = new SplittableRandom(42);
        Instant start = t.recordedAt().minusSeconds(70);
        for (int i = 0; i < 30; i++) {
            Instant at = start.plusNanos(random.nextLong(70_000_000_000L)).truncatedTo(ChronoUnit.MICROS);
            assertEquals(recomputed(s, "hot", at), ledger.balanceAsOf(hot, at), "hot as of " + at);
            assertEquals(recomputed(s, "cold", at), ledger.balanceAsOf(AccountId.of("cold"), at), "cold as of " + at);
        }
        StatementPage newest =
                ledger.statement(StatementQuery.of(hot).backward().limit(5));
        assertEquals(expected - 5, newest.lines().get(0).balanceAfter());
        assertEquals(expected, newest.lines().get(1).balanceAfter());
    }
}
