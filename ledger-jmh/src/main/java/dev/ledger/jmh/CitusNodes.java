package dev.ledger.jmh;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The nodes of a Citus cluster as its coordinator names them: the coordinator, then the active workers by port
 * ({@code worker1}, {@code worker2}, ...), each with a JDBC URL of the same database, user and parameters.
 */
final class CitusNodes {
    /** One node: a short name for the report, its port and URL. */
    record Node(String name, String host, int port, String url) {}

    /** How long a DROP SCHEMA of the benchmarks waits for its locks before it gives up. */
    static final String DROP_LOCK_TIMEOUT = "20s";

    private final List<Node> nodes;

    private CitusNodes(List<Node> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /**
     * Reads the active workers from the coordinator at {@code coordinatorUrl}; fails with instructions when it is not a
     * Citus coordinator with at least two workers.
     */
    static CitusNodes discover(String coordinatorUrl) {
        List<Node> nodes = new ArrayList<>();
        nodes.add(
                new Node("coordinator", JdbcUrls.host(coordinatorUrl), JdbcUrls.port(coordinatorUrl), coordinatorUrl));
        try (Connection c = DriverManager.getConnection(coordinatorUrl);
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_extension WHERE extname = 'citus'")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    throw new IllegalStateException(
                            JdbcUrls.redact(coordinatorUrl) + " has no citus extension: give the URL"
                                    + " of a Citus coordinator (--citus-url); ../shared/citus/README.md starts one");
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT node_name, node_port FROM citus_get_active_worker_nodes()"
                    + " ORDER BY node_port, node_name")) {
                while (rs.next()) {
                    String host = rs.getString(1);
                    int port = rs.getInt(2);
                    nodes.add(new Node(
                            "worker" + nodes.size(), host, port, JdbcUrls.withHostPort(coordinatorUrl, host, port)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot reach the Citus coordinator at " + JdbcUrls.redact(coordinatorUrl) + ": " + e.getMessage(),
                    e);
        }
        if (nodes.size() < 3) {
            throw new IllegalStateException("the cluster at " + JdbcUrls.redact(coordinatorUrl) + " has "
                    + (nodes.size() - 1) + " active worker(s); the Citus benchmarks need at least 2");
        }
        return new CitusNodes(nodes);
    }

    /** The coordinator first, then the workers by port. */
    List<Node> all() {
        return nodes;
    }

    /** The workers, by port: worker index i is {@code workers().get(i)}. */
    List<Node> workers() {
        return nodes.subList(1, nodes.size());
    }

    /** The index of the worker with this port in {@link #workers()}, or -1. */
    int workerIndex(int port) {
        for (int i = 1; i < nodes.size(); i++) {
            if (nodes.get(i).port() == port) {
                return i - 1;
            }
        }
        return -1;
    }

    /** Whether every node runs on this machine, so that their processes' CPU time can be read from /proc. */
    boolean local() {
        for (Node n : nodes) {
            String h = n.host();
            if (!(h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1"))) {
                return false;
            }
        }
        return true;
    }

    /** Drops every schema whose name starts with {@code bench_} (leftovers of an interrupted run); returns them. */
    static List<String> dropBenchSchemas(String coordinatorUrl) throws SQLException {
        List<String> found = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(coordinatorUrl);
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(
                    "SELECT quote_ident(nspname) FROM pg_namespace" + " WHERE nspname LIKE 'bench\\_%' ORDER BY 1")) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            // (never wait long behind someone else's DDL or shard move on the cluster: give up, and say so)
            st.execute("SET lock_timeout = '" + DROP_LOCK_TIMEOUT + "'");
            for (String schema : found) {
                try {
                    st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                    dropped.add(schema);
                } catch (SQLException e) {
                    System.err.println("warning: could not drop schema " + schema + ": " + e.getMessage());
                }
            }
        }
        return dropped;
    }
}
