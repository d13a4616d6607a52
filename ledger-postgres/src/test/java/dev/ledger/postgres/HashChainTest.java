package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.ChainHead;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.VerificationReport;
import dev.ledger.core.internal.TransferHashes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** append_transfers' chain hashes (SQL) and {@link TransferHashes} (Java) agree byte for byte, on tricky values too. */
class HashChainTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(4);

    private static final String[] REFERENCES = {
        null,
        "",
        "lunch",
        "ünïcödé €uro 日本語 😀 𝄞",
        "'); DROP TABLE x; --",
        "tab\there\nnewline\u0001\u007f",
        "x".repeat(256),
        "\\x00ff",
        "\u00e9 vs e\u0301"
    };

    private static final Instant[] TIMES = {
        Instant.parse("0001-01-01T00:00:00Z"), Instant.parse("1969-12-31T23:59:59.999999Z"),
        Instant.parse("1900-06-15T12:34:56.000001Z"), Instant.parse("1970-01-01T00:00:00Z"),
        Instant.parse("2024-02-29T23:59:59.5Z"), Instant.parse("9999-12-31T23:59:59.999999Z")
    };

    @Test
    void transferContent_trickyValues_sqlEqualsJava() throws SQLException {
        PostgresLedgerStore store = DB.newStore();
        String sql = "SELECT " + store.schema() + ".transfer_content(?, ?, ?, ?, ?, ?, ?, ?)";
        long[] amounts = {1, 100, Long.MAX_VALUE, 0, -1, Long.MIN_VALUE};
        long[] indices = {0, 1, 9, 10, Long.MAX_VALUE};
        int checked = 0;
        try (Connection c = DB.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < 60; i++) {
                UUID id = i == 0 ? new UUID(0, 0) : i == 1 ? new UUID(-1, -1) : UUID.randomUUID();
                String source = i % 3 == 0 ? "a" : "Acc.ount_" + i + ":x-" + "y".repeat(i % 40);
                String destination = "dst-" + i;
                long index = indices[i % indices.length];
                long amount = amounts[i % amounts.length];
                String currency = i % 2 == 0 ? "USD" : "GOLD_OZ_1";
                Instant at = TIMES[i % TIMES.length];
                String reference = REFERENCES[i % REFERENCES.length];
                ps.setObject(1, id);
                ps.setString(2, source);
                ps.setLong(3, index);
                ps.setString(4, destination);
                ps.setLong(5, amount);
                ps.setString(6, currency);
                ps.setObject(7, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                ps.setString(8, reference);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    byte[] expected = TransferHashes.content(
                            id,
                            source,
                            index,
                            destination,
                            amount,
                            currency,
                            TransferHashes.epochMicros(at),
                            reference);
                    assertArrayEquals(
                            expected,
                            rs.getBytes(1),
                            "content of row " + i + " (at " + at + ", reference " + reference + ")");
                    checked++;
                }
            }
        }
        assertEquals(60, checked);
    }

    @Test
    void epochMicros_sessionTimeZones_independent() throws SQLException {
        PostgresLedgerStore store = DB.newStore();
        for (String zone :
                new String[] {"UTC", "Europe/Amsterdam", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham"}) {
            try (Connection c = DB.dataSource().getConnection()) {
                c.createStatement().execute("SET TIME ZONE '" + zone + "'");
                try (PreparedStatement ps = c.prepareStatement("SELECT " + store.schema() + ".epoch_micros(?)")) {
                    for (Instant t : TIMES) {
                        ps.setObject(1, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            assertEquals(
                                    TransferHashes.epochMicros(t), rs.getLong(1), t + " in session time zone " + zone);
                        }
                    }
                } finally {
                    c.createStatement().execute("RESET TIME ZONE");
                }
            }
        }
    }

    @Test
    void appendTransfers_chainHashes_equalJavaChains() throws SQLException {
        PostgresLedgerStore store = DB.newStore();
        // The clock below reads up to year 9999: allow it (the schema owner's setting; by default 1 minute ahead).
        DB.sql("UPDATE " + store.schema() + ".setting SET max_clock_skew = interval '8000 years'");
        Deque<Instant> clock = new ArrayDeque<>(List.of(TIMES));
        Ledger ledger = Ledger.builder(store)
                .clock(() -> clock.size() > 1 ? clock.poll() : clock.peek())
                .transferIds(UUID::randomUUID)
                .build();
        AccountId bank = AccountId.of("bank");
        AccountId alice = AccountId.of("alice");
        ledger.open(NewAccount.issuer(bank, "USD"));
        ledger.open(NewAccount.of(alice, "USD"));
        List<Transfer> recorded = new ArrayList<>();
        for (int i = 0; i < REFERENCES.length; i++) {
            if (i == 2) {
                // Alice's debit before the credits dated at the clock's last reading, 9999-12-31T23:59:59.999999Z: a
                // debit is dated after the credits of its source, and no instant lies after that one.
                recorded.add(ledger.transfer(
                        TransferRequest.of(alice, bank, 3, "USD").withReference(REFERENCES[3])));
            }
            long amount = i == 3 ? Long.MAX_VALUE / 2 : 1 + i;
            recorded.add(ledger.transfer(
                    TransferRequest.of(bank, alice, amount, "USD").withReference(REFERENCES[i])));
        }
        assertEquals(
                RejectionReason.INVALID_INSTANT,
                assertThrows(
                                LedgerRejectedException.class,
                                () -> ledger.transfer(TransferRequest.of(alice, bank, 5, "USD")))
                        .reason());
        byte[] bankHash = TransferHashes.zero();
        byte[] aliceHash = TransferHashes.zero();
        for (Transfer t : recorded) {
            byte[] stored = storedHash(store.schema(), t.id());
            if (t.source().equals(bank)) {
                bankHash = TransferHashes.chain(bankHash, t);
                assertArrayEquals(bankHash, stored, "chain hash of " + t);
            } else {
                aliceHash = TransferHashes.chain(aliceHash, t);
                assertArrayEquals(aliceHash, stored, "chain hash of " + t);
            }
        }
        assertTrue(recorded.get(0).recordedAt().isBefore(Instant.EPOCH), "the first transfer is dated before 1970");
        List<ChainHead> heads = ledger.chainHeads();
        assertEquals(
                List.of(ChainHead.of("alice", 0, aliceHash), ChainHead.of("bank", REFERENCES.length - 1, bankHash)),
                heads);
        VerificationReport report = ledger.verify(heads);
        assertTrue(report.ok(), report.describe());
        assertEquals(REFERENCES.length + 1, report.transfers());
        assertEquals(2, report.chains());
    }

    /** Only the owner can write the table directly, and even its rows must carry the right hash: verify() checks. */
    @Test
    void ownerInsertedRow_withForgedHash_verifyReportsHashMismatch() throws SQLException {
        PostgresLedgerStore store = DB.newStore();
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(AccountId.of("bank"), "USD"));
        ledger.open(NewAccount.of(AccountId.of("bob"), "USD"));
        UUID id = UUID.randomUUID();
        DB.sql("INSERT INTO " + store.schema() + ".transfer (source, source_index, id, destination, amount, currency,"
                + " recorded_at, source_debits, chain_hash) VALUES ('bank', 0, '" + id + "', 'bob', 7, 'USD', now(), 7,"
                + " '\\xdeadbeef')");
        VerificationReport report = ledger.verify();
        assertFalse(report.ok());
        assertTrue(
                report.describe().contains("HASH_MISMATCH") && report.describe().contains("bank"), report.describe());
    }

    /**
     * A credit row forged by the owner without a transfer: the balance counts it (the owner can write anything), and
     * verify() names it, since every credit row must be the copy of exactly one transfer.
     */
    @Test
    void ownerInsertedCreditRow_withoutTransfer_verifyReportsCreditMismatch() throws SQLException {
        PostgresLedgerStore store = DB.newStore();
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(AccountId.of("bank"), "USD"));
        ledger.open(NewAccount.of(AccountId.of("bob"), "USD"));
        UUID id = UUID.randomUUID();
        DB.sql("INSERT INTO " + store.schema() + ".credit (account, recorded_at, id, amount, source, source_index,"
                + " currency) VALUES ('bob', now(), '" + id + "', 500, 'bank', 0, 'USD')");
        assertEquals(500, ledger.balance(AccountId.of("bob")));
        VerificationReport report = ledger.verify();
        assertFalse(report.ok());
        assertTrue(
                report.findings().stream()
                        .anyMatch(f -> f.kind() == VerificationReport.Kind.CREDIT_MISMATCH
                                && id.equals(f.transferId())
                                && "bob".equals(f.account())),
                report.describe());
    }

    @Test
    void recursiveChainConstruction_equalsFunctionChains() throws SQLException {
        PostgresLedgerStore store = DB.newStore();
        Ledger ledger = Ledger.builder(store).build();
        AccountId bank = AccountId.of("bank");
        ledger.open(NewAccount.issuer(bank, "USD"));
        for (int i = 0; i < 20; i++) {
            ledger.open(NewAccount.of(AccountId.of("a" + i), "USD").withOpeningBalance(100 + i, bank));
        }
        for (int i = 0; i < 100; i++) {
            ledger.transfer(
                    TransferRequest.of(AccountId.of("a" + (i % 20)), AccountId.of("a" + ((i + 1) % 20)), 1, "USD")
                            .withReference(REFERENCES[i % REFERENCES.length]));
        }
        // The recursive construction (TamperEvidenceTest's bulk load uses it) gives append_transfers' hashes.
        String s = store.schema() + ".";
        long differing = DB.queryLong("WITH RECURSIVE chain AS ("
                + " SELECT t.source, t.source_index, sha256(decode(repeat('00', 32), 'hex') || " + s
                + "transfer_content(t.id,"
                + " t.source, t.source_index, t.destination, t.amount, t.currency, t.recorded_at, t.reference)) AS h"
                + " FROM " + s + "transfer t WHERE t.source_index = 0"
                + " UNION ALL SELECT t.source, t.source_index, sha256(c.h || " + s + "transfer_content(t.id, t.source,"
                + " t.source_index, t.destination, t.amount, t.currency, t.recorded_at, t.reference))"
                + " FROM chain c JOIN " + s
                + "transfer t ON t.source = c.source AND t.source_index = c.source_index + 1)"
                + " SELECT count(*) FILTER (WHERE c.h IS DISTINCT FROM t.chain_hash) + abs(count(*) - (SELECT count(*) FROM "
                + s + "transfer)) FROM chain c JOIN " + s + "transfer t USING (source, source_index)");
        assertEquals(0, differing);
        assertTrue(ledger.verify().ok());
    }

    private static byte[] storedHash(String schema, UUID id) throws SQLException {
        try (Connection c = DB.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT chain_hash FROM " + schema + ".transfer WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no transfer " + id);
                byte[] hash = rs.getBytes(1);
                assertEquals(
                        32, hash.length, "hash of " + id + ": " + HexFormat.of().formatHex(hash));
                return hash;
            }
        }
    }
}
