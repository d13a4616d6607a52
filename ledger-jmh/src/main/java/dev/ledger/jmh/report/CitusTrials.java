package dev.ledger.jmh.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The trials of one Citus run ({@link dev.ledger.jmh.CitusRun}), each a JMH result with its side file, named by a
 * stable key such as {@code uniform_cluster_16t}, {@code uniform_uncoalesced_single_16t}, {@code hot_zipf2_cluster_16t}
 * or {@code latency_cross_1t}.
 */
final class CitusTrials {
    static final String UNIFORM = "CitusTransferBenchmark";
    static final String HOT = "CitusHotBenchmark";
    static final String LATENCY = "CitusLatencyBenchmark";

    /** One trial: its key, the workload's name (without target), target, threads, JMH result and side file. */
    record Trial(
            String key,
            String workload,
            @Nullable String target,
            int threads,
            Results.@Nullable Jmh jmh,
            Results.Side side) {
        double score() {
            return jmh == null ? Double.NaN : jmh.score();
        }

        double side(Object... path) {
            return side == null ? Double.NaN : side.num(path);
        }

        /** A counter of the measurement window. */
        double client(String counter) {
            return side("measurement", "client", counter);
        }

        /** A counter over the whole trial. */
        double trialClient(String counter) {
            return side("trial", "client", counter);
        }

        /** Transfers per transaction that recorded any, from the rows over the whole trial; NaN when none. */
        double transfersPerTransaction() {
            double transactions = side("trial", "rows", "transactions");
            return transactions > 0 ? side("trial", "rows", "transfers") / transactions : Double.NaN;
        }

        boolean cluster() {
            return "cluster".equals(target);
        }
    }

    final List<Trial> all = new ArrayList<>();

    CitusTrials(Results r) {
        for (Results.Side s : r.sides) {
            String workload = workload(s.cls(), s.params(), s.threads());
            if (workload == null) {
                continue;
            }
            String target = s.cls().equals(LATENCY)
                    ? ("single".equals(s.params().get("pair")) ? "single" : "cluster")
                    : s.params().get("target");
            List<String> kv = new ArrayList<>();
            s.params().forEach((k, v) -> {
                kv.add(k);
                kv.add(v);
            });
            Results.Jmh j = r.find(s.cls(), s.method(), s.threads(), kv.toArray(String[]::new));
            String key = s.cls().equals(LATENCY) ? workload : workload + "_" + target + "_" + s.threads() + "t";
            all.add(new Trial(key, workload, target, s.threads(), j, s));
        }
        all.sort(Comparator.comparingInt(CitusTrials::order)
                .thenComparing(Trial::workload)
                .thenComparingInt(Trial::threads)
                .thenComparing(Trial::target));
    }

    /** uniform, uniform_uncoalesced, hot_zipf1, hot_zipf2, latency_same_1t, ...; null for other benchmarks. */
    private static @Nullable String workload(String cls, Map<String, String> params, int threads) {
        return switch (cls) {
            case UNIFORM -> "off".equals(params.get("coalescing")) ? "uniform_uncoalesced" : "uniform";
            case HOT ->
                "hot_zipf" + Objects.requireNonNull(params.get("s"), "s").replace(".0", "");
            case LATENCY -> "latency_" + params.get("pair") + "_" + threads + "t";
            default -> null;
        };
    }

    private static int order(Trial t) {
        return t.workload().startsWith("uniform") ? 0 : t.workload().startsWith("hot") ? 1 : 2;
    }

    /** The trial with this key, or null. */
    @Nullable
    Trial get(String key) {
        for (Trial t : all) {
            if (t.key().equals(key)) {
                return t;
            }
        }
        return null;
    }

    /** The throughput trials' workloads at their thread counts, in order: {@code uniform@16}, ... */
    List<String> throughputRows() {
        List<String> rows = new ArrayList<>();
        for (Trial t : all) {
            String row = t.workload() + "@" + t.threads();
            if (!t.workload().startsWith("latency") && !rows.contains(row)) {
                rows.add(row);
            }
        }
        return rows;
    }

    /** The nodes named in the side files, coordinator first. */
    List<String> nodes() {
        List<String> names = new ArrayList<>();
        for (Trial t : all) {
            if (t.side() != null) {
                for (JsonNode n : Json.list(t.side().json(), "nodes")) {
                    String name = Json.str(n, "name");
                    if (!names.contains(name)) {
                        names.add(name);
                    }
                }
            }
        }
        return names;
    }

    /** The values of one trial for summary.json. */
    static Map<String, Object> describe(Trial t, List<String> nodes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", t.target());
        m.put("threads", t.threads());
        if (t.jmh() != null) {
            m.put("jmh_score", t.score());
            m.put("jmh_score_error", t.jmh().error());
            m.put("jmh_unit", t.jmh().unit());
        }
        m.put("recorded_per_second", t.side("measurement", "recorded_per_second"));
        m.put("transfers_recorded_in_trial", t.side("trial", "rows", "transfers"));
        if (t.cluster()) {
            m.put("accounts_on_two_workers_share", t.side("trial", "rows", "accounts_on_two_workers_share"));
            m.put("rows_on_two_or_more_workers_share", t.side("trial", "rows", "rows_on_two_or_more_workers_share"));
            m.put(
                    "transactions_with_rows_on_two_or_more_workers_share",
                    t.side("trial", "rows", "transactions_with_rows_on_two_or_more_workers_share"));
        }
        m.put("transfers_per_transaction", t.transfersPerTransaction());
        m.put("prepared_workers_per_transfer", CitusReport.preparedPerTransfer(t));
        Map<String, Object> cpu = new LinkedHashMap<>();
        for (String n : nodes) {
            cpu.put(n, t.side("measurement", "cpu", "ms_per_transfer", n));
        }
        cpu.put("jvm", t.side("measurement", "cpu", "ms_per_transfer", "jvm"));
        m.put("cpu_ms_per_transfer", cpu);
        m.put("machine_busy_pct", t.side("measurement", "cpu", "machine_busy_pct"));
        m.put("other_processes_pct", t.side("measurement", "cpu", "pct_of_machine", "other"));
        m.put("load_average_1m_end", t.side("measurement", "load_average_1m_end"));
        m.put("attempts_per_transfer", t.client("attempts") / t.client("ops"));
        m.put("retries", t.client("retries"));
        m.put("gave_up", t.client("failures"));
        m.put("rejected", t.client("rejected"));
        return m;
    }
}
