package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import dev.ledger.core.VerificationReport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * The summariser's wait for writers that may have missed its seal (issue 9, item 2). A writer can take its transaction
 * id after the seal's INSERT but read the seals before the seal commits; it records behind the seal, so the summariser
 * must wait for it before writing checkpoints. Deterministic: the interleaving is forced with the summariser's test
 * hook and a row lock; nothing in it is random (transfer ids are random UUIDs, which play no part).
 */
class SummarizerWaitTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(10);

    private static final AccountId ISSUER = AccountId.of("issuer");
    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");
    private static final Duration SEAL_LAG = Duration.ofMillis(1);
    private static final Duration WAIT_LIMIT = Duration.ofMillis(1500);

    @Test
    void summarize_writerInFlightBehindUncommittedSeal_isWaitedFor() throws Exception {
        String s = DB.newSchemaName();
        PostgresLedgerStore store = DB.track(PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .schema(s)
                .migrateOnStart(true)
                .summarizeEvery(Duration.ZERO)
                .sealLag(SEAL_LAG)
                .summaryWaitLimit(WAIT_LIMIT)
                .build());
        // Every transfer is dated minutes before the seal the round will insert.
        Instant past = Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.MICROS);
        Ledger ledger = Ledger.builder(store).clock(InstantSource.fixed(past)).build();
        ledger.open(NewAccount.issuer(ISSUER, "USD"));
        ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(1000, ISSUER));
        // Bob has credits before the seal too, so the round writes him a checkpoint through the seal: a credit
        // recorded behind that checkpoint afterwards would vanish from his balance.
        ledger.open(NewAccount.of(BOB, "USD").withOpeningBalance(500, ISSUER));

        // A round of the summariser on this schema, paused between its seal INSERT and the seal's COMMIT.
        BalanceSummarizer summarizer =
                new BalanceSummarizer(DB.dataSource(), s, SEAL_LAG, WAIT_LIMIT, SummarizerListener.none());
        CountDownLatch sealInserted = new CountDownLatch(1);
        CountDownLatch releaseSeal = new CountDownLatch(1);
        summarizer.afterSealInsert = () -> {
            sealInserted.countDown();
            try {
                releaseSeal.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        ExecutorService threads = Executors.newFixedThreadPool(2);
        Map<String, Map<AccountId, Long>> finalAnswers = new LinkedHashMap<>();
        Instant seal;
        int firstRound;
        boolean coveredWhileInFlight;
        Transfer w;
        try (Connection z = DB.server().connect(DB.name())) {
            try {
                Future<Integer> round = threads.submit(summarizer::runOnce);
                assertTrue(sealInserted.await(30, TimeUnit.SECONDS), "the round never inserted a seal");

                // Z: a plain-SQL transfer at alice's next index (0), left uncommitted; it holds that slot.
                z.setAutoCommit(false);
                long zPid;
                try (Statement st = z.createStatement()) {
                    st.execute("INSERT INTO " + s
                            + ".transfer (source, source_index, id, destination, amount, currency,"
                            + " recorded_at, reference, source_debits) VALUES ('alice', 0, gen_random_uuid(), 'bob', 7, 'USD', '"
                            // a microsecond after alice's funding: a debit may spend only credits dated before it
                            + OffsetDateTime.ofInstant(past.plus(1, ChronoUnit.MICROS), ZoneOffset.UTC) + "', 'z', 7)");
                    st.execute(LedgerDatabase.creditRowsOf(s));
                    try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                        rs.next();
                        zPid = rs.getLong(1);
                    }
                }
                // W: the library's transfer at the same slot. It takes its id and reads the seals (the seal is not
                // committed yet), then waits on Z's uncommitted row.
                Future<Transfer> writer = threads.submit(() -> ledger.transfer(ALICE, BOB, 10, "USD"));
                long wPid = awaitBlockedBy(zPid, writer);
                System.out.println("SummarizerWaitTest: W (pid " + wPid + ", xid " + backendXid(wPid)
                        + ") waits for Z (pid " + zPid + ", xid " + backendXid(zPid) + ")");

                releaseSeal.countDown(); // the seal commits; the round goes on while Z and W run
                firstRound = round.get(30, TimeUnit.SECONDS);
                assertFalse(writer.isDone(), "W ended before Z did: the interleaving did not happen");
                seal = sealedThrough(s);
                System.out.println("SummarizerWaitTest: seal through " + seal + " (xid "
                        + DB.queryLong("SELECT xmin::text::bigint FROM " + s + ".seal") + "); the round wrote "
                        + firstRound + " checkpoints");
                coveredWhileInFlight = covers(store, seal);
                if (coveredWhileInFlight) {
                    finalAnswers.put("while W was in flight", answersAsOf(ledger, seal));
                }

                z.rollback(); // W gets the slot and commits, dated before the seal
                w = writer.get(30, TimeUnit.SECONDS);
            } finally {
                releaseSeal.countDown();
                z.rollback();
            }
        } finally {
            threads.shutdownNow();
            assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS));
        }
        assertFalse(w.recordedAt().isAfter(seal), "W is dated " + w.recordedAt() + ", after the seal " + seal);

        for (int i = 0; i < 10 && !covers(store, seal); i++) {
            store.summarize();
        }
        assertTrue(covers(store, seal), "the pending seal was never summarised");
        finalAnswers.put("after W committed", answersAsOf(ledger, seal));
        // Later activity and another round change nothing as of the sealed instant.
        ledger.transfer(ALICE, BOB, 1, "USD");
        for (int i = 0; i < 10 && !store.summarizedThrough().orElseThrow().isAfter(seal); i++) {
            Thread.sleep(5);
            store.summarize();
        }
        finalAnswers.put("after a later transfer and round", answersAsOf(ledger, seal));

        Map<AccountId, Long> first = finalAnswers.values().iterator().next();
        Map<AccountId, Long> last = answersAsOf(ledger, seal);
        VerificationReport report = ledger.verify();
        List<Executable> checks = new ArrayList<>();
        finalAnswers.forEach((when, answers) -> checks.add(() -> assertEquals(
                first,
                answers,
                "balances as of the seal " + seal + " changed after summarizedThrough() covered it: " + finalAnswers)));
        checks.add(() -> assertEquals(990, last.get(ALICE), "alice as of the seal"));
        checks.add(() -> assertEquals(510, last.get(BOB), "bob as of the seal"));
        checks.add(
                () -> assertEquals(recomputed(s, "alice", seal), last.get(ALICE), "alice as of the seal, recomputed"));
        checks.add(() -> assertEquals(recomputed(s, "bob", seal), last.get(BOB), "bob as of the seal, recomputed"));
        checks.add(() -> assertEquals(
                0,
                last.values().stream().mapToLong(Long::longValue).sum(),
                "sum of the balances as of the seal: " + last));
        checks.add(() -> assertEquals(
                0, ledger.balance(ISSUER) + ledger.balance(ALICE) + ledger.balance(BOB), "sum of the balances now"));
        checks.add(() -> assertEquals(recomputed(s, "bob", null), ledger.balance(BOB), "bob now, recomputed"));
        checks.add(() -> assertTrue(report.ok(), report.describe()));
        checks.add(() -> assertFalse(
                coveredWhileInFlight,
                "the round summarised the seal while W (behind it) was in flight; it wrote " + firstRound
                        + " checkpoints"));
        checks.add(() -> assertEquals(0, firstRound, "checkpoints written while W was in flight"));
        assertAll(checks);
    }

    /** Waits until some backend is blocked by {@code blockerPid}; returns its pid. */
    private static long awaitBlockedBy(long blockerPid, Future<?> writer) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = DB.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND ? = ANY(pg_blocking_pids(pid))")) {
            ps.setInt(1, Math.toIntExact(blockerPid));
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return rs.getLong(1);
                    }
                }
                if (writer.isDone()) {
                    writer.get(); // rethrows what W failed with
                    throw new AssertionError("W ended without waiting for Z");
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("W never waited for Z");
                }
                Thread.sleep(5);
            }
        }
    }

    private static String backendXid(long pid) throws SQLException {
        try (Connection c = DB.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT backend_xid::text FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, Math.toIntExact(pid));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static Instant sealedThrough(String s) throws SQLException {
        try (Connection c = DB.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT sealed_through FROM " + s + ".seal ORDER BY seq LIMIT 1")) {
            assertTrue(rs.next(), "no seal");
            return rs.getObject(1, OffsetDateTime.class).toInstant();
        }
    }

    private static boolean covers(PostgresLedgerStore store, Instant seal) {
        return store.summarizedThrough().filter(t -> !t.isBefore(seal)).isPresent();
    }

    private static Map<AccountId, Long> answersAsOf(Ledger ledger, Instant t) {
        Map<AccountId, Long> answers = new LinkedHashMap<>();
        for (AccountId a : List.of(ISSUER, ALICE, BOB)) {
            answers.put(a, ledger.balanceAsOf(a, t));
        }
        return answers;
    }

    /** Credits minus debits over every row recorded at or before {@code asOf} (all rows when null). */
    private static long recomputed(String s, String account, Instant asOf) throws SQLException {
        String time =
                asOf == null ? "" : " AND recorded_at <= '" + OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC) + "'";
        return DB.queryLong("SELECT (SELECT coalesce(sum(amount), 0) FROM " + s + ".transfer WHERE destination = '"
                + account + "'" + time + ") - (SELECT coalesce(sum(amount), 0) FROM " + s + ".transfer WHERE source = '"
                + account + "'" + time + ")");
    }
}
