package dev.ledger.jmh.report;

import dev.ledger.jmh.BenchJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Turns the output of {@link dev.ledger.jmh.CitusRun} into {@code summary.json} and the Markdown report
 * ({@code docs/benchmarks-citus.md}).
 *
 * <pre>
 * java -cp benchmarks.jar dev.ledger.jmh.report.CitusReport --in DIR [--markdown FILE] [--command TEXT] [--check]
 * </pre>
 *
 * {@code summary.json} always goes to {@code DIR/summary.json}: headline values by name, then every trial's values
 * under {@code trials}. With {@code --check} the exit status is 1 unless every key of {@link #CHECKED} has a value.
 */
@Command(
        name = "CitusReport",
        sortOptions = false,
        sortSynopsis = false,
        usageHelpAutoWidth = true,
        description = "Writes summary.json and the Markdown report from a CitusRun's output.")
public final class CitusReport implements Callable<Integer> {
    /** The keys every run, the smoke included, must give a value. */
    public static final List<String> CHECKED = List.of(
            "uniform_tps_cluster_16t",
            "uniform_tps_single_16t",
            "uniform_ratio_16t",
            "uniform_uncoalesced_ratio_16t",
            "hot_ratio_zipf1",
            "hot_ratio_zipf2",
            "multi_worker_rows_share_uniform_16t",
            "latency_same_p50_ms",
            "latency_cross_p50_ms",
            "latency_single_p50_ms",
            "cross_minus_same_p50_ms");

    @Option(names = "--in", paramLabel = "DIR", description = "the run's output directory (default: ${DEFAULT-VALUE})")
    private Path in = Path.of("ledger-jmh/target/benchmarks-citus");

    @Option(names = "--markdown", paramLabel = "FILE", description = "write the Markdown report here")
    private @Nullable Path markdown;

    @Option(
            names = "--command",
            paramLabel = "TEXT",
            description = "the command the report says generated it (default: ${DEFAULT-VALUE})")
    private String command = "ledger-jmh/bench.sh --citus";

    @Option(names = "--check", description = "exit with status 1 unless every checked key has a value")
    private boolean check;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "print this help and exit")
    private boolean help;

    CitusReport() {}

    /**
     * Writes the report and exits: 0 done, 1 failed (or {@code --check} found a key without a value), 2 bad arguments.
     *
     * @param args {@code --in DIR [--markdown FILE] [--command TEXT] [--check]}
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new CitusReport())
                .setOverwrittenOptionsAllowed(true)
                .execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Path markdown = this.markdown;
        Results r = Results.read(in);
        CitusTrials trials = new CitusTrials(r);
        Map<String, Double> headline = headline(trials);
        Files.writeString(in.resolve("summary.json"), summaryJson(trials, headline), StandardCharsets.UTF_8);
        System.out.println("[report] " + in.resolve("summary.json") + ":");
        headline.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-40s %s%n", k, Markdown.fmt3(v)));
        if (markdown != null) {
            Path dir = markdown.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Files.writeString(
                    markdown, new CitusMarkdown(r, trials, headline, command).render(), StandardCharsets.UTF_8);
            System.out.println("[report] wrote " + markdown);
        }
        return check ? Report.checkValues(headline, CHECKED, "every checked key") : 0;
    }

    /** The text of summary.json: the headline values, then every trial's under {@code trials}. */
    static String summaryJson(CitusTrials trials, Map<String, Double> headline) {
        Map<String, Object> summary = new LinkedHashMap<>(headline);
        Map<String, Object> perTrial = new LinkedHashMap<>();
        for (CitusTrials.Trial t : trials.all) {
            perTrial.put(t.key(), CitusTrials.describe(t, trials.nodes()));
        }
        summary.put("trials", perTrial);
        return BenchJson.pretty(summary, true) + "\n";
    }

    /** The headline values of summary.json, NaN where the run did not produce one. */
    static Map<String, Double> headline(CitusTrials trials) {
        Map<String, Double> s = new LinkedHashMap<>();
        for (int threads : new int[] {1, 4, 16}) {
            ratio(s, trials, "uniform", "uniform", threads, "_" + threads + "t");
        }
        ratio(s, trials, "uniform_uncoalesced", "uniform_uncoalesced", 16, "_16t");
        ratio(s, trials, "hot_zipf1", "hot", 16, "_zipf1");
        ratio(s, trials, "hot_zipf2", "hot", 16, "_zipf2");
        String[][] shares = {
            {"uniform_16t", "uniform_cluster_16t"},
            {"uniform_uncoalesced_16t", "uniform_uncoalesced_cluster_16t"},
            {"hot_zipf1", "hot_zipf1_cluster_16t"},
            {"hot_zipf2", "hot_zipf2_cluster_16t"}
        };
        for (String[] sh : shares) {
            CitusTrials.Trial t = trials.get(sh[1]);
            s.put(
                    "cross_worker_share_" + sh[0],
                    t == null ? Double.NaN : t.side("trial", "rows", "accounts_on_two_workers_share"));
            s.put(
                    "multi_worker_rows_share_" + sh[0],
                    t == null ? Double.NaN : t.side("trial", "rows", "rows_on_two_or_more_workers_share"));
            s.put(
                    "multi_worker_transaction_share_" + sh[0],
                    t == null
                            ? Double.NaN
                            : t.side("trial", "rows", "transactions_with_rows_on_two_or_more_workers_share"));
        }
        for (String pair : new String[] {"same", "cross", "single"}) {
            CitusTrials.Trial t = trials.get("latency_" + pair + "_1t");
            for (String p : new String[] {"50.0", "90.0", "99.0"}) {
                s.put(
                        "latency_" + pair + "_p" + p.replace(".0", "") + "_ms",
                        t == null || t.jmh() == null ? Double.NaN : t.jmh().percentile(p));
            }
            s.put("latency_" + pair + "_mean_ms", t == null ? Double.NaN : t.score());
            s.put(
                    "latency_" + pair + "_prepared_workers_per_transfer",
                    t == null ? Double.NaN : preparedPerTransfer(t));
        }
        for (String p : new String[] {"p50", "p99", "mean"}) {
            s.put(
                    "cross_minus_same_" + p + "_ms",
                    Markdown.summaryValue(s, "latency_cross_" + p + "_ms")
                            - Markdown.summaryValue(s, "latency_same_" + p + "_ms"));
        }
        return s;
    }

    /**
     * Rows Citus wrote into {@code pg_dist_transaction} during the trial (one per worker it prepared for a two-phase
     * commit; other clients' included) per transfer recorded.
     */
    static double preparedPerTransfer(CitusTrials.Trial t) {
        double records = t.side("trial", "two_phase_records");
        return records < 0 ? Double.NaN : records / t.side("trial", "rows", "transfers");
    }

    private static void ratio(
            Map<String, Double> s, CitusTrials trials, String workload, String prefix, int threads, String suffix) {
        CitusTrials.Trial c = trials.get(workload + "_cluster_" + threads + "t");
        CitusTrials.Trial n = trials.get(workload + "_single_" + threads + "t");
        double cluster = c == null ? Double.NaN : c.score();
        double single = n == null ? Double.NaN : n.score();
        s.put(prefix + "_tps_cluster" + suffix, cluster);
        s.put(prefix + "_tps_single" + suffix, single);
        s.put(prefix + "_ratio" + suffix, cluster / single);
    }
}
