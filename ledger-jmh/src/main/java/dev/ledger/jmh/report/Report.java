package dev.ledger.jmh.report;

import dev.ledger.jmh.BenchJson;
import dev.ledger.jmh.TransferBenchmark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Turns the output of {@link dev.ledger.jmh.BenchRun} into {@code summary.json}, the Markdown report and its chart.
 *
 * <pre>
 * java -Djava.awt.headless=true -cp benchmarks.jar dev.ledger.jmh.report.Report --in DIR
 *     [--markdown FILE] [--chart FILE] [--command TEXT] [--check]
 * </pre>
 *
 * {@code summary.json} always goes to {@code DIR/summary.json}. With {@code --check} the exit status is 1 unless every
 * summary key has a finite value. Invoked by {@code ledger-jmh/bench.sh}.
 */
@Command(
        name = "Report",
        sortOptions = false,
        sortSynopsis = false,
        usageHelpAutoWidth = true,
        description = "Writes summary.json, the Markdown report and its chart from a BenchRun's output.")
public final class Report implements Callable<Integer> {
    /** The keys of summary.json, in order. */
    public static final List<String> KEYS = List.of(
            "transfer_tps_16t",
            "raw_insert_tps_16t",
            "ratio_transfer_vs_raw_16t",
            "hot_tps_zipf1",
            "locking_tps_zipf1",
            "ratio_hot_vs_locking_zipf1",
            "deadlocks_ledger",
            "deadlocks_locking",
            "balance_p99_ms_1k",
            "balance_p99_ms_1m",
            "seed_sum_balance_p99_ms_1m",
            "inmemory_tps_2t",
            "locking_tps_16t",
            "ratio_transfer_vs_locking_16t",
            "hot_tps_zipf2",
            "locking_tps_zipf2",
            "ratio_hot_vs_locking_zipf2",
            "bulk_tps_batch1000",
            "raw_batch_tps_batch1000",
            "ratio_bulk_vs_raw_batch1000",
            "transfer_p50_ms_1t",
            "transfer_p99_ms_1t",
            "locking_p50_ms_1t",
            "balance_p50_ms_1k",
            "balance_p50_ms_1m");

    static final String T = "TransferBenchmark";
    static final String H = "HotAccountsBenchmark";
    static final String B = "BalanceBenchmark";
    static final String M = "InMemoryBenchmark";
    static final String U = "BulkBenchmark";
    static final String K = U;
    /** The batch size of the bulk keys. */
    static final int BULK_BATCH = 1000;

    static final String L = "LatencyBenchmark";
    static final int HOT_ACCOUNTS = dev.ledger.jmh.HotAccountsBenchmark.ACCOUNTS;

    @Option(names = "--in", paramLabel = "DIR", description = "the run's output directory (default: ${DEFAULT-VALUE})")
    private Path in = Path.of("ledger-jmh/target/benchmarks");

    @Option(names = "--markdown", paramLabel = "FILE", description = "write the Markdown report (and the chart) here")
    private @Nullable Path markdown;

    @Option(
            names = "--chart",
            paramLabel = "FILE",
            description = "the chart's PNG (default: benchmarks-throughput.png beside the report)")
    private @Nullable Path chart;

    @Option(
            names = "--command",
            paramLabel = "TEXT",
            description = "the command the report says generated it (default: ${DEFAULT-VALUE})")
    private String command = "ledger-jmh/bench.sh";

    @Option(names = "--check", description = "exit with status 1 unless every summary key has a finite value")
    private boolean check;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "print this help and exit")
    private boolean help;

    Report() {}

    /**
     * Writes the report and exits: 0 done, 1 failed (or {@code --check} found a key without a value), 2 bad arguments.
     *
     * @param args {@code --in DIR [--markdown FILE] [--chart FILE] [--command TEXT] [--check]}
     */
    public static void main(String[] args) {
        System.exit(
                new CommandLine(new Report()).setOverwrittenOptionsAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Path markdown = this.markdown;
        Path chart = this.chart;
        Results r = Results.read(in);
        Map<String, Double> summary = summary(r);
        Files.writeString(in.resolve("summary.json"), summaryJson(summary), StandardCharsets.UTF_8);
        System.out.println("[report] " + in.resolve("summary.json") + ":");
        summary.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-28s %s%n", k, v));
        if (markdown != null) {
            Path png = chart != null ? chart : markdown.resolveSibling("benchmarks-throughput.png");
            Files.createDirectories(png.toAbsolutePath().getParent());
            writeChart(r, png);
            Path base = Objects.requireNonNull(markdown.toAbsolutePath().getParent(), "the report's directory");
            String image = base.relativize(png.toAbsolutePath()).toString().replace('\\', '/');
            Files.createDirectories(base);
            Files.writeString(markdown, new Markdown(r, summary, image, command).render(), StandardCharsets.UTF_8);
            System.out.println("[report] wrote " + markdown + " and " + png);
        }
        return check ? checkValues(summary, KEYS, "every key") : 0;
    }

    /**
     * What {@code --check} does: 0 and says so when each of {@code keys} has a finite value in {@code values}, 1 and
     * names those that lack one otherwise.
     */
    static int checkValues(Map<String, Double> values, List<String> keys, String what) {
        List<String> missing = new ArrayList<>();
        for (String k : keys) {
            Double v = values.get(k);
            if (v == null || v.isNaN() || v.isInfinite()) {
                missing.add(k);
            }
        }
        if (!missing.isEmpty()) {
            System.err.println("[report] summary.json lacks a value for: " + String.join(", ", missing));
            return 1;
        }
        System.out.println("[report] summary.json has " + what);
        return 0;
    }

    /** The values of summary.json (NaN where the run did not produce one). */
    static Map<String, Double> summary(Results r) {
        List<String> h = r.histories();
        String small = h.get(0);
        String large = h.get(h.size() - 1);
        Map<String, Double> s = new LinkedHashMap<>();
        double ledger16 = r.score(T, "ledger", 16);
        double raw16 = r.score(T, "rawInsert", 16);
        s.put("transfer_tps_16t", ledger16);
        s.put("raw_insert_tps_16t", raw16);
        s.put("ratio_transfer_vs_raw_16t", ledger16 / raw16);
        double hot = r.score(H, "ledger", 16, "s", "1.0");
        double locking = r.score(H, "locking", 16, "s", "1.0");
        s.put("hot_tps_zipf1", hot);
        s.put("locking_tps_zipf1", locking);
        s.put("ratio_hot_vs_locking_zipf1", hot / locking);
        s.put(
                "deadlocks_ledger",
                deadlocks(
                        r,
                        List.of(
                                T + ".ledger",
                                T + ".pendingPost",
                                H + ".ledger",
                                B + ".balance",
                                B + ".balanceAsOf",
                                B + ".balances",
                                B + ".balancesAsOf",
                                B + ".debit",
                                U + ".ledgerBatch",
                                L + ".ledger")));
        s.put("deadlocks_locking", deadlocks(r, List.of(T + ".locking", H + ".locking")));
        s.put("balance_p99_ms_1k", p99(r, B, "balance", small));
        s.put("balance_p99_ms_1m", p99(r, B, "balance", large));
        s.put("seed_sum_balance_p99_ms_1m", p99(r, B, "seedSumBalance", large));
        s.put("inmemory_tps_2t", r.score(M, "transfer", 2));
        double locking16 = r.score(T, "locking", 16);
        s.put("locking_tps_16t", locking16);
        s.put("ratio_transfer_vs_locking_16t", ledger16 / locking16);
        double hot2 = r.score(H, "ledger", 16, "s", "2.0");
        double locking2 = r.score(H, "locking", 16, "s", "2.0");
        s.put("hot_tps_zipf2", hot2);
        s.put("locking_tps_zipf2", locking2);
        s.put("ratio_hot_vs_locking_zipf2", hot2 / locking2);
        double bulk = r.score(U, "ledgerBatch", 1, "batch", "1000") * 1000;
        double rawBulk = r.score(U, "rawBatch", 1, "batch", "1000") * 1000;
        s.put("bulk_tps_batch1000", bulk);
        s.put("raw_batch_tps_batch1000", rawBulk);
        s.put("ratio_bulk_vs_raw_batch1000", bulk / rawBulk);
        Results.Jmh ledger1 = r.find(L, "ledger", 1);
        Results.Jmh locking1 = r.find(L, "locking", 1);
        s.put("transfer_p50_ms_1t", ledger1 == null ? Double.NaN : ledger1.percentile("50.0"));
        s.put("transfer_p99_ms_1t", ledger1 == null ? Double.NaN : ledger1.percentile("99.0"));
        s.put("locking_p50_ms_1t", locking1 == null ? Double.NaN : locking1.percentile("50.0"));
        s.put("balance_p50_ms_1k", percentile(r, B, "balance", small, "50.0"));
        s.put("balance_p50_ms_1m", percentile(r, B, "balance", large, "50.0"));
        s.put("pending_post_tps_16t", r.score(T, "pendingPost", 16));
        s.put("balances_p50_ms_1k", percentile(r, B, "balances", small, "50.0"));
        s.put("balances_p99_ms_1k", p99(r, B, "balances", small));
        s.put("balances_p50_ms_1m", percentile(r, B, "balances", large, "50.0"));
        s.put("balances_p99_ms_1m", p99(r, B, "balances", large));
        s.put("balances_as_of_p99_ms_1m", p99(r, B, "balancesAsOf", large));
        return s;
    }

    /** pg_stat_database.deadlocks deltas summed over the trials of these benchmarks; NaN if none ran. */
    static double deadlocks(Results r, List<String> benchmarks) {
        double sum = 0;
        boolean any = false;
        for (Results.Side side : r.sides) {
            if (benchmarks.contains(side.cls() + "." + side.method())) {
                double d = side.num("trial", "deadlocks");
                if (!Double.isNaN(d)) {
                    sum += d;
                    any = true;
                }
            }
        }
        return any ? sum : Double.NaN;
    }

    static double bulkTps(Results r, String method, int threads, int batch) {
        return r.score(K, method, threads, "batch", Integer.toString(batch)) * batch;
    }

    static double percentile(Results r, String cls, String method, String history, String p) {
        Results.Jmh j = r.find(cls, method, 1, "history", history);
        return j == null ? Double.NaN : j.percentile(p);
    }

    static double p99(Results r, String cls, String method, String history) {
        Results.Jmh j = r.find(cls, method, 1, "history", history);
        return j == null ? Double.NaN : j.percentile("99.0");
    }

    static String summaryJson(Map<String, Double> summary) {
        Map<String, Object> out = new LinkedHashMap<>();
        summary.forEach((k, v) -> out.put(k, v.isNaN() || v.isInfinite() ? null : v));
        return BenchJson.pretty(out, false) + "\n";
    }

    private static void writeChart(Results r, Path png) throws IOException {
        List<Integer> threads = new ArrayList<>();
        for (Results.Jmh j : r.jmh) {
            if (j.cls().equals(T) && !threads.contains(j.threads())) {
                threads.add(j.threads());
            }
        }
        threads.sort(Integer::compare);
        Map<String, Map<Integer, Double>> series = new LinkedHashMap<>();
        String[][] designs = {
            {"ledger (Ledger.transfer on PostgresLedgerStore)", "ledger"},
            {"raw INSERT (ceiling)", "rawInsert"},
            {"locking: balance column, SELECT FOR UPDATE", "locking"},
            {"seed: SUM balance, INSERT at COUNT", "seed"}
        };
        for (String[] d : designs) {
            Map<Integer, Double> points = new LinkedHashMap<>();
            for (int t : threads) {
                points.put(t, r.score(T, d[1], t));
            }
            series.put(d[0], points);
        }
        Chart.throughput(
                png.toFile(),
                "Uncontended transfers on PostgreSQL (" + TransferBenchmark.ACCOUNTS + " accounts, random pairs)",
                threads,
                series);
    }
}
