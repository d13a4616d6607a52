package dev.ledger.postgres;

import dev.ledger.core.LedgerUnavailableException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Classifies what the database reported; keeps SQLException out of the public API. */
final class Errors {
    static final String UNIQUE_VIOLATION = "23505";
    static final String FOREIGN_KEY_VIOLATION = "23503";
    static final String CHECK_VIOLATION = "23514";
    static final String SERIALIZATION_FAILURE = "40001";
    static final String DEADLOCK_DETECTED = "40P01";
    static final String HISTORY_IMMUTABLE = "LG001";
    /** open_account: its funding transfer was refused (the hint is append_transfers' status). */
    static final String FUNDING_REFUSED = "LG002";
    /** invalid_transaction_state: append_transfers' refusal of a transfer outside READ COMMITTED. */
    static final String INVALID_TRANSACTION_STATE = "25000";

    private Errors() {}

    /** The SQLException behind an exception, if any. */
    static @Nullable SQLException sqlException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }

    static @Nullable String sqlState(@Nullable SQLException e) {
        return e == null ? null : e.getSQLState();
    }

    /** The constraint the server named in its error, if any. */
    static @Nullable String constraint(@Nullable SQLException e) {
        if (e instanceof PSQLException psql) {
            ServerErrorMessage message = psql.getServerErrorMessage();
            return message == null ? null : message.getConstraint();
        }
        return null;
    }

    /** The server's hint, if any. */
    static @Nullable String hint(@Nullable SQLException e) {
        if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
            return psql.getServerErrorMessage().getHint();
        }
        return null;
    }

    /** The server's own message, without the driver's decorations. */
    static String serverMessage(SQLException e) {
        if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
            String message = psql.getServerErrorMessage().getMessage();
            if (message != null) {
                return message;
            }
        }
        return String.valueOf(e.getMessage());
    }

    static boolean isRetryable(@Nullable String sqlState) {
        return SERIALIZATION_FAILURE.equals(sqlState) || DEADLOCK_DETECTED.equals(sqlState);
    }

    /**
     * The infrastructure exception for a failure that is not a rule. {@code write} says whether a write may have been
     * sent: then a broken connection leaves the outcome unknown.
     */
    static LedgerUnavailableException unavailable(
            Exception e, String action, boolean write, @Nullable UUID transferId) {
        SQLException sql = sqlException(e);
        boolean beforeSending = sql instanceof SQLTransientConnectionException;
        boolean connectionLost = !beforeSending && isConnectionLoss(sql, e);
        LedgerUnavailableException.Kind kind = write && connectionLost
                ? LedgerUnavailableException.Kind.OUTCOME_UNKNOWN
                : LedgerUnavailableException.Kind.STORE_UNAVAILABLE;
        String state = sqlState(sql);
        String detail = sql != null ? serverMessage(sql) : String.valueOf(e.getMessage());
        String hint = kind == LedgerUnavailableException.Kind.OUTCOME_UNKNOWN
                ? "; the transfer may or may not be recorded: retry with the same transfer id"
                : "42501".equals(state)
                        ? "; the database role lacks a privilege the ledger needs (README, \"A least-privilege"
                                + " application role\"); nothing was recorded"
                        : "";
        return new LedgerUnavailableException(
                kind,
                action + " failed" + (state != null ? " (SQLSTATE " + state + ")" : "") + ": " + detail + hint,
                transferId,
                e);
    }

    private static boolean isConnectionLoss(@Nullable SQLException sql, Throwable e) {
        String state = sqlState(sql);
        if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
            return true; // connection exception; admin shutdown / crash shutdown / cannot connect now
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        // Anything else we cannot classify: assume the worst for writes.
        return state == null;
    }
}
