package dev.ledger.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Runs the Citus benchmarks ({@code bench.sh --citus}) against the coordinator of a running cluster: the uniform and
 * hot workloads, each on a schema distributed across the cluster and on one on the coordinator alone, and one caller's
 * latency by where a transfer's rows live. Writes JMH's JSON, the side files and {@code run.json} into the output
 * directory; {@link dev.ledger.jmh.report.CitusReport} turns them into the report. Drops leftover {@code bench_%}
 * schemas before and after.
 *
 * <pre>
 * java -cp benchmarks.jar dev.ledger.jmh.CitusRun --mode citus|citus-smoke [--jdbc-url URL] [--out DIR] [--only REGEX]
 * </pre>
 */
@Command(
        name = "CitusRun",
        sortOptions = false,
        sortSynopsis = false,
        usageHelpAutoWidth = true,
        description = "Runs the Citus benchmarks; ledger-jmh/bench.sh --citus runs it, then the report.")
public final class CitusRun implements Callable<Integer> {
    @Option(names = "--mode", paramLabel = "MODE", description = "citus or citus-smoke (default: ${DEFAULT-VALUE})")
    private String mode = "citus";

    @Option(names = "--jdbc-url", paramLabel = "URL", description = "the Citus coordinator (default: ${DEFAULT-VALUE})")
    private String url = "jdbc:postgresql://localhost:9700/postgres?user=postgres";

    @Option(names = "--out", paramLabel = "DIR", description = "the output directory (default: ${DEFAULT-VALUE})")
    private Path out = Path.of("ledger-jmh/target/benchmarks-citus");

    @Option(names = "--only", paramLabel = "REGEX", description = "only the groups whose name or benchmarks match")
    private @Nullable Pattern only;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "print this help and exit")
    private boolean help;

    @Spec
    @SuppressWarnings("NullAway.Init") // injected by picocli before call()
    private CommandSpec spec;

    private CitusRun() {}

    /**
     * Runs the Citus suite and exits: 0 done, 1 failed, 2 bad arguments (the message and the usage on stderr).
     *
     * @param args {@code --mode citus|citus-smoke [--jdbc-url URL] [--out DIR] [--only REGEX]}
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new CitusRun())
                .setOverwrittenOptionsAllowed(true)
                .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        boolean smoke = "citus-smoke".equals(mode);
        if (!smoke && !"citus".equals(mode)) {
            throw new ParameterException(spec.commandLine(), "--mode must be citus or citus-smoke, got '" + mode + "'");
        }
        if (System.getProperty(BenchProps.POOL_SIZE) == null) {
            System.setProperty(BenchProps.POOL_SIZE, "16"); // 16 threads at most
        }
        if (smoke && System.getProperty(BenchProps.CITUS_ACCOUNTS) == null) {
            System.setProperty(BenchProps.CITUS_ACCOUNTS, "2000");
        }
        List<BenchRun.Group> groups = BenchRun.select(groups(smoke), only);
        Files.createDirectories(out.resolve("side"));
        long t0 = System.nanoTime();
        int exit = 0;
        try {
            CitusNodes nodes = CitusNodes.discover(url);
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("mode", mode);
            run.put("started", Instant.now().toString());
            run.put("url", JdbcUrls.redact(url));
            run.put("dropped_at_start", CitusNodes.dropBenchSchemas(url));
            run.put("citus_version", citusVersion(url));
            run.put("shard_count", BenchProps.citusShardCount());
            run.put("uniform_accounts", BenchProps.citusAccounts());
            run.put("hot_accounts", HotAccountsBenchmark.ACCOUNTS);
            run.put("latency_accounts", CitusLatencyBenchmark.ACCOUNTS);
            run.put("pool_size", BenchProps.poolSize());
            run.put("seed", BenchProps.seed());
            run.put("coalescing", System.getProperty("ledger.bench.coalescing", "default"));
            run.put("summarizer", BenchProps.citusSummarizer());
            run.put("cores", Runtime.getRuntime().availableProcessors());
            run.put("cpu_from_proc", nodes.local());
            run.put("load_average_1m_start", ServerCpu.loadAverage());
            List<Map<String, Object>> nodeInfo = new ArrayList<>();
            for (CitusNodes.Node n : nodes.all()) {
                Map<String, Object> info = new LinkedHashMap<>();
                info.put("name", n.name());
                info.put("url", JdbcUrls.redact(n.url()));
                info.put("settings", BenchRun.databaseSettings(n.url()));
                nodeInfo.add(info);
            }
            run.put("nodes", nodeInfo);
            List<Map<String, Object>> groupInfo = new ArrayList<>();
            run.put("groups", groupInfo);
            BenchJson.write(out.resolve("run.json"), run);

            // For groups run without forking (-f 0), this JVM is the benchmark JVM: give it the forks' settings.
            for (String arg : jvmArgs(url, out)) {
                if (arg.startsWith("-D")) {
                    int eq = arg.indexOf('=');
                    System.setProperty(arg.substring(2, eq), arg.substring(eq + 1));
                }
            }
            List<Path> results = new ArrayList<>();
            for (BenchRun.Group g : groups) {
                long g0 = System.nanoTime();
                for (int threads : g.threads()) {
                    Path result = out.resolve("jmh-" + g.name() + "-t" + threads + ".json");
                    System.out.println("[citus] group " + g.name() + ", " + threads + " thread(s): " + g.include());
                    new Runner(BenchRun.jmhOptions(g, threads, jvmArgs(url, out), result)
                                    .build())
                            .run();
                    results.add(result);
                }
                Map<String, Object> info = g.info();
                List<String> shown = new ArrayList<>();
                for (String arg : jvmArgs(url, out)) {
                    shown.add(arg.replace(url, JdbcUrls.redact(url)));
                }
                info.put("jvm_args", shown);
                info.put("elapsed_seconds", (System.nanoTime() - g0) / 1e9);
                groupInfo.add(info);
                BenchJson.write(out.resolve("run.json"), run);
            }
            BenchRun.mergeResults(results, out.resolve("jmh-result.json"));
            run.put("load_average_1m_end", ServerCpu.loadAverage());
            run.put("dropped_at_end", CitusNodes.dropBenchSchemas(url));
            run.put("finished", Instant.now().toString());
            run.put("elapsed_seconds", (System.nanoTime() - t0) / 1e9);
            BenchJson.write(out.resolve("run.json"), run);
            System.out.printf(
                    Locale.ROOT, "[citus] done in %.0f s; results in %s%n", (System.nanoTime() - t0) / 1e9, out);
        } catch (RunnerException | SQLException | RuntimeException e) {
            System.err.println("[citus] FAILED: " + e);
            e.printStackTrace();
            exit = 1;
            try {
                CitusNodes.dropBenchSchemas(url);
            } catch (SQLException | RuntimeException again) {
                System.err.println("[citus] could not drop the bench_ schemas: " + again.getMessage());
            }
        }
        return exit;
    }

    /**
     * The groups: uniform at 1, 4 and 16 threads (and at 16 without coalescing), hot (s = 1.0, 2.0) at 16, and the
     * latency pairs at 1; each throughput trial on the cluster and on the single node. The smoke runs one short
     * iteration of each, in this JVM.
     */
    static List<BenchRun.Group> groups(boolean smoke) {
        BenchRun.Settings s = smoke ? new BenchRun.Settings(0, 0, 1, 1, 2) : new BenchRun.Settings(1, 1, 5, 3, 5);
        int[] uniformThreads = smoke ? new int[] {16} : new int[] {1, 4, 16};
        List<BenchRun.Group> groups = new ArrayList<>();
        groups.add(new BenchRun.Group(
                "uniform",
                "dev.ledger.jmh.CitusTransferBenchmark.ledger$",
                uniformThreads,
                Map.of("target", new String[] {"cluster", "single"}),
                s,
                "1g",
                "none"));
        // One transaction per transfer: what a transfer costs each node, without batches spanning every worker.
        groups.add(new BenchRun.Group(
                "uniform-uncoalesced",
                "dev.ledger.jmh.CitusTransferBenchmark.ledger$",
                new int[] {16},
                Map.of("target", new String[] {"cluster", "single"}, "coalescing", new String[] {"off"}),
                s,
                "1g",
                "none"));
        groups.add(new BenchRun.Group(
                "hot",
                "dev.ledger.jmh.CitusHotBenchmark.ledger$",
                new int[] {16},
                Map.of("target", new String[] {"cluster", "single"}, "s", new String[] {"1.0", "2.0"}),
                s,
                "1g",
                "none"));
        groups.add(new BenchRun.Group(
                "latency",
                "dev.ledger.jmh.CitusLatencyBenchmark.ledger$",
                new int[] {1},
                Map.of("pair", new String[] {"same", "cross", "single"}),
                s,
                "1g",
                "none"));
        return groups;
    }

    private static List<String> jvmArgs(String url, Path out) {
        List<String> args = new ArrayList<>(List.of(
                "-Xms1g",
                "-Xmx1g",
                "-Djava.awt.headless=true",
                "-D" + BenchProps.JDBC_URL + "=" + url,
                "-D" + BenchProps.SIDE_DIR + "=" + out.resolve("side").toAbsolutePath(),
                "-D" + BenchProps.POOL_SIZE + "=" + BenchProps.poolSize(),
                "-D" + BenchProps.SEED + "=" + BenchProps.seed(),
                "-D" + BenchProps.CITUS_SHARD_COUNT + "=" + BenchProps.citusShardCount(),
                "-D" + BenchProps.CITUS_ACCOUNTS + "=" + BenchProps.citusAccounts(),
                "-D" + BenchProps.CITUS_SUMMARIZER + "=" + BenchProps.citusSummarizer()));
        String coalescing = System.getProperty("ledger.bench.coalescing");
        if (coalescing != null) {
            args.add("-Dledger.bench.coalescing=" + coalescing);
        }
        return args;
    }

    private static String citusVersion(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'citus'")) {
            return rs.next() ? rs.getString(1) : "n/a";
        }
    }
}
