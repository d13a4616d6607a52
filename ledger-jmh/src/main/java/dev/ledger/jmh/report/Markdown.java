package dev.ledger.jmh.report;

import static dev.ledger.jmh.report.Report.B;
import static dev.ledger.jmh.report.Report.H;
import static dev.ledger.jmh.report.Report.M;
import static dev.ledger.jmh.report.Report.T;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The Markdown report ({@code docs/benchmarks.md}) of one run: the prose is {@code benchmarks.md.tmpl} (a resource
 * beside this class), filled here with the run's numbers and tables.
 */
final class Markdown {
    private static final Template TEMPLATE = Template.load("benchmarks.md.tmpl");

    private final Results r;
    private final Map<String, Double> summary;
    private final String image;
    private final String command;
    private final String mode;
    private final String small;
    private final String large;
    private final Machine machine;

    Markdown(Results r, Map<String, Double> summary, String image, String command) {
        this(r, summary, image, command, Machine.read());
    }

    /** The report of a run, its Environment section describing {@code machine}. */
    Markdown(Results r, Map<String, Double> summary, String image, String command, Machine machine) {
        this.machine = machine;
        this.r = r;
        this.summary = summary;
        this.image = image;
        this.command = command;
        this.mode = String.valueOf(Json.str(r.run, "mode"));
        List<String> h = r.histories();
        this.small = h.get(0);
        this.large = h.get(h.size() - 1);
    }

    String render() {
        List<String> values = new ArrayList<>(List.of(
                "command",
                command,
                "started",
                String.valueOf(Json.str(r.run, "started")),
                "mode",
                mode,
                "elapsed_seconds",
                fmt0(Json.num(r.run, "elapsed_seconds")),
                "notices",
                notices(),
                "findings",
                findings(),
                "accounts",
                Integer.toString(dev.ledger.jmh.TransferBenchmark.ACCOUNTS),
                "image",
                image,
                "throughput_rows",
                throughputRows(),
                "hot_accounts",
                Integer.toString(Report.HOT_ACCOUNTS),
                "hot_rows",
                hotRows(),
                "batch",
                Integer.toString(Report.BULK_BATCH),
                "bulk_rows",
                bulkRows(),
                "latency_ledger",
                latency("ledger"),
                "latency_locking",
                latency("locking"),
                "balance_rows",
                balanceRows(),
                "seed_plan",
                seedPlan(),
                "inmemory_accounts",
                Integer.toString(dev.ledger.jmh.InMemoryBenchmark.ACCOUNTS),
                "inmemory_rows",
                inMemoryRows(),
                "workload_rows",
                workloadRows(),
                "statements",
                statementSections(),
                "stack_profile",
                stackProfile()));
        values.addAll(targets());
        values.addAll(pending());
        values.addAll(environment());
        return TEMPLATE.render("document", values.toArray(String[]::new));
    }

    // ---------------------------------------------------------------------------------------------------------------

    private String notices() {
        StringBuilder b = new StringBuilder();
        if ("smoke".equals(mode)) {
            b.append(TEMPLATE.render("notice_smoke"));
        }
        String fsync = String.valueOf(Json.str(r.run, "server", "settings", "fsync"));
        String sync = String.valueOf(Json.str(r.run, "server", "settings", "synchronous_commit"));
        if (!"on".equals(fsync)) {
            b.append(TEMPLATE.render("notice_fsync", "fsync", fsync));
        }
        if (!"on".equals(sync) && !"remote_apply".equals(sync) && !"remote_write".equals(sync)) {
            b.append(TEMPLATE.render("notice_synchronous_commit", "synchronous_commit", sync));
        }
        double other = averageOtherLoad();
        if (!Double.isNaN(other) && other > 15) {
            b.append(TEMPLATE.render("notice_noisy", "other_pct", String.format(Locale.ROOT, "%.0f", other)));
        }
        return b.toString();
    }

    /** The measured values of the targets table, and whether each target is met. */
    private List<String> targets() {
        double ratio = value("ratio_transfer_vs_raw_16t");
        double vsLocking = value("ratio_transfer_vs_locking_16t");
        double hot = value("ratio_hot_vs_locking_zipf1");
        double hot2 = value("ratio_hot_vs_locking_zipf2");
        double dl = value("deadlocks_ledger");
        double bulk = value("ratio_bulk_vs_raw_batch1000");
        double p50 = value("transfer_p50_ms_1t");
        double lockingP50 = value("locking_p50_ms_1t");
        double mem = value("inmemory_tps_2t");
        double p99 = value("balance_p99_ms_1m");
        double growth = value("balance_p50_ms_1m") / value("balance_p50_ms_1k");
        return List.of(
                "raw_ratio",
                fmt2(ratio),
                "transfer_tps",
                fmt0(value("transfer_tps_16t")),
                "raw_tps",
                fmt0(value("raw_insert_tps_16t")),
                "raw_met",
                met(ratio >= 1.0),
                "locking_ratio",
                fmt2(vsLocking),
                "locking_tps",
                fmt0(r.score(T, "locking", 16)),
                "locking_met",
                met(vsLocking >= 2.0),
                "hot_ratio",
                fmt2(hot),
                "hot_tps",
                fmt0(value("hot_tps_zipf1")),
                "hot_locking_tps",
                fmt0(value("locking_tps_zipf1")),
                "hot2_ratio",
                fmt2(hot2),
                "hot2_tps",
                fmt0(r.score(H, "ledger", 16, "s", "2.0")),
                "hot2_locking_tps",
                fmt0(r.score(H, "locking", 16, "s", "2.0")),
                "deadlocks_ledger",
                fmt0(dl),
                "deadlocks_locking",
                fmt0(value("deadlocks_locking")),
                "hot_met",
                met(hot >= 3.0 && hot2 >= 3.0 && dl == 0),
                "bulk_ratio",
                fmt2(bulk),
                "bulk_tps",
                fmt0(value("bulk_tps_batch1000")),
                "raw_batch_tps",
                fmt0(value("raw_batch_tps_batch1000")),
                "bulk_met",
                met(bulk >= 0.5),
                "transfer_p50",
                fmtMs(p50),
                "transfer_p99",
                fmtMs(value("transfer_p99_ms_1t")),
                "locking_p50",
                fmtMs(lockingP50),
                "latency_met",
                met(p50 <= lockingP50),
                "inmemory_tps",
                fmt0(mem),
                "inmemory_met",
                met(mem >= 2e6),
                "large",
                count(large),
                "small",
                count(small),
                "balance_growth",
                fmt2(growth),
                "balance_p50_large",
                fmtMs(value("balance_p50_ms_1m")),
                "balance_p50_small",
                fmtMs(value("balance_p50_ms_1k")),
                "balance_p99_large",
                fmtMs(p99),
                "seed_p99_large",
                fmtMs(value("seed_sum_balance_p99_ms_1m")),
                "balance_met",
                met(growth <= 1.5 && p99 <= 1));
    }

    /** A value of the summary, which has every key ({@link Report#summary}: NaN where the run produced none). */
    private double value(String key) {
        return summaryValue(summary, key);
    }

    private static String met(boolean met) {
        return met ? "**met**" : "**missed**";
    }

    private String findings() {
        StringBuilder f = new StringBuilder();
        Results.Side ledger = r.side(T, "ledger", 16);
        Results.Side raw = r.side(T, "rawInsert", 16);
        if (ledger != null && raw != null) {
            f.append(TEMPLATE.render(
                    "finding_uncontended",
                    "ratio",
                    pct(value("ratio_transfer_vs_raw_16t")),
                    "ledger_postgres_us",
                    fmt0(ledger.num("measurement", "cpu", "postgres_us_per_op")),
                    "raw_postgres_us",
                    fmt0(raw.num("measurement", "cpu", "postgres_us_per_op")),
                    "ledger_jvm_us",
                    fmt0(ledger.num("measurement", "cpu", "jvm_us_per_op")),
                    "raw_jvm_us",
                    fmt0(raw.num("measurement", "cpu", "jvm_us_per_op")),
                    "ledger_wal",
                    fmt0(ledger.num("measurement", "wal_bytes_per_op")),
                    "raw_wal",
                    fmt0(raw.num("measurement", "wal_bytes_per_op"))));
        }
        double append = appendMicros(ledger);
        double stmt = mainStatementMicros(ledger);
        if (!Double.isNaN(append) && !Double.isNaN(stmt)) {
            f.append(TEMPLATE.render(
                    "finding_server_side",
                    "statement_us",
                    fmt0(stmt),
                    "function_us",
                    fmt0(append),
                    "raw_statement_us",
                    fmt0(mainStatementMicros(raw))));
        }
        double planning = nestedPlanningMicros(ledger);
        if (!Double.isNaN(planning) && planning >= 10) {
            f.append(TEMPLATE.render("finding_replanning", "planning_us", fmt0(planning)));
        }
        Results.Jmh lj = r.find(T, "ledger", 16);
        Results.Jmh rj = r.find(T, "rawInsert", 16);
        if (lj != null && rj != null && !Double.isNaN(lj.secondary("gc.alloc.rate.norm"))) {
            f.append(TEMPLATE.render(
                    "finding_jvm",
                    "ledger_bytes",
                    fmt0(lj.secondary("gc.alloc.rate.norm")),
                    "raw_bytes",
                    fmt0(rj.secondary("gc.alloc.rate.norm"))));
        }
        Results.Side hotLedger = r.side(H, "ledger", 16, "s", "1.0");
        Results.Side hotLocking = r.side(H, "locking", 16, "s", "1.0");
        if (hotLedger != null && hotLocking != null) {
            f.append(TEMPLATE.render(
                    "finding_hot",
                    "ratio",
                    fmt2(value("ratio_hot_vs_locking_zipf1")),
                    "retries",
                    fmt2(hotLedger.perOp("retries")),
                    "ledger_deadlocks",
                    fmt0(hotLedger.num("trial", "deadlocks")),
                    "locking_deadlocks",
                    fmt0(hotLocking.num("trial", "deadlocks"))));
        }
        Results.Jmh asOf = r.find(B, "balanceAsOf", 1, "history", large);
        f.append(TEMPLATE.render(
                "finding_balance",
                "p99_small",
                fmtMs(value("balance_p99_ms_1k")),
                "small",
                count(small),
                "p99_large",
                fmtMs(value("balance_p99_ms_1m")),
                "large",
                count(large),
                "seed_p99",
                fmtMs(value("seed_sum_balance_p99_ms_1m")),
                "as_of_p99",
                fmtMs(asOf == null ? Double.NaN : asOf.percentile("99.0"))));
        Results.Jmh mem2 = r.find(M, "transfer", 2);
        if (mem2 != null) {
            f.append(TEMPLATE.render(
                    "finding_inmemory",
                    "tps_2t",
                    fmt0(value("inmemory_tps_2t")),
                    "tps_1t",
                    fmt0(r.score(M, "transfer", 1)),
                    "bytes",
                    fmt0(mem2.secondary("gc.alloc.rate.norm")),
                    "gc_share",
                    pct(mem2.secondary("gc.time") / measuredMs(mem2))));
        }
        return f.toString();
    }

    /** The measured time of a result's iterations, in ms. */
    private static double measuredMs(Results.Jmh j) {
        return Json.num(j.json(), "measurementIterations") * seconds(Json.str(j.json(), "measurementTime")) * 1000;
    }

    private String throughputRows() {
        List<String> rows = new ArrayList<>();
        for (int t : threads(T)) {
            double l = r.score(T, "ledger", t);
            double raw = r.score(T, "rawInsert", t);
            double lock = r.score(T, "locking", t);
            Results.Side ls = r.side(T, "ledger", t);
            rows.add("| " + t + " | " + tps(r.find(T, "ledger", t)) + " | " + tps(r.find(T, "rawInsert", t)) + " | "
                    + tps(r.find(T, "locking", t)) + " | " + tps(r.find(T, "seed", t)) + " | " + fmt2(l / raw) + " | "
                    + fmt2(l / lock) + " | " + retries(ls) + " / " + retries(r.side(T, "seed", t)) + " | "
                    + deadlocks(r.side(T, "ledger", t)) + " / " + deadlocks(r.side(T, "locking", t)) + " / "
                    + deadlocks(r.side(T, "seed", t)) + " | " + serialization(ls) + " / "
                    + serialization(r.side(T, "locking", t)) + " / " + serialization(r.side(T, "seed", t)) + " |");
        }
        return Template.lines(rows);
    }

    private List<String> pending() {
        double pending = r.score(T, "pendingPost", 16);
        double plain = r.score(T, "ledger", 16);
        return List.of(
                "pending_tps",
                tps(r.find(T, "pendingPost", 16)),
                "plain_tps",
                tps(r.find(T, "ledger", 16)),
                "pending_ratio",
                fmt2(pending / plain),
                "pending_calls_ratio",
                fmt2(2 * pending / plain));
    }

    private String hotRows() {
        List<String> rows = new ArrayList<>();
        for (String s : params(H, "s")) {
            Results.Side l = r.side(H, "ledger", 16, "s", s);
            Results.Side k = r.side(H, "locking", 16, "s", s);
            Results.Side d = r.side(H, "seed", 16, "s", s);
            rows.add("| " + s + " | " + tps(r.find(H, "ledger", 16, "s", s)) + " | "
                    + tps(r.find(H, "locking", 16, "s", s))
                    + " | " + tps(r.find(H, "seed", 16, "s", s)) + " | "
                    + fmt2(r.score(H, "ledger", 16, "s", s) / r.score(H, "locking", 16, "s", s)) + " | "
                    + (l == null ? "n/a" : fmt2(l.perOp("retries"))) + " | "
                    + (d == null ? "n/a" : fmt2(d.perOp("retries")))
                    + " | " + gaveUp(l) + " / " + gaveUp(k) + " / " + gaveUp(d) + " | " + deadlocks(l) + " / "
                    + deadlocks(k)
                    + " / " + deadlocks(d) + " | " + serialization(l) + " / " + serialization(k) + " / "
                    + serialization(d)
                    + " |");
        }
        return Template.lines(rows);
    }

    private String bulkRows() {
        List<String> rows = new ArrayList<>();
        String batch = Integer.toString(Report.BULK_BATCH);
        for (int t : threads(Report.K)) {
            double l = Report.bulkTps(r, "ledgerBatch", t, Report.BULK_BATCH);
            double raw = Report.bulkTps(r, "rawBatch", t, Report.BULK_BATCH);
            Results.Side ls = r.side(Report.K, "ledgerBatch", t, "batch", batch);
            Results.Side rs = r.side(Report.K, "rawBatch", t, "batch", batch);
            rows.add("| " + t + " | " + fmt0(l) + " | " + fmt0(raw) + " | " + fmt2(l / raw) + " | "
                    + (ls == null ? "n/a" : fmt2(ls.perOp("attempts") * Report.BULK_BATCH)) + " | "
                    + perTransfer(ls, rs, "cpu", "jvm_us_per_op") + " | "
                    + perTransfer(ls, rs, "cpu", "postgres_us_per_op")
                    + " | " + perTransfer(ls, rs, "wal_bytes_per_op") + " | " + deadlocks(ls) + " |");
        }
        return Template.lines(rows);
    }

    /** The latency row's cells of a design: p50, p90, p99, p99.9 and the calls sampled. */
    private String latency(String method) {
        Results.Jmh j = r.find(Report.L, method, 1);
        return j == null
                ? "n/a | n/a | n/a | n/a | n/a"
                : fmtMs(j.percentile("50.0")) + " | " + fmtMs(j.percentile("90.0")) + " | "
                        + fmtMs(j.percentile("99.0")) + " | " + fmtMs(j.percentile("99.9")) + " | "
                        + fmt0(sampleCount(j));
    }

    /** The number of samples of a SampleTime result (JMH's raw histogram counts); NaN if absent. */
    private static double sampleCount(Results.Jmh j) {
        double n = 0;
        for (JsonNode fork : Json.list(j.json(), "primaryMetric", "rawDataHistogram")) {
            for (JsonNode iteration : Json.list(fork)) {
                for (JsonNode bin : Json.list(iteration)) {
                    n += nz(Json.num(bin, 1));
                }
            }
        }
        return n == 0 ? Double.NaN : n;
    }

    private static String perTransfer(Results.@Nullable Side ledger, Results.@Nullable Side raw, String... path) {
        Object[] full = new Object[path.length + 1];
        full[0] = "measurement";
        System.arraycopy(path, 0, full, 1, path.length);
        return (ledger == null ? "n/a" : fmt0(ledger.num(full))) + " / " + (raw == null ? "n/a" : fmt0(raw.num(full)));
    }

    private String balanceRows() {
        List<String> rows = new ArrayList<>();
        for (String h : r.histories()) {
            Results.Side side = r.side(B, "balance", 1, "history", h);
            String load = side == null
                    ? "n/a"
                    : fmt1(side.num("setup", "load_seconds")) + " + "
                            + fmt1(side.num("setup", "vacuum_analyze_seconds"));
            rows.add("| " + count(h) + " | " + lat(B, "balance", h) + " | " + lat(B, "balanceAsOf", h) + " | "
                    + lat(B, "balances", h) + " | " + lat(B, "balancesAsOf", h) + " | " + lat(B, "seedSumBalance", h)
                    + " | "
                    + lat(B, "seedSumBalanceAsOf", h) + " | " + lat(B, "debit", h) + " | " + load + " |");
        }
        return Template.lines(rows);
    }

    private String seedPlan() {
        Results.Side seed = r.side(B, "seedSumBalance", 1, "history", large);
        String plan = seed == null ? null : Json.str(seed.json(), "setup", "plans", "seed_sum");
        return plan == null ? "" : TEMPLATE.render("seed_plan", "large", count(large), "plan", plan.strip() + "\n");
    }

    private String inMemoryRows() {
        List<String> rows = new ArrayList<>();
        for (int t : threads(M)) {
            Results.Jmh j = Objects.requireNonNull(r.find(M, "transfer", t), "InMemoryBenchmark.transfer");
            rows.add("| " + t + " | " + tps(j) + " | " + fmt0(j.secondary("gc.alloc.rate.norm")) + " | "
                    + fmt0(j.secondary("gc.count")) + " | " + fmt0(j.secondary("gc.time")) + " | "
                    + pct(j.secondary("gc.time") / measuredMs(j)) + " |");
        }
        return Template.lines(rows);
    }

    private String workloadRows() {
        List<Object[]> rows = new ArrayList<>();
        for (String m : List.of("ledger", "rawInsert", "locking", "seed")) {
            rows.add(new Object[] {"uncontended, 16 threads: " + m, r.find(T, m, 16), r.side(T, m, 16)});
        }
        for (String m : List.of("ledger", "locking", "seed")) {
            rows.add(new Object[] {
                "Zipf s = 1.0, 16 threads: " + m, r.find(H, m, 16, "s", "1.0"), r.side(H, m, 16, "s", "1.0")
            });
        }
        for (String m : List.of("balance", "balanceAsOf", "seedSumBalance", "debit")) {
            rows.add(new Object[] {
                count(large) + " history: " + m, r.find(B, m, 1, "history", large), r.side(B, m, 1, "history", large)
            });
        }
        List<String> lines = new ArrayList<>();
        for (Object[] row : rows) {
            Results.Jmh j = (Results.Jmh) row[1];
            Results.Side s = (Results.Side) row[2];
            if (s == null) {
                continue;
            }
            double ops = s.ops();
            lines.add("| " + row[0] + " | "
                    + (j == null
                            ? "n/a"
                            : "sample".equals(j.mode())
                                    ? fmt0(s.num("measurement", "ops_per_second"))
                                    : fmt0(j.score()))
                    + " | " + fmt2(s.perOp("attempts")) + " | "
                    + fmt0(s.num("measurement", "cpu", "jvm_us_per_op")) + " | "
                    + (j == null ? "n/a" : fmt0(j.secondary("gc.alloc.rate.norm"))) + " | "
                    + fmt0(s.num("measurement", "cpu", "postgres_us_per_op")) + " | "
                    + fmt0(s.num("measurement", "wal_bytes_per_op")) + " | " + fmt2(topLevel(s, "calls") / ops) + " | "
                    + fmt0((topLevel(s, "total_ms") + topLevel(s, "plan_ms")) * 1000 / ops) + " | "
                    + fmt0(s.num("measurement", "cpu", "jvm_pct")) + " / "
                    + fmt0(s.num("measurement", "cpu", "postgres_pct")) + " / "
                    + fmt0(s.num("measurement", "cpu", "other_pct"))
                    + " / " + fmt0(s.num("measurement", "cpu", "idle_pct")) + " |");
        }
        return Template.lines(lines);
    }

    /** The statement tables of the ledger at 16 threads (with its functions) and of the reads at the large history. */
    private String statementSections() {
        StringBuilder b = new StringBuilder();
        Results.Side ledger = r.side(T, "ledger", 16);
        if (ledger != null) {
            b.append(statements(TEMPLATE.renderLine("statements_ledger"), ledger));
            List<JsonNode> functions = Json.list(ledger.json(), "trial", "functions");
            if (!functions.isEmpty()) {
                List<String> rows = new ArrayList<>();
                for (JsonNode fn : functions) {
                    double calls = Json.num(fn, "calls");
                    rows.add("| `" + Json.str(fn, "function") + "` | " + fmt0(calls) + " | "
                            + fmt0(Json.num(fn, "total_ms")) + " | " + fmt0(Json.num(fn, "total_ms") * 1000 / calls)
                            + " |");
                }
                b.append(TEMPLATE.render("functions", "rows", Template.lines(rows)));
            }
        }
        String[][] reads = {
            {"balance", "statements_balance"},
            {"debit", "statements_debit"},
            {"balanceAsOf", "statements_balance_as_of"}
        };
        for (String[] read : reads) {
            Results.Side side = r.side(B, read[0], 1, "history", large);
            if (side != null) {
                b.append(statements(TEMPLATE.renderLine(read[1], "large", count(large)), side));
            }
        }
        return b.toString();
    }

    private String statements(String title, Results.Side side) {
        double ops = side.ops();
        double total = topLevel(side, "total_ms") + topLevel(side, "plan_ms");
        List<String> rows = new ArrayList<>();
        int n = 0;
        for (JsonNode st : Json.list(side.json(), "statements")) {
            if (Json.at(st, "query") == null || n++ >= 8) {
                continue;
            }
            double calls = Json.num(st, "calls");
            double plans = Json.num(st, "plans");
            String q = String.valueOf(Json.str(st, "query")).replace("|", "\\|");
            if (q.length() > 110) {
                q = q.substring(0, 110) + "…";
            }
            rows.add("| `" + q + "` | " + (Json.isTrue(st, "toplevel") ? "top" : "nested") + " | "
                    + fmt2(calls / ops) + " | " + fmt2(plans / calls) + " | " + fmt0(Json.num(st, "mean_ms") * 1000)
                    + " | "
                    + (plans > 0 ? fmt0(Json.num(st, "plan_ms") * 1000 / plans) : "–") + " | "
                    + fmt0(Json.num(st, "shared_blks_hit") / calls) + " | "
                    + pct((Json.num(st, "total_ms") + nz(Json.num(st, "plan_ms"))) / total) + " |");
        }
        return TEMPLATE.render("statements", "title", title, "rows", Template.lines(rows));
    }

    private static double nz(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private String stackProfile() {
        if (r.stackProfile == null) {
            return "";
        }
        List<String> lines = r.stackProfile.lines().toList();
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("[Thread state: RUNNABLE]")) {
                start = i;
                break;
            }
        }
        if (start < 0) {
            return "";
        }
        List<String> frames = new ArrayList<>();
        for (int i = start + 1; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank() || l.startsWith("....")) {
                break;
            }
            frames.add(l.strip());
        }
        return TEMPLATE.render("stack_profile", "frames", Template.lines(frames));
    }

    private List<String> environment() {
        Machine m = machine;
        JsonNode any = r.jmh.isEmpty() ? null : r.jmh.get(0).json();
        String jdk = any == null
                ? System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                : Json.str(any, "vmName") + " " + Json.str(any, "vmVersion") + " (JDK " + Json.str(any, "jdkVersion")
                        + ")";
        List<String> groups = new ArrayList<>();
        for (JsonNode g : Json.list(r.run, "groups")) {
            JsonNode s = Json.at(g, "settings");
            List<String> heap = new ArrayList<>();
            for (JsonNode a : Json.list(g, "jvm_args")) {
                String arg = String.valueOf(Json.str(a));
                if (arg.startsWith("-Xm")) {
                    heap.add(arg);
                }
            }
            groups.add("| " + Json.str(g, "name") + " | `"
                    + String.valueOf(Json.str(g, "include"))
                            .replace("dev.ledger.jmh.", "")
                            .replace("|", "\\|") + "` | " + join(Json.list(g, "threads")) + " | "
                    + params(Json.members(g, "params")) + " | " + fmt0(Json.num(s, "forks")) + " | "
                    + fmt0(Json.num(s, "warmup_iterations")) + " × " + fmt0(Json.num(s, "warmup_seconds")) + " s | "
                    + fmt0(Json.num(s, "iterations")) + " × " + fmt0(Json.num(s, "iteration_seconds")) + " s | "
                    + String.join(" ", heap) + " | " + (Json.at(g, "profiler") == null ? "" : Json.str(g, "profiler"))
                    + " | "
                    + fmt0(Json.num(g, "elapsed_seconds")) + " |");
        }
        JsonNode server = Json.at(r.run, "server");
        String serverText = "embedded".equals(Json.str(server, "kind"))
                ? TEMPLATE.renderLine("server_embedded")
                : TEMPLATE.renderLine("server_external", "url", String.valueOf(Json.str(server, "url")));
        List<String> settings = new ArrayList<>();
        Json.members(server, "settings").forEach((k, value) -> {
            String v = Json.str(value);
            boolean warn = ("fsync".equals(k) || "synchronous_commit".equals(k)) && !"on".equals(v);
            settings.add("| " + k + " | "
                    + (warn ? "⚠️ **" + v + "**" : String.valueOf(v).replace("|", "\\|")) + " |");
        });
        return List.of(
                "cores",
                m.cores(),
                "memory",
                m.memory(),
                "cpu",
                m.cpu(),
                "os",
                m.os(),
                "jdk",
                jdk,
                "jmh",
                any == null ? "n/a" : String.valueOf(Json.str(any, "jmhVersion")),
                "finished",
                String.valueOf(Json.str(r.run, "finished")),
                "pool_size",
                fmt0(Json.num(r.run, "pool_size")),
                "seed",
                fmt0(Json.num(r.run, "seed")),
                "group_rows",
                Template.lines(groups),
                "server",
                serverText,
                "setting_rows",
                Template.lines(settings));
    }

    // ---------------------------------------------------------------------------------------------------------------

    private double averageOtherLoad() {
        double sum = 0;
        int n = 0;
        for (Results.Side s : r.sides) {
            double o = s.num("measurement", "cpu", "other_pct");
            if (!Double.isNaN(o) && o >= 0) {
                sum += o;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** µs per call of {@code append_transfers} over the trial (pg_stat_user_functions, total time). */
    private static double appendMicros(Results.@Nullable Side side) {
        if (side == null) {
            return Double.NaN;
        }
        for (JsonNode fn : Json.list(side.json(), "trial", "functions")) {
            if ("append_transfers".equals(Json.str(fn, "function"))) {
                return Json.num(fn, "total_ms") * 1000 / Json.num(fn, "calls");
            }
        }
        return Double.NaN;
    }

    /** Planning µs per operation of statements nested in functions and triggers. */
    private static double nestedPlanningMicros(Results.@Nullable Side side) {
        if (side == null) {
            return Double.NaN;
        }
        double ms = 0;
        for (JsonNode st : Json.list(side.json(), "statements")) {
            if (Json.isFalse(st, "toplevel")) {
                ms += nz(Json.num(st, "plan_ms"));
            }
        }
        return ms * 1000 / side.ops();
    }

    /** Mean server µs of the top-level statement with the most calls (the workload's own statement). */
    private static double mainStatementMicros(Results.@Nullable Side side) {
        if (side == null) {
            return Double.NaN;
        }
        double best = -1;
        double mean = Double.NaN;
        for (JsonNode st : Json.list(side.json(), "statements")) {
            if (Json.isTrue(st, "toplevel") && Json.num(st, "calls") > best) {
                best = Json.num(st, "calls");
                mean = Json.num(st, "mean_ms") * 1000;
            }
        }
        return mean;
    }

    private static double topLevel(Results.Side side, String field) {
        double sum = 0;
        for (JsonNode st : Json.list(side.json(), "statements")) {
            if (Json.isTrue(st, "toplevel")) {
                sum += nz(Json.num(st, field));
            }
        }
        return sum;
    }

    private List<Integer> threads(String cls) {
        List<Integer> t = new ArrayList<>();
        for (Results.Jmh j : r.jmh) {
            if (j.cls().equals(cls) && !t.contains(j.threads())) {
                t.add(j.threads());
            }
        }
        t.sort(Integer::compare);
        return t;
    }

    private List<String> params(String cls, String key) {
        List<String> v = new ArrayList<>();
        for (Results.Jmh j : r.jmh) {
            String p = j.params().get(key);
            if (j.cls().equals(cls) && p != null && !v.contains(p)) {
                v.add(p);
            }
        }
        return v;
    }

    private String lat(String cls, String method, String history) {
        Results.Jmh j = r.find(cls, method, 1, "history", history);
        return j == null ? "n/a" : fmtMs(j.percentile("50.0")) + " / " + fmtMs(j.percentile("99.0"));
    }

    /** Seconds in a JMH time value such as "2 s" or "500 ms"; NaN if unknown. */
    private static double seconds(@Nullable String jmhTime) {
        if (jmhTime == null) {
            return Double.NaN;
        }
        String[] p = jmhTime.trim().split("\\s+");
        double v = Double.parseDouble(p[0]);
        return switch (p.length > 1 ? p[1] : "s") {
            case "ms" -> v / 1000;
            case "min" -> v * 60;
            case "us" -> v / 1e6;
            default -> v;
        };
    }

    private static String deadlocks(Results.@Nullable Side s) {
        return s == null ? "n/a" : fmt0(s.num("trial", "deadlocks"));
    }

    private static String retries(Results.@Nullable Side s) {
        return s == null ? "n/a" : fmt3(s.perOp("retries"));
    }

    private static String serialization(Results.@Nullable Side s) {
        return s == null ? "n/a" : fmt0(s.num("measurement", "client", "serialization_failures"));
    }

    private static String gaveUp(Results.@Nullable Side s) {
        return s == null ? "n/a" : fmt0(s.num("measurement", "client", "failures"));
    }

    private static String tps(Results.@Nullable Jmh j) {
        if (j == null) {
            return "n/a";
        }
        return Double.isNaN(j.error()) ? fmt0(j.score()) : fmt0(j.score()) + " ± " + fmt0(j.error());
    }

    private static String params(Map<String, JsonNode> p) {
        List<String> parts = new ArrayList<>();
        p.forEach((k, v) -> parts.add(k + " = " + join(Json.list(v))));
        return String.join("; ", parts);
    }

    private static String join(List<JsonNode> values) {
        List<String> s = new ArrayList<>();
        for (JsonNode v : values) {
            s.add(Json.str(v));
        }
        return String.join(", ", s);
    }

    static String count(String n) {
        long v = Long.parseLong(n);
        return v >= 1_000_000 && v % 1_000_000 == 0
                ? v / 1_000_000 + "M"
                : v >= 1000 && v % 1000 == 0 ? v / 1000 + "k" : n;
    }

    /**
     * The value of {@code key} in a summary that has every key (NaN where the run produced none): the summaries of
     * {@link Report#summary} and {@link CitusReport#headline}.
     *
     * @throws IllegalStateException if the key is absent
     */
    static double summaryValue(Map<String, Double> summary, String key) {
        Double v = summary.get(key);
        if (v == null) {
            throw new IllegalStateException("summary has no " + key);
        }
        return v;
    }

    static String fmt0(double v) {
        return Double.isNaN(v) || v < 0 && v == -1 ? "n/a" : String.format(Locale.ROOT, "%,.0f", v);
    }

    static String fmt1(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    static String fmt2(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    static String fmt3(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    static String fmtMs(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return v < 1
                ? String.format(Locale.ROOT, "%.3f", v)
                : v < 100 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%,.0f", v);
    }

    static String pct(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }

    /** Machine facts from the JVM and /proc. */
    record Machine(String cores, String memory, String cpu, String os) {
        static Machine read() {
            String cpu = "n/a";
            int cores = Runtime.getRuntime().availableProcessors();
            String memory = "n/a";
            String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                    + System.getProperty("os.arch");
            try {
                for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (l.startsWith("model name")) {
                        cpu = l.substring(l.indexOf(':') + 1).trim();
                        break;
                    }
                }
                for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                    if (l.startsWith("MemTotal:")) {
                        long kb = Long.parseLong(l.replaceAll("[^0-9]", ""));
                        memory = String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                        break;
                    }
                }
                Path release = Path.of("/etc/os-release");
                if (Files.exists(release)) {
                    for (String l : Files.readAllLines(release)) {
                        if (l.startsWith("PRETTY_NAME=")) {
                            os = l.substring("PRETTY_NAME=".length()).replace("\"", "") + ", kernel "
                                    + System.getProperty("os.version") + " " + System.getProperty("os.arch");
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // leave n/a
            }
            return new Machine(Integer.toString(cores), memory, cpu, os);
        }
    }
}
