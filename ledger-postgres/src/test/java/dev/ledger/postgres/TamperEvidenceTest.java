package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.ChainHead;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferKind;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.VerificationReport;
import dev.ledger.core.VerificationReport.Finding;
import dev.ledger.core.VerificationReport.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tamper evidence: an untouched ledger of more than 100 000 transfers verifies without a finding, and 100 tamperings by
 * a superuser (triggers disabled, in a transaction rolled back after verifying through the same connection) are each
 * detected, with a finding naming the tampered source and index. Seeded: replay with {@code -Dledger.test.seed=N}.
 */
class TamperEvidenceTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(4);

    private static final int BULK_ACCOUNTS = 1000;
    private static final int BULK_DEBITS_PER_ACCOUNT = 100;
    /** Issuers funding the accounts, each 100 of them, so that no chain is longer than 100 in the bulk load. */
    private static final int ISSUERS = 10;

    private static final int TAMPERINGS_ON_LARGE = 3;
    private static final int TAMPERINGS_ON_SMALL = 97;

    enum Tamper {
        AMOUNT,
        DESTINATION,
        DELETE_MIDDLE,
        DELETE_TAIL,
        FORGE,
        SWAP,
        CREDIT,
        METADATA,
        PHASE
    }

    @Test
    void verify_untouchedThenTampered_noFalseAlarmAndEveryTamperingDetected() throws Exception {
        long seed = Long.getLong("ledger.test.seed", System.nanoTime());
        System.out.println("TamperEvidenceTest seed=" + seed + " (replay with -Dledger.test.seed=" + seed + ")");
        Random random = new Random(seed);

        // A large ledger, bulk-loaded with the guard's own hash function, then extended through the library.
        PostgresLedgerStore large = DB.newStore();
        long start = System.nanoTime();
        bulkLoad(large.schema(), Math.floorMod(seed, 1000));
        System.out.printf("TamperEvidenceTest: bulk load %d ms%n", (System.nanoTime() - start) / 1_000_000);
        Ledger ledger = Ledger.builder(large).build();
        int summarized = 0;
        for (int i = 0; i < 100 && summarized == 0; i++) {
            summarized = large.summarize();
        }
        assertTrue(summarized >= BULK_ACCOUNTS, "checkpoints written: " + summarized);
        for (int i = 0; i < 20; i++) {
            ledger.transfer(TransferRequest.of(
                            AccountId.of("acct-" + random.nextInt(BULK_ACCOUNTS)),
                            AccountId.of("acct-" + (BULK_ACCOUNTS + i)),
                            1 + random.nextInt(50),
                            "USD")
                    .withReference("after bulk " + i));
        }
        System.out.printf(
                "TamperEvidenceTest: loaded %d transfers in %d ms%n",
                DB.queryLong("SELECT count(*) FROM " + large.schema() + ".transfer"),
                (System.nanoTime() - start) / 1_000_000);

        long t0 = System.nanoTime();
        List<ChainHead> heads = ledger.chainHeads();
        VerificationReport untouched = ledger.verify(heads);
        long verifyMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf(
                "TamperEvidenceTest: untouched ledger verified in %d ms: %s", verifyMillis, untouched.describe());
        assertTrue(untouched.ok(), untouched.describe());
        assertTrue(untouched.transfers() >= 100_000, "transfers: " + untouched.transfers());
        assertEquals(ISSUERS + BULK_ACCOUNTS + 20, untouched.accounts());
        assertEquals(ISSUERS + BULK_ACCOUNTS, untouched.chains());
        assertEquals(ISSUERS + BULK_ACCOUNTS, heads.size());

        // A small ledger recorded entirely through the library (guard on).
        PostgresLedgerStore small = DB.newStore();
        Ledger smallLedger = Ledger.builder(small).build();
        buildSmall(smallLedger, random);
        List<ChainHead> smallHeads = smallLedger.chainHeads();
        assertTrue(smallLedger.verify(smallHeads).ok());

        int detected = 0;
        int total = 0;
        List<String> misses = new ArrayList<>();
        Tamper[] kinds = Tamper.values();
        try (Connection c = DB.server().connect(DB.name())) {
            c.setAutoCommit(false);
            for (int i = 0; i < TAMPERINGS_ON_LARGE + TAMPERINGS_ON_SMALL; i++) {
                boolean onLarge = i < TAMPERINGS_ON_LARGE;
                Tamper kind = onLarge
                        ? kinds[(i * 2 + Math.floorMod(seed, 2)) % kinds.length]
                        : kinds[random.nextInt(kinds.length)];
                String schema = onLarge ? large.schema() : small.schema();
                List<ChainHead> trusted = onLarge ? heads : smallHeads;
                long ts = System.nanoTime();
                String outcome = tamperAndVerify(c, schema, trusted, kind, random);
                total++;
                if (outcome == null) {
                    detected++;
                } else {
                    misses.add("#" + i + " " + kind + ": " + outcome);
                }
                if (onLarge) {
                    System.out.printf(
                            "TamperEvidenceTest: %s on the large ledger detected=%b in %d ms%n",
                            kind, outcome == null, (System.nanoTime() - ts) / 1_000_000);
                }
            }
        }
        System.out.println(
                "TamperEvidenceTest: detected " + detected + " of " + total + " tamperings (seed " + seed + ")");
        assertEquals(total, detected, "undetected tamperings (seed " + seed + "): " + misses);
        assertEquals(100, total);
        // Everything was rolled back: the small ledger verifies clean again.
        assertTrue(smallLedger.verify(smallHeads).ok());
    }

    /** Tampers, verifies on the same connection, rolls back. Returns null when detected, else what was missing. */
    private static String tamperAndVerify(
            Connection c, String schema, List<ChainHead> trusted, Tamper kind, Random random) throws SQLException {
        String t = schema + ".transfer";
        try (Statement st = c.createStatement()) {
            Map<String, Long> last = new TreeMap<>();
            try (ResultSet rs = st.executeQuery("SELECT source, max(source_index) FROM " + t + " GROUP BY source")) {
                while (rs.next()) {
                    last.put(rs.getString(1), rs.getLong(2));
                }
            }
            List<String> sources = new ArrayList<>(last.keySet());
            // What a superuser can do: switch the triggers off and drop a constraint in the way (all rolled back).
            st.execute("ALTER TABLE " + t + " DISABLE TRIGGER USER");
            st.execute("ALTER TABLE " + t + " DROP CONSTRAINT transfer_debits_cover_amount");
            st.execute("ALTER TABLE " + schema + ".credit DISABLE TRIGGER USER");
            String source;
            String account = null; // the account a finding names, when not the source
            long index;
            List<Long> alsoExpected = new ArrayList<>();
            Kind expected;
            switch (kind) {
                case AMOUNT -> {
                    source = sources.get(random.nextInt(sources.size()));
                    index = pick(random, last.get(source) + 1);
                    update(
                            c,
                            "UPDATE " + t + " SET amount = amount + 1 WHERE source = ? AND source_index = ?",
                            source,
                            index);
                    expected = Kind.HASH_MISMATCH;
                }
                case DESTINATION -> {
                    source = sources.get(random.nextInt(sources.size()));
                    index = pick(random, last.get(source) + 1);
                    update(
                            c,
                            "UPDATE " + t + " SET destination = (SELECT a.id FROM " + schema
                                    + ".account a WHERE a.id <> "
                                    + t + ".source AND a.id <> " + t + ".destination ORDER BY a.id LIMIT 1)"
                                    + " WHERE source = ? AND source_index = ?",
                            source,
                            index);
                    expected = Kind.HASH_MISMATCH;
                }
                case DELETE_MIDDLE -> {
                    List<String> longer =
                            sources.stream().filter(s -> last.get(s) >= 2).toList();
                    source = longer.get(random.nextInt(longer.size()));
                    index = pick(random, last.get(source)); // never the newest
                    update(c, "DELETE FROM " + t + " WHERE source = ? AND source_index = ?", source, index);
                    expected = Kind.INDEX_GAP;
                }
                case DELETE_TAIL -> {
                    source = sources.get(random.nextInt(sources.size()));
                    index = last.get(source);
                    int rows = 1 + random.nextInt((int) Math.min(3, index + 1));
                    update(c, "DELETE FROM " + t + " WHERE source = ? AND source_index > ?", source, index - rows);
                    expected = Kind.HEAD_MISMATCH;
                }
                case FORGE -> {
                    source = sources.get(random.nextInt(sources.size()));
                    index = last.get(source) + 1;
                    byte[] madeUp = new byte[32];
                    random.nextBytes(madeUp);
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t
                            + " (source, source_index, id, destination,"
                            + " amount, currency, recorded_at, reference, source_debits, chain_hash)"
                            + " SELECT p.source, p.source_index + 1, ?, p.destination, 1, p.currency, p.recorded_at, 'forged',"
                            + " p.source_debits + 1, ? FROM " + t + " p WHERE p.source = ? AND p.source_index = ?")) {
                        ps.setObject(1, new UUID(random.nextLong(), random.nextLong()));
                        ps.setBytes(2, madeUp);
                        ps.setString(3, source);
                        ps.setLong(4, index - 1);
                        assertEquals(1, ps.executeUpdate());
                    }
                    expected = Kind.HASH_MISMATCH;
                }
                case SWAP -> {
                    List<String> longer =
                            sources.stream().filter(s -> last.get(s) >= 1).toList();
                    long i;
                    long j;
                    do {
                        source = longer.get(random.nextInt(longer.size()));
                        i = pick(random, last.get(source) + 1);
                        j = pick(random, last.get(source) + 1);
                    } while (i == j || sameContent(c, t, source, i, j));
                    index = Math.min(i, j);
                    alsoExpected.add(Math.max(i, j));
                    update(
                            c,
                            "UPDATE " + t
                                    + " x SET destination = y.destination, amount = y.amount, reference = y.reference"
                                    + " FROM " + t + " y WHERE x.source = y.source AND ((x.source_index = " + i
                                    + " AND y.source_index = "
                                    + j + ") OR (x.source_index = " + j + " AND y.source_index = " + i
                                    + ")) AND x.source = ?"
                                    + " AND ? >= 0",
                            source,
                            0);
                    expected = Kind.HASH_MISMATCH;
                }
                case CREDIT -> {
                    // The destination's copy of a transfer changed or deleted: the transfer's chain is intact.
                    source = sources.get(random.nextInt(sources.size()));
                    index = pick(random, last.get(source) + 1);
                    try (PreparedStatement ps = c.prepareStatement(
                            "SELECT destination FROM " + t + " WHERE source = ? AND source_index = ?")) {
                        ps.setString(1, source);
                        ps.setLong(2, index);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            account = rs.getString(1);
                        }
                    }
                    update(
                            c,
                            (random.nextBoolean()
                                            ? "UPDATE " + schema + ".credit SET amount = amount + 1"
                                            : "DELETE FROM " + schema + ".credit")
                                    + " WHERE id = (SELECT id FROM " + t
                                    + " WHERE source = ? AND source_index = ?)",
                            source,
                            index);
                    expected = Kind.CREDIT_MISMATCH;
                }
                case METADATA -> {
                    // Metadata added, changed or removed (and its credit row's copy with it): the chain names the row.
                    source = sources.get(random.nextInt(sources.size()));
                    index = pick(random, last.get(source) + 1);
                    String[] changes = {
                        "jsonb_build_object('order', 'forged')",
                        "CASE WHEN metadata IS NULL THEN '{\"k\": \"v\"}'::jsonb ELSE metadata || '{\"order\": \"x\"}' END",
                        "CASE WHEN metadata IS NULL THEN '{\"k\": \"\"}'::jsonb ELSE NULL END"
                    };
                    String change = changes[random.nextInt(changes.length)];
                    update(
                            c,
                            "WITH t AS (UPDATE " + t + " SET metadata = " + change
                                    + " WHERE source = ? AND source_index = ?"
                                    + " RETURNING id, metadata) UPDATE " + schema
                                    + ".credit c SET metadata = t.metadata FROM t"
                                    + " WHERE c.id = t.id",
                            source,
                            index);
                    expected = Kind.HASH_MISMATCH;
                }
                case PHASE -> {
                    // A row's kind changed (an immediate transfer made a hold, so its money never moved; a hold, post
                    // or void made an immediate transfer), its credit row's copy with it: the chain names the row.
                    source = sources.get(random.nextInt(sources.size()));
                    index = pick(random, last.get(source) + 1);
                    st.execute("ALTER TABLE " + t + " DROP CONSTRAINT transfer_kind_valid");
                    update(
                            c,
                            "WITH t AS (UPDATE " + t
                                    + " SET kind = CASE WHEN kind = 0 THEN 1 ELSE 0 END, pending_id = NULL,"
                                    + " expires_at = NULL WHERE source = ? AND source_index = ? RETURNING id, kind) UPDATE "
                                    + schema
                                    + ".credit c SET kind = t.kind, pending_id = NULL, expires_at = NULL, released = NULL FROM t"
                                    + " WHERE c.id = t.id",
                            source,
                            index);
                    expected = Kind.HASH_MISMATCH;
                }
                default -> throw new AssertionError(kind);
            }
            VerificationReport report =
                    PostgresVerifier.verify(c, schema, trusted).report();
            c.rollback();
            List<Long> indices = new ArrayList<>(alsoExpected);
            indices.add(0, index);
            for (long k : indices) {
                if (!has(report, expected, account != null ? account : source, k)) {
                    return "no " + expected + " for " + source + " index " + k + " in " + report.describe();
                }
            }
            return null;
        } finally {
            c.rollback();
        }
    }

    private static boolean has(VerificationReport report, Kind kind, String source, long index) {
        for (Finding f : report.findings()) {
            if (f.kind() == kind && source.equals(f.account()) && f.index().equals(OptionalLong.of(index))) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameContent(Connection c, String t, String source, long i, long j) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(DISTINCT (destination, amount, reference)) FROM "
                + t + " WHERE source = ? AND source_index IN (?, ?)")) {
            ps.setString(1, source);
            ps.setLong(2, i);
            ps.setLong(3, j);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) < 2;
            }
        }
    }

    private static long pick(Random random, long bound) {
        return (long) (random.nextDouble() * bound);
    }

    private static void update(Connection c, String sql, String source, long index) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, source);
            ps.setLong(2, index);
            assertTrue(ps.executeUpdate() >= 1, "tampering changed nothing: " + sql + " " + source + " " + index);
        }
    }

    /**
     * Loads 10 issuers funding 1000 accounts, then 100 debits of each account, with the guard disabled and the chain
     * hashes computed by the schema's own {@code transfer_content} and {@code sha256} along each source in one
     * recursive INSERT: the rows the guard would have written (the library extends the chains afterwards, with the
     * guard on).
     */
    private static void bulkLoad(String schema, int seedMod) throws SQLException {
        String s = schema + ".";
        Instant base = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        String b = "timestamptz '" + base + "'";
        String ref = "CASE WHEN %1$s %% 5 = 0 THEN NULL WHEN %1$s %% 5 = 1 THEN 'ünïcödé € 😀 ' || %1$s"
                + " WHEN %1$s %% 5 = 2 THEN '''); DROP TABLE x; --' ELSE 'ref ' || %1$s END";
        DB.sql(
                "INSERT INTO " + s + "account (id, currency, issuer, opened_at) SELECT 'bank-' || i, 'USD', true, " + b
                        + " FROM generate_series(0, " + (ISSUERS - 1) + ") i",
                "INSERT INTO " + s
                        + "account (id, currency, issuer, opened_at, lower_limit) SELECT 'acct-' || i, 'USD', false, "
                        + b + ", 0"
                        + " FROM generate_series(0, " + (BULK_ACCOUNTS + 19) + ") i",
                "CREATE TEMP TABLE stage AS"
                        + " SELECT 'bank-' || (i % " + ISSUERS + ") AS source, (i / " + ISSUERS
                        + ")::bigint AS source_index,"
                        + " md5('b" + seedMod + ":' || i)::uuid AS id,"
                        + " 'acct-' || i AS destination, 1000000::bigint AS amount, 'USD'::text AS currency,"
                        + " " + b + " + i * interval '1 microsecond' AS recorded_at, (" + ref.formatted("i")
                        + ") AS reference,"
                        + " 1000000::bigint * (i / " + ISSUERS + " + 1) AS source_debits"
                        + " FROM generate_series(0, " + (BULK_ACCOUNTS - 1) + ") i"
                        + " UNION ALL"
                        + " SELECT 'acct-' || i, k, md5('t" + seedMod + ":' || i || ':' || k)::uuid,"
                        + " 'acct-' || ((i + 1 + k % 7) % " + BULK_ACCOUNTS + "), 1 + (i * 31 + k * 17 + " + seedMod
                        + ") % 100, 'USD',"
                        + " " + b
                        + " + interval '1 second' + k * interval '1 millisecond' + i * interval '1 microsecond',"
                        + " (" + ref.formatted("(i + k)") + "),"
                        + " sum(1 + (i * 31 + k * 17 + " + seedMod + ") % 100) OVER (PARTITION BY i ORDER BY k)"
                        + " FROM generate_series(0, " + (BULK_ACCOUNTS - 1) + ") i, generate_series(0, "
                        + (BULK_DEBITS_PER_ACCOUNT - 1) + ") k",
                "ALTER TABLE stage ADD PRIMARY KEY (source, source_index)",
                "ANALYZE stage",
                // Each step of the recursion looks up the next index by primary key; a hash join would re-hash the
                // stage.
                "SET enable_hashjoin = off",
                "SET enable_mergejoin = off",
                "INSERT INTO " + s + "transfer (source, source_index, id, destination, amount, currency, recorded_at,"
                        + " reference, source_debits, chain_hash)"
                        + " WITH RECURSIVE chain AS ("
                        + " SELECT st.*, sha256(decode(repeat('00', 32), 'hex') || " + s
                        + "transfer_content(st.id, st.source,"
                        + " st.source_index, st.destination, st.amount, st.currency, st.recorded_at, st.reference)) AS h"
                        + " FROM stage st WHERE st.source_index = 0"
                        + " UNION ALL SELECT st.*, sha256(c.h || " + s
                        + "transfer_content(st.id, st.source, st.source_index,"
                        + " st.destination, st.amount, st.currency, st.recorded_at, st.reference))"
                        + " FROM chain c JOIN stage st ON st.source = c.source AND st.source_index = c.source_index + 1)"
                        + " SELECT source, source_index, id, destination, amount, currency, recorded_at, reference,"
                        + " source_debits, h FROM chain",
                "RESET enable_hashjoin",
                "RESET enable_mergejoin",
                "DROP TABLE stage",
                LedgerDatabase.creditRowsOf(schema),
                "ANALYZE " + s + "transfer",
                "ANALYZE " + s + "credit");
    }

    private static void buildSmall(Ledger ledger, Random random) {
        AccountId bank = AccountId.of("bank");
        ledger.open(NewAccount.issuer(bank, "USD"));
        int n = 30;
        for (int i = 0; i < n; i++) {
            ledger.open(NewAccount.of(AccountId.of("s-" + i), "USD")
                    .withOpeningBalance(1_000 + random.nextInt(1_000), bank));
        }
        String[] refs = {null, "rent", "ünïcödé €", "'); DROP TABLE x; --", "x".repeat(256)};
        for (int i = 0; i < 600; i++) {
            int from = random.nextInt(n);
            int to = (from + 1 + random.nextInt(n - 1)) % n;
            try {
                TransferRequest request = TransferRequest.of(
                                AccountId.of("s-" + from), AccountId.of("s-" + to), 1 + random.nextInt(60), "USD")
                        .withReference(refs[random.nextInt(refs.length)]);
                if (random.nextInt(3) == 0) {
                    request = request.withMetadata(
                            Map.of("order", "o-" + i, "note", refs[1 + random.nextInt(refs.length - 1)]));
                }
                if (random.nextInt(5) == 0) {
                    // a hold, then (mostly) its post or void
                    Transfer hold = ledger.transfer(new TransferRequest(
                            null,
                            request.source(),
                            request.destination(),
                            request.amount(),
                            "USD",
                            request.reference(),
                            request.metadata(),
                            TransferKind.PENDING,
                            null,
                            null,
                            random.nextBoolean() ? Duration.ofHours(1) : null));
                    int next = random.nextInt(3);
                    if (next == 0) {
                        ledger.transfer(TransferRequest.post(hold, 1 + random.nextInt((int) hold.amount())));
                    } else if (next == 1) {
                        ledger.transfer(TransferRequest.voidPending(hold));
                    }
                    continue;
                }
                ledger.transfer(request);
            } catch (LedgerRejectedException e) {
                assertEquals("INSUFFICIENT_FUNDS", e.reason().name(), e.getMessage());
            }
        }
    }
}
