package dev.ledger.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.profile.StackProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Runs the benchmark suite: starts the embedded PostgreSQL (unless {@code --jdbc-url} names a server), records the
 * database settings, runs each group of benchmarks through JMH with the settings of the mode, and writes JMH's JSON
 * plus the side files into the output directory. {@link dev.ledger.jmh.report.Report} turns them into the report.
 *
 * <pre>
 * java -cp benchmarks.jar dev.ledger.jmh.BenchRun --mode quick|full|smoke [--jdbc-url URL] [--out DIR] [--only REGEX]
 * </pre>
 *
 * Invoked by {@code ledger-jmh/bench.sh}.
 */
@Command(
        name = "BenchRun",
        sortOptions = false,
        sortSynopsis = false,
        usageHelpAutoWidth = true,
        description = "Runs the benchmark suite; ledger-jmh/bench.sh runs it, then the report.")
public final class BenchRun implements Callable<Integer> {
    /** Settings of JMH for one group. */
    record Settings(int forks, int warmupIterations, int warmupSeconds, int iterations, int seconds) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("forks", forks);
            m.put("warmup_iterations", warmupIterations);
            m.put("warmup_seconds", warmupSeconds);
            m.put("iterations", iterations);
            m.put("iteration_seconds", seconds);
            return m;
        }
    }

    /** A group: benchmarks run with the same settings, once per thread count. */
    record Group(
            String name,
            String include,
            int[] threads,
            Map<String, String[]> params,
            Settings settings,
            String heap,
            String profiler) {
        /** The group as {@code run.json} lists it: name, include, threads, params and settings, in this order. */
        Map<String, Object> info() {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("name", name);
            info.put("include", include);
            info.put("threads", Arrays.stream(threads).boxed().toList());
            Map<String, Object> values = new LinkedHashMap<>();
            params.forEach((k, v) -> values.put(k, List.of(v)));
            info.put("params", values);
            info.put("settings", settings.toMap());
            return info;
        }
    }

    /** The groups whose name or include pattern {@code only} finds; all of them when it is null. */
    static List<Group> select(List<Group> groups, @Nullable Pattern only) {
        if (only == null) {
            return groups;
        }
        return groups.stream()
                .filter(g -> only.matcher(g.name()).find()
                        || only.matcher(g.include()).find())
                .toList();
    }

    @Option(names = "--mode", paramLabel = "MODE", description = "quick, full or smoke (default: ${DEFAULT-VALUE})")
    private String mode = "quick";

    @Option(
            names = "--jdbc-url",
            paramLabel = "URL",
            description = "an existing server (a user that may create databases); default: an embedded PostgreSQL")
    private @Nullable String jdbcUrl;

    @Option(names = "--out", paramLabel = "DIR", description = "the output directory (default: ${DEFAULT-VALUE})")
    private Path out = Path.of("ledger-jmh/target/benchmarks");

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

    private BenchRun() {}

    /**
     * Runs the suite and exits: 0 done, 1 failed, 2 bad arguments (the message and the usage on stderr).
     *
     * @param args {@code --mode quick|full|smoke [--jdbc-url URL] [--out DIR] [--only REGEX]}
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchRun())
                .setOverwrittenOptionsAllowed(true)
                .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!List.of("quick", "full", "smoke").contains(mode)) {
            throw new ParameterException(spec.commandLine(), "--mode must be quick, full or smoke, got '" + mode + "'");
        }
        if ("smoke".equals(mode) && System.getProperty(BenchProps.POOL_SIZE) == null) {
            // The smoke runs 16 threads at most; a smaller pool opens faster in each fork.
            System.setProperty(BenchProps.POOL_SIZE, "16");
        }
        List<Group> groups = select(groups(mode), only);
        Files.createDirectories(out.resolve("side"));
        Instant started = Instant.now();
        long t0 = System.nanoTime();

        EmbeddedServer embedded = null;
        String adminUrl = jdbcUrl;
        if (adminUrl == null) {
            System.out.println("[bench] starting the embedded PostgreSQL (fsync on, synchronous_commit on)...");
            embedded = EmbeddedServer.start();
            adminUrl = embedded.adminUrl();
        }
        int exit = 0;
        String template = null;
        try {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("mode", mode);
            run.put("started", started.toString());
            Map<String, Object> server = new LinkedHashMap<>();
            server.put("kind", embedded != null ? "embedded" : "external");
            server.put("url", JdbcUrls.redact(adminUrl));
            if (embedded != null) {
                server.put("configured", EmbeddedServer.SETTINGS);
            }
            server.put("settings", databaseSettings(adminUrl));
            run.put("server", server);
            run.put("pool_size", BenchProps.poolSize());
            run.put("seed", BenchProps.seed());
            run.put("history", "smoke".equals(mode) ? List.of(1_000, 10_000) : List.of(1_000, 1_000_000));
            List<Map<String, Object>> groupInfo = new ArrayList<>();
            run.put("groups", groupInfo);
            BenchJson.write(out.resolve("run.json"), run);

            template = "bench_template_" + Long.toString(System.nanoTime() & 0xffffffffL, 36);
            BenchDatabase.createTemplate(adminUrl, template);
            // For groups run without forking (-f 0), this JVM is the benchmark JVM: give it the forks' settings.
            System.setProperty(BenchProps.JDBC_URL, adminUrl);
            System.setProperty(
                    BenchProps.SIDE_DIR, out.resolve("side").toAbsolutePath().toString());
            System.setProperty(BenchProps.TEMPLATE, template);
            List<Path> results = new ArrayList<>();
            for (Group g : groups) {
                long g0 = System.nanoTime();
                for (int threads : g.threads()) {
                    Path result = out.resolve("jmh-" + g.name() + "-t" + threads + ".json");
                    System.out.println("[bench] group " + g.name() + ", " + threads + " thread(s): " + g.include());
                    new Runner(options(g, threads, adminUrl, template, out, result)).run();
                    if (!"stack".equals(g.profiler())) {
                        results.add(result);
                    }
                }
                Map<String, Object> info = g.info();
                info.put("jvm_args", jvmArgs(g, adminUrl, template, out));
                info.put("profiler", g.profiler());
                info.put("elapsed_seconds", (System.nanoTime() - g0) / 1e9);
                groupInfo.add(info);
                BenchJson.write(out.resolve("run.json"), run);
            }
            mergeResults(results, out.resolve("jmh-result.json"));
            run.put("finished", Instant.now().toString());
            run.put("elapsed_seconds", (System.nanoTime() - t0) / 1e9);
            BenchJson.write(out.resolve("run.json"), run);
            System.out.printf(
                    Locale.ROOT, "[bench] done in %.0f s; results in %s%n", (System.nanoTime() - t0) / 1e9, out);
        } catch (RunnerException | SQLException | RuntimeException e) {
            System.err.println("[bench] FAILED: " + e);
            e.printStackTrace();
            exit = 1;
        } finally {
            if (template != null) {
                BenchDatabase.dropTemplate(adminUrl, template);
            }
            if (embedded != null) {
                embedded.close();
            }
        }
        return exit;
    }

    /** The groups of a mode; the suite is the same in every mode, only sizes and times differ. */
    static List<Group> groups(String mode) {
        Settings pg;
        Settings balance;
        Settings memory;
        Settings profile;
        int[] sweep;
        int[] hotThreads = {16};
        String[] zipf = {"1.0", "2.0"};
        String[] history;
        int[] memoryThreads = {1, 2};
        switch (mode) {
            case "quick" -> {
                pg = new Settings(1, 1, 2, 2, 3);
                balance = new Settings(1, 1, 2, 1, 3);
                memory = new Settings(1, 2, 2, 3, 2);
                profile = new Settings(1, 1, 2, 1, 3);
                sweep = new int[] {1, 4, 16, 32};
                history = new String[] {"1000", "1000000"};
            }
            case "full" -> {
                pg = new Settings(1, 3, 10, 5, 10);
                balance = new Settings(1, 2, 10, 3, 10);
                memory = new Settings(2, 5, 5, 5, 5);
                profile = new Settings(1, 2, 5, 2, 5);
                sweep = new int[] {1, 4, 16, 32};
                history = new String[] {"1000", "1000000"};
            }
            case "smoke" -> {
                // One 1-second iteration of everything. The PostgreSQL groups run in this JVM (-f 0): a fork costs
                // seconds of JVM start and class loading each, and the smoke must fit CI's 3 minutes on 2 busy cores.
                // The in-memory group forks, so the forking path is exercised too.
                pg = new Settings(0, 0, 1, 1, 1);
                balance = pg;
                memory = new Settings(1, 0, 1, 1, 1);
                profile = null;
                sweep = new int[] {16};
                history = new String[] {"1000", "10000"};
                memoryThreads = new int[] {2};
            }
            default -> throw new IllegalArgumentException("mode must be quick, full or smoke, got " + mode);
        }
        List<Group> groups = new ArrayList<>();
        groups.add(new Group(
                "throughput",
                "dev.ledger.jmh.TransferBenchmark.(ledger|rawInsert|locking|seed)$",
                sweep,
                Map.of(),
                pg,
                "1g",
                "gc"));
        groups.add(new Group(
                "pending", "dev.ledger.jmh.TransferBenchmark.pendingPost$", new int[] {16}, Map.of(), pg, "1g", "gc"));
        groups.add(new Group(
                "hot",
                "dev.ledger.jmh.HotAccountsBenchmark.(ledger|locking|seed)$",
                hotThreads,
                Map.of("s", zipf),
                pg,
                "1g",
                "gc"));
        groups.add(new Group(
                "bulk",
                "dev.ledger.jmh.BulkBenchmark.(ledgerBatch|rawBatch)$",
                new int[] {1},
                Map.of(),
                pg,
                "1g",
                "gc"));
        groups.add(new Group(
                "latency",
                "dev.ledger.jmh.LatencyBenchmark.(ledger|locking)$",
                new int[] {1},
                Map.of(),
                balance,
                "1g",
                "gc"));
        groups.add(new Group(
                "balance",
                "dev.ledger.jmh.BalanceBenchmark.",
                new int[] {1},
                Map.of("history", history),
                balance,
                "1g",
                "gc"));
        groups.add(new Group(
                "inmemory", "dev.ledger.jmh.InMemoryBenchmark.transfer$", memoryThreads, Map.of(), memory, "4g", "gc"));
        if (profile != null) {
            groups.add(new Group(
                    "inmemory-stack",
                    "dev.ledger.jmh.InMemoryBenchmark.transfer$",
                    new int[] {2},
                    Map.of(),
                    profile,
                    "4g",
                    "stack"));
        }
        return groups;
    }

    private static List<String> jvmArgs(Group g, String adminUrl, String template, Path out) {
        List<String> args = new ArrayList<>(List.of(
                "-Xms" + g.heap(),
                "-Xmx" + g.heap(),
                "-Djava.awt.headless=true",
                "-D" + BenchProps.JDBC_URL + "=" + adminUrl,
                "-D" + BenchProps.SIDE_DIR + "=" + out.resolve("side").toAbsolutePath(),
                "-D" + BenchProps.POOL_SIZE + "=" + BenchProps.poolSize(),
                "-D" + BenchProps.SEED + "=" + BenchProps.seed(),
                "-D" + BenchProps.TEMPLATE + "=" + template));
        if (Boolean.getBoolean(BenchProps.DEBUG)) {
            args.add("-D" + BenchProps.DEBUG + "=true");
        }
        return args;
    }

    private static org.openjdk.jmh.runner.options.Options options(
            Group g, int threads, String adminUrl, String template, Path out, Path result) {
        ChainedOptionsBuilder o = jmhOptions(g, threads, jvmArgs(g, adminUrl, template, out), result);
        if ("gc".equals(g.profiler())) {
            o.addProfiler(GCProfiler.class);
        } else if ("stack".equals(g.profiler())) {
            o.addProfiler(StackProfiler.class, "lines=1;top=25;detailLine=false");
            o.output(out.resolve("profile-inmemory-stack.txt").toString());
        }
        return o.build();
    }

    /**
     * JMH's options for one group at {@code threads} threads, without a profiler: the group's settings and params, a
     * timeout of 5 minutes per iteration, failing on a benchmark's error, and the JSON result into {@code result}.
     */
    static ChainedOptionsBuilder jmhOptions(Group g, int threads, List<String> jvmArgs, Path result) {
        Settings s = g.settings();
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(g.include())
                .threads(threads)
                .forks(s.forks())
                .warmupIterations(s.warmupIterations())
                .warmupTime(TimeValue.seconds(s.warmupSeconds()))
                .measurementIterations(s.iterations())
                .measurementTime(TimeValue.seconds(s.seconds()))
                .timeout(TimeValue.minutes(5))
                .shouldFailOnError(true)
                .jvmArgs(jvmArgs.toArray(String[]::new))
                .resultFormat(ResultFormatType.JSON)
                .result(result.toString());
        g.params().forEach(o::param);
        return o;
    }

    /** Concatenates JMH's JSON arrays into one. */
    static void mergeResults(List<Path> results, Path merged) throws IOException {
        StringBuilder all = new StringBuilder("[\n");
        boolean first = true;
        for (Path p : results) {
            if (!Files.exists(p)) {
                continue;
            }
            String text = Files.readString(p).trim();
            if (text.length() < 2 || !text.startsWith("[")) {
                continue;
            }
            String inner = text.substring(1, text.length() - 1).trim();
            if (inner.isEmpty()) {
                continue;
            }
            if (!first) {
                all.append(",\n");
            }
            all.append(inner);
            first = false;
        }
        all.append("\n]\n");
        Files.writeString(merged, all.toString(), StandardCharsets.UTF_8);
    }

    /** The server's version and the settings that matter for these numbers, as {@code SHOW} prints them. */
    static Map<String, String> databaseSettings(String adminUrl) {
        Map<String, String> m = new LinkedHashMap<>();
        String[] names = {
            "server_version",
            "fsync",
            "synchronous_commit",
            "full_page_writes",
            "wal_sync_method",
            "shared_buffers",
            "max_connections",
            "wal_level",
            "max_wal_size",
            "checkpoint_timeout",
            "commit_delay",
            "work_mem",
            "max_parallel_workers_per_gather",
            "autovacuum",
            "jit",
            "shared_preload_libraries",
            "track_functions",
            "pg_stat_statements.track",
            "pg_stat_statements.track_planning",
            "data_directory"
        };
        try (Connection c = DriverManager.getConnection(adminUrl);
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT version()")) {
                rs.next();
                m.put("version", rs.getString(1));
            }
            for (String name : names) {
                try (ResultSet rs = st.executeQuery("SHOW " + name)) {
                    rs.next();
                    m.put(name, rs.getString(1));
                } catch (SQLException e) {
                    m.put(name, "n/a (" + e.getSQLState() + ")");
                }
            }
            String dir = m.get("data_directory");
            if (dir != null && JdbcUrls.isLocal(adminUrl) && Files.isDirectory(Path.of(dir))) {
                try {
                    m.put(
                            "data_directory_filesystem",
                            Files.getFileStore(Path.of(dir)).type());
                } catch (IOException e) {
                    m.put("data_directory_filesystem", "n/a");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot read the settings of " + JdbcUrls.redact(adminUrl) + ": " + e.getMessage(), e);
        }
        return m;
    }
}
