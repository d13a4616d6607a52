package dev.ledger.jmh;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What one Citus benchmark trial measures besides JMH's score, between the start of its first measurement iteration and
 * the end of its last: the client's counters, and CPU time from /proc (the whole machine, this JVM, and each node's
 * PostgreSQL server: postmaster and children, {@link ServerCpu}), with the load average at both ends. Over the whole
 * trial: deadlocks and prepared transactions left on every node, and the workers Citus prepared for two-phase commits.
 */
final class ClusterMeter {
    private static final double TICK_MS = 10.0;
    /** The application_name of the benchmark's connections to the coordinator. */
    static final String APPLICATION_NAME = "ledger-bench";
    /** Client sessions on the coordinator that are not the benchmark's (nor Citus's own), busy at this instant. */
    private static final String OTHER_CLIENTS = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client"
            + " backend' AND state <> 'idle' AND pid <> pg_backend_pid() AND application_name <> '" + APPLICATION_NAME
            + "' AND application_name NOT LIKE 'citus%'";
    /**
     * Rows written so far into the coordinator's {@code pg_dist_transaction}: Citus records there each worker's part of
     * a transaction it commits by two-phase commit, one per worker it prepares (the maintenance daemon deletes them
     * later).
     */
    private static final String TWO_PHASE_RECORDS = "SELECT coalesce((SELECT n_tup_ins FROM pg_stat_all_tables"
            + " WHERE relid = to_regclass('pg_catalog.pg_dist_transaction')), -1)";

    private final CitusNodes nodes;
    private final Supplier<Map<String, Long>> counters;
    private final Map<String, Long> postmasters = new LinkedHashMap<>();
    private final Map<String, Long> deadlocksAtStart;
    private final long twoPhaseAtStart;
    private @Nullable Sample start;
    private @Nullable Sample end;
    private int measurementsDone;

    /** A state of the trial at one instant. */
    private record Sample(
            long nanos,
            Map<String, Long> counters,
            CpuSample cpu,
            Map<Long, Long> servers,
            double load,
            long otherClients) {}

    /**
     * @param counters the client's counters at this instant (each call a new map); {@code recorded} is the count of
     *     transfers recorded, which the CPU is divided by
     */
    ClusterMeter(CitusNodes nodes, Supplier<Map<String, Long>> counters) {
        this.nodes = nodes;
        this.counters = counters;
        if (nodes.local()) {
            for (CitusNodes.Node n : nodes.all()) {
                postmasters.put(n.name(), postmaster(n));
            }
        }
        this.deadlocksAtStart = perNode("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
        this.twoPhaseAtStart = coordinator(TWO_PHASE_RECORDS);
    }

    /** A scalar from the coordinator; -1 when it failed. */
    private long coordinator(String sql) {
        try (Connection c = DriverManager.getConnection(nodes.all().get(0).url());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    /**
     * Waits (5 s at most) until the benchmark's sessions on the coordinator have ended: a backend reports its
     * statistics ({@code pg_stat_*}, read by {@link #trial()}) when it exits, and otherwise up to seconds later.
     */
    void awaitSessionsGone() {
        for (int i = 0;
                i < 100
                        && coordinator("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                                        + APPLICATION_NAME + "'")
                                > 0;
                i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static long postmaster(CitusNodes.Node n) {
        try (Connection c = DriverManager.getConnection(n.url());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return ServerCpu.postmasterOf(rs.getLong(1));
        } catch (SQLException e) {
            return -1;
        }
    }

    /** A scalar from every node, by name; -1 where it failed. */
    Map<String, Long> perNode(String sql) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (CitusNodes.Node n : nodes.all()) {
            try (Connection c = DriverManager.getConnection(n.url());
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                out.put(n.name(), rs.getLong(1));
            } catch (SQLException e) {
                out.put(n.name(), -1L);
            }
        }
        return out;
    }

    private Sample sample() {
        long others = -1;
        try (Connection c = DriverManager.getConnection(nodes.all().get(0).url());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(OTHER_CLIENTS)) {
            rs.next();
            others = rs.getLong(1);
        } catch (SQLException e) {
            // unknown: -1
        }
        return new Sample(
                System.nanoTime(),
                counters.get(),
                CpuSample.take(List.of()),
                ServerCpu.ticks(postmasters.values()),
                ServerCpu.loadAverage(),
                others);
    }

    /** At the start of every iteration: samples at the first measurement iteration. */
    void iterationStarts(boolean measurement) {
        if (measurement && start == null) {
            start = sample();
        }
    }

    /** At the end of every iteration: samples after the last measurement iteration ({@code count} of them). */
    void iterationEnds(boolean measurement, int count) {
        if (measurement && ++measurementsDone == count) {
            end = sample();
        }
    }

    /** The measurement window: seconds, counters, rates and CPU; empty when it did not complete. */
    Map<String, Object> measurement() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (start == null || end == null) {
            return m;
        }
        double seconds = (end.nanos - start.nanos) / 1e9;
        Map<String, Long> c = Counters.delta(start.counters, end.counters);
        long recorded = c.getOrDefault("recorded", 0L);
        m.put("seconds", seconds);
        m.put("client", c);
        m.put("recorded_per_second", recorded / seconds);
        CpuSample.Delta cpu = end.cpu.minus(start.cpu);
        Map<String, Object> ms = new LinkedHashMap<>();
        Map<String, Object> pct = new LinkedHashMap<>();
        long servers = 0;
        boolean serversKnown = !postmasters.isEmpty();
        for (Map.Entry<String, Long> e : postmasters.entrySet()) {
            long pm = e.getValue();
            long a = start.servers.getOrDefault(pm, -1L);
            long b = end.servers.getOrDefault(pm, -1L);
            long ticks = pm < 0 || a < 0 || b < 0 ? -1 : b - a;
            serversKnown &= ticks >= 0;
            servers += Math.max(0, ticks);
            ms.put(e.getKey(), ticks < 0 || recorded == 0 ? -1 : ticks * TICK_MS / recorded);
            pct.put(e.getKey(), ticks < 0 || cpu.machineTotal() <= 0 ? -1 : 100.0 * ticks / cpu.machineTotal());
        }
        ms.put("jvm", cpu.jvm() < 0 || recorded == 0 ? -1 : cpu.jvm() * TICK_MS / recorded);
        Map<String, Object> cpuMap = new LinkedHashMap<>();
        cpuMap.put("ms_per_transfer", ms);
        if (cpu.machineTotal() > 0) {
            long busy = cpu.machineTotal() - cpu.machineIdle();
            pct.put("jvm", cpu.jvm() < 0 ? -1 : 100.0 * cpu.jvm() / cpu.machineTotal());
            pct.put(
                    "other",
                    !serversKnown || cpu.jvm() < 0
                            ? -1
                            : 100.0 * Math.max(0, busy - servers - cpu.jvm()) / cpu.machineTotal());
            pct.put("idle", 100.0 * cpu.machineIdle() / cpu.machineTotal());
            cpuMap.put("machine_busy_pct", 100.0 * busy / cpu.machineTotal());
            cpuMap.put("machine_busy_cores", busy / (seconds * 100.0));
        }
        cpuMap.put("pct_of_machine", pct);
        cpuMap.put("servers_measured", serversKnown);
        m.put("cpu", cpuMap);
        m.put("load_average_1m_start", start.load);
        m.put("load_average_1m_end", end.load);
        // (a glimpse, at both ends: another client's work on these servers counts in their CPU columns)
        m.put("other_busy_clients_on_coordinator", Math.max(start.otherClients, end.otherClients));
        return m;
    }

    /**
     * Over the whole trial (call after {@link #awaitSessionsGone()}), per node: deadlocks ({@code pg_stat_database})
     * and prepared transactions left, and whether a node's postmaster changed (a restart: its CPU figures are then
     * void); on the coordinator, the rows written into {@code pg_dist_transaction} (other clients' included).
     */
    Map<String, Object> trial() {
        Map<String, Object> m = new LinkedHashMap<>();
        long twoPhase = coordinator(TWO_PHASE_RECORDS);
        m.put("two_phase_records", twoPhase < 0 || twoPhaseAtStart < 0 ? -1 : twoPhase - twoPhaseAtStart);
        Map<String, Long> deadlocks =
                perNode("SELECT deadlocks FROM pg_stat_database" + " WHERE datname = current_database()");
        Map<String, Object> d = new LinkedHashMap<>();
        deadlocks.forEach((k, v) -> {
            Long atStart = deadlocksAtStart.get(k);
            d.put(k, v < 0 || Objects.requireNonNull(atStart, k) < 0 ? -1 : v - atStart);
        });
        m.put("deadlocks", d);
        m.put("prepared_transactions_left", perNode("SELECT count(*) FROM pg_prepared_xacts"));
        if (nodes.local()) {
            Map<String, Object> restarted = new LinkedHashMap<>();
            for (CitusNodes.Node n : nodes.all()) {
                restarted.put(n.name(), postmaster(n) != Objects.requireNonNull(postmasters.get(n.name()), n.name()));
            }
            m.put("restarted", restarted);
        }
        return m;
    }
}
