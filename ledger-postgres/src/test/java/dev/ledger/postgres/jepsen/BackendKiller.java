package dev.ledger.postgres.jepsen;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The backend-kill nemesis: every 200 ms, until stopped, terminates one backend chosen by the seed among those a filter
 * on {@code pg_stat_activity} selects (three times in four among the busy ones), on a connection it opens for the
 * round. Used on one node ({@link BackendKillFaultTest}) and on a Citus worker.
 */
public final class BackendKiller {
    private BackendKiller() {}

    /**
     * Runs until {@code stop}; counts the backends terminated in {@code kills}.
     *
     * @param server opens the connection of a round (to the server whose backends are terminated)
     * @param filter the condition on {@code pg_stat_activity} selecting the backends that may be terminated
     */
    public static void run(
            SplittableRandom random, AtomicBoolean stop, AtomicLong kills, Callable<Connection> server, String filter) {
        while (!stop.get()) {
            try (Connection c = server.call();
                    Statement find = c.createStatement();
                    PreparedStatement terminate = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
                List<Integer> active = new ArrayList<>();
                List<Integer> all = new ArrayList<>();
                try (ResultSet rs = find.executeQuery("SELECT pid, state = 'active' FROM pg_stat_activity WHERE "
                        + filter + " AND pid <> pg_backend_pid() ORDER BY pid")) {
                    while (rs.next()) {
                        all.add(rs.getInt(1));
                        if (rs.getBoolean(2)) {
                            active.add(rs.getInt(1));
                        }
                    }
                }
                List<Integer> pick = !active.isEmpty() && random.nextInt(4) != 0 ? active : all;
                if (!pick.isEmpty()) {
                    terminate.setInt(1, pick.get(random.nextInt(pick.size())));
                    try (ResultSet rs = terminate.executeQuery()) {
                        if (rs.next() && rs.getBoolean(1)) {
                            kills.incrementAndGet();
                        }
                    }
                }
            } catch (Exception e) {
                System.out.println("killer: " + e);
            }
            Bank.sleep(200);
        }
    }
}
