package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ledger.core.internal.TransferHashes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * What a superuser can record behind the guard's back: a transfer row inserted with the guard trigger disabled (and
 * enabled again), with its index, cumulative debits and chain hash computed consistently, so that the only problem is
 * the one the forger intends.
 */
final class Forgery {
    private Forgery() {}

    /** Inserts the transfer as the next debit of {@code source}; returns its id. */
    static UUID transfer(LedgerDatabase db, String schema, String source, String destination, long amount, Instant at)
            throws SQLException {
        String t = schema + ".transfer";
        UUID id = UUID.randomUUID();
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            long index = 0;
            long debits = 0;
            byte[] hash = TransferHashes.zero();
            try (PreparedStatement ps = c.prepareStatement("SELECT source_index, source_debits, chain_hash FROM " + t
                    + " WHERE source = ? ORDER BY source_index DESC LIMIT 1")) {
                ps.setString(1, source);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        index = rs.getLong(1) + 1;
                        debits = rs.getLong(2);
                        hash = rs.getBytes(3);
                    }
                }
            }
            long micros = TransferHashes.epochMicros(at);
            byte[] chained = TransferHashes.chain(
                    hash, TransferHashes.content(id, source, index, destination, amount, "USD", micros, "forged"));
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO " + t + " (source, source_index, id, destination,"
                            + " amount, currency, recorded_at, reference, source_debits, chain_hash)"
                            + " VALUES (?, ?, ?, ?, ?, 'USD', ?, 'forged', ?, ?)")) {
                ps.setString(1, source);
                ps.setLong(2, index);
                ps.setObject(3, id);
                ps.setString(4, destination);
                ps.setLong(5, amount);
                ps.setObject(6, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                ps.setLong(7, Math.addExact(debits, amount));
                ps.setBytes(8, chained);
                assertEquals(1, ps.executeUpdate());
            }
            try (Statement st = c.createStatement()) {
                st.execute(LedgerDatabase.creditRowsOf(schema));
            }
            c.commit();
        }
        return id;
    }
}
