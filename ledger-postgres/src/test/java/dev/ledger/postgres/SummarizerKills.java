package dev.ledger.postgres;

import java.sql.SQLException;
import java.util.function.BooleanSupplier;

/** The summary tests' one way of killing the background summariser mid-step. */
final class SummarizerKills {
    private SummarizerKills() {}

    /** A scalar query on the server whose backends are killed (a single server or a Citus coordinator). */
    @FunctionalInterface
    interface Query {
        long scalar(String sql) throws SQLException;
    }

    /**
     * Terminates the backends running a {@code summarizer_step} of {@code schema} now, polling every {@code pollMillis}
     * until one is found or {@code stop} says so; returns how many were terminated (0 only when stopped).
     *
     * <p>Only a step in progress ({@code state = 'active'}, found by the statement the summariser sends:
     * {@code pg_stat_activity} shows the call, not the statements inside the function). An idle pooled connection still
     * shows the step as its last query, and a writer may take that connection next; killing it would fail the writer
     * with an unknown outcome, which is the test's doing, not the ledger's.
     */
    static long terminateStepInProgress(Query query, String schema, BooleanSupplier stop, long pollMillis)
            throws SQLException, InterruptedException {
        String sql = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                + " AND state = 'active' AND query LIKE '%" + schema + ".summarizer_step(%'";
        while (!stop.getAsBoolean()) {
            long ended = query.scalar(sql);
            if (ended > 0) {
                return ended;
            }
            Thread.sleep(pollMillis);
        }
        return 0;
    }
}
