package dev.ledger.jmh.report;

import static dev.ledger.jmh.report.Markdown.fmt0;
import static dev.ledger.jmh.report.Markdown.fmt1;
import static dev.ledger.jmh.report.Markdown.fmt2;
import static dev.ledger.jmh.report.Markdown.fmt3;
import static dev.ledger.jmh.report.Markdown.fmtMs;
import static dev.ledger.jmh.report.Markdown.summaryValue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The Markdown report of one Citus run ({@code docs/benchmarks-citus.md}): the prose is
 * {@code benchmarks-citus.md.tmpl} (a resource beside this class), filled here with the run's numbers and tables.
 */
final class CitusMarkdown {
    private static final Template TEMPLATE = Template.load("benchmarks-citus.md.tmpl");

    private final Results r;
    private final CitusTrials trials;
    private final Map<String, Double> s;
    private final String command;
    private final List<String> nodes;

    CitusMarkdown(Results r, CitusTrials trials, Map<String, Double> headline, String command) {
        this.r = r;
        this.trials = trials;
        this.s = headline;
        this.command = command;
        this.nodes = trials.nodes();
    }

    String render() {
        List<String> values = new ArrayList<>(List.of(
                "command",
                command,
                "started",
                String.valueOf(Json.str(r.run, "started")),
                "elapsed_seconds",
                fmt0(Json.num(r.run, "elapsed_seconds")),
                "notices",
                notices(),
                "throughput_rows",
                throughputRows(),
                "crossing_rows",
                crossingRows(),
                "retry_rows",
                retryRows(),
                "cpu_not_measured",
                Json.isFalse(r.run, "cpu_from_proc") ? TEMPLATE.render("cpu_not_measured") : ""));
        values.addAll(setup());
        values.addAll(latency());
        values.addAll(cpu());
        return TEMPLATE.render("document", values.toArray(String[]::new));
    }

    private String notices() {
        StringBuilder b = new StringBuilder();
        if ("citus-smoke".equals(Json.str(r.run, "mode"))) {
            b.append(TEMPLATE.render("notice_smoke"));
        }
        double other = 0;
        int n = 0;
        for (CitusTrials.Trial t : trials.all) {
            double o = t.side("measurement", "cpu", "pct_of_machine", "other");
            if (o >= 0) {
                other += o;
                n++;
            }
        }
        int busy = 0;
        for (CitusTrials.Trial t : trials.all) {
            busy += t.side("measurement", "other_busy_clients_on_coordinator") > 0 ? 1 : 0;
        }
        int changed = 0;
        for (CitusTrials.Trial t : trials.all) {
            boolean restarted = t.side() != null
                    && Json.members(t.side().json(), "trial", "restarted").values().stream()
                            .anyMatch(Json::isTrue);
            changed += restarted || t.side("setup", "accounts_on_unknown_workers") > 0 ? 1 : 0;
        }
        if (changed > 0) {
            b.append(TEMPLATE.render("notice_cluster_changed", "trials", Integer.toString(changed)));
        }
        if (busy > 0) {
            b.append(TEMPLATE.render(
                    "notice_shared_cluster",
                    "busy",
                    Integer.toString(busy),
                    "trials",
                    Integer.toString(trials.all.size())));
        }
        if (n > 0 && other / n > 15) {
            b.append(TEMPLATE.render("notice_noisy", "other_pct", String.format(Locale.ROOT, "%.0f", other / n)));
        }
        return b.toString();
    }

    private List<String> setup() {
        StringBuilder nodeList = new StringBuilder();
        for (JsonNode node : Json.list(r.run, "nodes")) {
            if (nodeList.length() > 0) {
                nodeList.append(", ");
            }
            nodeList.append(Json.str(node, "name"))
                    .append(" `")
                    .append(Json.str(node, "url"))
                    .append('`');
        }
        JsonNode settings = Json.at(r.run, "groups", 0, "settings");
        return List.of(
                "cores",
                fmt0(Json.num(r.run, "cores")),
                "load_start",
                fmt2(Json.num(r.run, "load_average_1m_start")),
                "load_end",
                fmt2(Json.num(r.run, "load_average_1m_end")),
                "citus_version",
                String.valueOf(Json.str(r.run, "citus_version")),
                "server_version",
                String.valueOf(Json.str(nodeSettings("coordinator"), "server_version")),
                "nodes",
                nodeList.toString(),
                "settings",
                settingsLine(),
                "shard_count",
                fmt0(Json.num(r.run, "shard_count")),
                "uniform_accounts",
                fmt0(Json.num(r.run, "uniform_accounts")),
                "hot_accounts",
                fmt0(Json.num(r.run, "hot_accounts")),
                "latency_accounts",
                fmt0(Json.num(r.run, "latency_accounts")),
                "pool_size",
                fmt0(Json.num(r.run, "pool_size")),
                "summarizer",
                TEMPLATE.renderLine(Json.isTrue(r.run, "summarizer") ? "summarizer_on" : "summarizer_off"),
                "forks",
                fmt0(Json.num(settings, "forks")),
                "warmup_iterations",
                fmt0(Json.num(settings, "warmup_iterations")),
                "warmup_seconds",
                fmt0(Json.num(settings, "warmup_seconds")),
                "iterations",
                fmt0(Json.num(settings, "iterations")),
                "iteration_seconds",
                fmt0(Json.num(settings, "iteration_seconds")));
    }

    private @Nullable JsonNode nodeSettings(String name) {
        for (JsonNode node : Json.list(r.run, "nodes")) {
            if (name.equals(Json.str(node, "name"))) {
                return Json.at(node, "settings");
            }
        }
        return null;
    }

    /** fsync, synchronous_commit, full_page_writes of every node, collapsed when they agree. */
    private String settingsLine() {
        StringBuilder b = new StringBuilder();
        for (String key : new String[] {"fsync", "synchronous_commit", "full_page_writes", "max_connections"}) {
            StringBuilder values = new StringBuilder();
            String first = null;
            boolean same = true;
            for (JsonNode node : Json.list(r.run, "nodes")) {
                String v = Json.str(node, "settings", key);
                first = first == null ? v : first;
                same &= String.valueOf(v).equals(first);
                values.append(values.length() > 0 ? "/" : "").append(v);
            }
            b.append(b.length() > 0 ? ", " : "")
                    .append('`')
                    .append(key)
                    .append(" = ")
                    .append(same ? first : values.toString())
                    .append('`');
        }
        return b.toString();
    }

    private String throughputRows() {
        List<String> rows = new ArrayList<>();
        for (String row : trials.throughputRows()) {
            String workload = row.substring(0, row.indexOf('@'));
            int threads = Integer.parseInt(row.substring(row.indexOf('@') + 1));
            CitusTrials.Trial c = trials.get(workload + "_cluster_" + threads + "t");
            CitusTrials.Trial n = trials.get(workload + "_single_" + threads + "t");
            rows.add("| " + label(workload) + " | " + threads + " | " + score(c) + " | " + score(n) + " | "
                    + fmt3(c == null || n == null ? Double.NaN : c.score() / n.score()) + " |");
        }
        return Template.lines(rows);
    }

    private static String label(String workload) {
        return switch (workload) {
            case "uniform" -> "uniform";
            case "uniform_uncoalesced" -> "uniform, uncoalesced";
            case "hot_zipf1" -> "hot, Zipf s = 1.0";
            case "hot_zipf2" -> "hot, Zipf s = 2.0";
            case "latency_same_1t" -> "latency, same worker";
            case "latency_cross_1t" -> "latency, different workers";
            default -> workload;
        };
    }

    private static String score(CitusTrials.@Nullable Trial t) {
        if (t == null || t.jmh() == null) {
            return "n/a";
        }
        return fmt0(t.score()) + " ± " + fmt0(t.jmh().error());
    }

    private String crossingRows() {
        List<String> rows = new ArrayList<>();
        for (CitusTrials.Trial t : trials.all) {
            if (!t.cluster()) {
                continue;
            }
            rows.add("| " + label(t.workload()) + " | " + t.threads() + " | "
                    + fmt0(t.side("trial", "rows", "transfers"))
                    + " | " + pct(t.side("trial", "rows", "accounts_on_two_workers_share")) + " | "
                    + pct(t.side("trial", "rows", "rows_on_two_or_more_workers_share")) + " | "
                    + fmt1(t.transfersPerTransaction()) + " | "
                    + pct(t.side("trial", "rows", "transactions_with_rows_on_two_or_more_workers_share")) + " | "
                    + fmt2(CitusReport.preparedPerTransfer(t)) + " |");
        }
        return Template.lines(rows);
    }

    private static String pct(double share) {
        return Double.isNaN(share) || share < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * share);
    }

    /** The cells of each latency row (after the pair's name), and the differences across workers. */
    private List<String> latency() {
        List<String> values = new ArrayList<>();
        for (String pair : new String[] {"same", "cross", "single"}) {
            CitusTrials.Trial t = trials.get("latency_" + pair + "_1t");
            values.add("latency_" + pair);
            values.add((t == null ? "n/a" : fmt0(t.client("recorded"))) + " | "
                    + fmtMs(value("latency_" + pair + "_p50_ms")) + " | " + fmtMs(value("latency_" + pair + "_p90_ms"))
                    + " | " + fmtMs(value("latency_" + pair + "_p99_ms")) + " | "
                    + fmtMs(value("latency_" + pair + "_mean_ms"))
                    + " | " + fmt2(value("latency_" + pair + "_prepared_workers_per_transfer")));
        }
        values.addAll(List.of(
                "cross_minus_same_p50",
                signedMs(value("cross_minus_same_p50_ms")),
                "cross_minus_same_p99",
                signedMs(value("cross_minus_same_p99_ms")),
                "cross_minus_same_mean",
                signedMs(value("cross_minus_same_mean_ms"))));
        return values;
    }

    /** A headline value, which has every key ({@link CitusReport#headline}: NaN where the run produced none). */
    private double value(String key) {
        return summaryValue(s, key);
    }

    private static String signedMs(double v) {
        return Double.isNaN(v) ? "n/a" : (v >= 0 ? "+" : "−") + fmtMs(Math.abs(v));
    }

    /** The CPU table: a column per node, a row per trial. */
    private List<String> cpu() {
        StringBuilder columns = new StringBuilder();
        StringBuilder rules = new StringBuilder();
        for (String n : nodes) {
            columns.append(' ').append(n).append(" |");
            rules.append("---:|");
        }
        List<String> rows = new ArrayList<>();
        for (CitusTrials.Trial t : trials.all) {
            StringBuilder row = new StringBuilder(
                    "| " + t.key() + " | " + fmt0(t.side("measurement", "recorded_per_second")) + " |");
            double total = 0;
            for (String n : nodes) {
                double ms = t.side("measurement", "cpu", "ms_per_transfer", n);
                total += ms >= 0 ? ms : Double.NaN;
                row.append(' ').append(cpuMs(ms)).append(" |");
            }
            double jvm = t.side("measurement", "cpu", "ms_per_transfer", "jvm");
            total += jvm >= 0 ? jvm : Double.NaN;
            row.append(' ')
                    .append(cpuMs(jvm))
                    .append(" | ")
                    .append(cpuMs(total))
                    .append(" | ")
                    .append(pctValue(t.side("measurement", "cpu", "machine_busy_pct")))
                    .append(" | ")
                    .append(pctValue(t.side("measurement", "cpu", "pct_of_machine", "other")))
                    .append(" | ")
                    .append(fmt1(t.side("measurement", "load_average_1m_end")))
                    .append(" |");
            rows.add(row.toString());
        }
        return List.of(
                "node_columns", columns.toString(), "node_rules", rules.toString(), "cpu_rows", Template.lines(rows));
    }

    private static String cpuMs(double ms) {
        return Double.isNaN(ms) || ms < 0
                ? "n/a"
                : ms < 1 ? String.format(Locale.ROOT, "%.3f", ms) : String.format(Locale.ROOT, "%.2f", ms);
    }

    private static String pctValue(double pct) {
        return Double.isNaN(pct) || pct < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f%%", pct);
    }

    private String retryRows() {
        List<String> rows = new ArrayList<>();
        for (CitusTrials.Trial t : trials.all) {
            rows.add("| " + t.key() + " | " + fmt2(t.client("attempts") / t.client("ops")) + " | "
                    + fmt0(t.client("retries"))
                    + " | " + fmt0(t.client("failures")) + " | " + fmt0(t.client("rejected")) + " | "
                    + sum(t, "deadlocks") + " | " + sum(t, "prepared_transactions_left") + " | "
                    + fmt0(t.side("trial", "rows", "most_credits_of_one_account")) + " |");
        }
        return Template.lines(rows);
    }

    /** A per-node count of the trial, summed over the nodes; n/a when a node did not answer. */
    private String sum(CitusTrials.Trial t, String key) {
        Map<String, JsonNode> perNode =
                t.side() == null ? Map.of() : Json.members(t.side().json(), "trial", key);
        double total = 0;
        for (JsonNode v : perNode.values()) {
            double d = v.isNumber() ? v.doubleValue() : Double.NaN;
            if (Double.isNaN(d) || d < 0) {
                return "n/a";
            }
            total += d;
        }
        return perNode.isEmpty() ? "n/a" : fmt0(total);
    }
}
