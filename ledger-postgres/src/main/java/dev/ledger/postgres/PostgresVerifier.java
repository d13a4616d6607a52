package dev.ledger.postgres;

import dev.ledger.core.ChainHead;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.VerificationReport;
import dev.ledger.core.internal.LedgerVerifier;
import dev.ledger.core.internal.TransferHashes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Verification of a PostgreSQL ledger: streams the accounts, the credit checkpoints, then every transfer ordered by
 * {@code (source, source_index)} (the primary key's order), then the credit rows that do not match their transfer, then
 * both legs of every transfer ordered by {@code (account, recorded_at)} (for the balances over time), each through a
 * forward-only cursor into {@link LedgerVerifier}; memory is proportional to the number of accounts, not of transfers.
 */
final class PostgresVerifier {
    static final int FETCH_SIZE = 5_000;

    /** A report and the chain heads seen by the same pass. */
    record Result(VerificationReport report, List<ChainHead> heads) {}

    private PostgresVerifier() {}

    /** Verifies in one {@code REPEATABLE READ READ ONLY} transaction (one snapshot) on a connection of its own. */
    static Result verify(DataSource dataSource, String schema, Collection<ChainHead> trustedHeads) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
                return verify(c, schema, trustedHeads);
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                    "verifying schema " + schema + " failed: " + e.getMessage(),
                    e);
        }
    }

    /**
     * Verifies through {@code c} within its current transaction (a forward-only cursor needs one: with auto-commit on,
     * it is switched off for the call and restored). Sees what that transaction sees, uncommitted changes of its own
     * included.
     */
    static Result verify(Connection c, String schema, Collection<ChainHead> trustedHeads) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        if (autoCommit) {
            c.setAutoCommit(false);
        }
        try {
            return run(c, schema, trustedHeads);
        } finally {
            if (autoCommit) {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    /** A forward-only read of the named statement (sql/NAME.sql), fetched in chunks. */
    private static PreparedStatement read(Connection c, String name, String schema) throws SQLException {
        PreparedStatement ps = c.prepareStatement(
                NamedSql.load(name, schema).sql(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
        ps.setFetchSize(FETCH_SIZE);
        return ps;
    }

    private static Result run(Connection c, String schema, Collection<ChainHead> trustedHeads) throws SQLException {
        LedgerVerifier verifier = new LedgerVerifier(trustedHeads);
        try (PreparedStatement ps = read(c, "verify_accounts", schema);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                boolean issuer = rs.getBoolean(3);
                long lowerLimit = rs.getLong(4);
                boolean noLowerLimit = issuer || rs.wasNull();
                long upperLimit = rs.getLong(5);
                boolean noUpperLimit = rs.wasNull();
                verifier.account(
                        rs.getString(1),
                        rs.getString(2),
                        issuer,
                        noLowerLimit ? Long.MIN_VALUE : lowerLimit,
                        noUpperLimit ? Long.MAX_VALUE : upperLimit);
            }
        }
        try (PreparedStatement ps = read(c, "verify_checkpoints", schema);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Long through = micros(rs.getObject(2, OffsetDateTime.class));
                if (through != null) {
                    verifier.checkpoint(rs.getString(1), through, rs.getLong(3));
                }
            }
        }
        try (PreparedStatement ps = read(c, "verify_latest_allowed_time", schema);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            Long latest = micros(rs.getObject(1, OffsetDateTime.class));
            if (latest != null) {
                verifier.latestAllowedTime(latest);
            }
        }
        try (PreparedStatement ps = read(c, "verify_stored_credits", schema);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                verifier.storedCredits(rs.getString(1), rs.getBigDecimal(2).toBigInteger());
            }
        }
        try (PreparedStatement ps = read(c, "verify_transfers", schema);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                byte[] hash = rs.getBytes(10);
                verifier.transfer(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getString(4),
                        rs.getLong(5),
                        rs.getString(6),
                        micros(rs.getObject(7, OffsetDateTime.class)),
                        rs.getString(8),
                        Rows.metadata(rs, "metadata"),
                        Rows.kind(rs.getInt("kind")),
                        rs.getObject("pending_id", UUID.class),
                        micros(rs.getObject("expires_at", OffsetDateTime.class)),
                        rs.getLong(9),
                        hash == null ? new byte[0] : hash);
            }
        }
        try (PreparedStatement ps = read(c, "verify_credits", schema);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                verifier.creditMismatch(
                        rs.getObject(1, UUID.class),
                        rs.getBoolean(2),
                        rs.getBoolean(3),
                        rs.getString(4),
                        rs.getLong(5),
                        rs.getString(6));
            }
        }
        // The balances over time: both legs of every transfer, by account in time order, in the same snapshot.
        try (PreparedStatement ps = read(c, "verify_legs", schema);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                verifier.balanceChange(
                        rs.getString(1),
                        legMicros(rs.getObject(2, OffsetDateTime.class)),
                        rs.getBoolean(3),
                        rs.getLong(4),
                        rs.getObject(5, UUID.class),
                        rs.getString(6),
                        rs.getLong(7));
            }
        }
        VerificationReport report = verifier.finish();
        return new Result(report, verifier.heads());
    }

    /** Microseconds since the epoch, or null for a time that has none (infinity, or out of range). */
    private static @Nullable Long micros(@Nullable OffsetDateTime t) {
        if (t == null || t.equals(OffsetDateTime.MAX) || t.equals(OffsetDateTime.MIN)) {
            return null;
        }
        try {
            return TransferHashes.epochMicros(t.toInstant());
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /** Microseconds since the epoch; the extreme longs for times before or after every finite one. */
    private static long legMicros(OffsetDateTime t) {
        if (t.equals(OffsetDateTime.MIN)) {
            return Long.MIN_VALUE;
        }
        if (t.equals(OffsetDateTime.MAX)) {
            return Long.MAX_VALUE;
        }
        try {
            return TransferHashes.epochMicros(t.toInstant());
        } catch (ArithmeticException e) {
            return t.toInstant().isBefore(java.time.Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** The newest link of every chain, from the primary key. */
    static List<ChainHead> chainHeads(DataSource dataSource, String schema) {
        List<ChainHead> heads = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(NamedSql.load("chain_heads", schema).sql());
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                heads.add(ChainHead.of(rs.getString(1), rs.getLong(2), rs.getBytes(3)));
            }
            return heads;
        } catch (SQLException e) {
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                    "reading the chain heads of schema " + schema + " failed: " + e.getMessage(),
                    e);
        }
    }
}
