package dev.ledger.jmh;

/** System properties that {@link BenchRun} passes to the forked benchmark JVMs. */
public final class BenchProps {
    /** The admin JDBC URL of the server (a user allowed to create databases); each trial creates its own database. */
    public static final String JDBC_URL = "ledger.bench.jdbcUrl";
    /** The directory where each trial writes its side file (counters, database statistics, CPU split). */
    public static final String SIDE_DIR = "ledger.bench.sideDir";
    /** Connections in the HikariCP pool shared by the ledger and the baselines of one trial; default 32. */
    public static final String POOL_SIZE = "ledger.bench.poolSize";
    /** The seed of every random choice (account pairs, Zipf draws); default 42. */
    public static final String SEED = "ledger.bench.seed";

    /**
     * A database on the server, already migrated by {@link BenchRun} at the start of the run, that each trial copies
     * ({@code CREATE DATABASE ... TEMPLATE}) instead of running the migrations itself; absent: each trial migrates.
     */
    public static final String TEMPLATE = "ledger.bench.template";
    /** Prints the time of each setup step and fixture statement; default false. */
    public static final String DEBUG = "ledger.bench.debug";
    /**
     * The Citus benchmarks ({@code bench.sh --citus}): {@code citus.shard_count} when a distributed schema is migrated;
     * default 32, Citus's own default.
     */
    public static final String CITUS_SHARD_COUNT = "ledger.bench.citus.shardCount";
    /**
     * The Citus benchmarks: whether the ledger runs the balance summariser at the library's default (every second) on
     * the cluster and on the single node alike; default true. Without summaries every funds check of the hottest
     * account sums all its credits, and the hot workloads slow down as the trial goes on.
     */
    public static final String CITUS_SUMMARIZER = "ledger.bench.citus.summarizer";
    /** The Citus benchmarks: the accounts of the uniform workload; default 10,000, as {@link TransferBenchmark}. */
    public static final String CITUS_ACCOUNTS = "ledger.bench.citus.accounts";

    private BenchProps() {}

    static int poolSize() {
        return Integer.getInteger(POOL_SIZE, 32);
    }

    static long seed() {
        return Long.getLong(SEED, 42L);
    }

    static int citusShardCount() {
        return Integer.getInteger(CITUS_SHARD_COUNT, 32);
    }

    static boolean citusSummarizer() {
        return Boolean.parseBoolean(System.getProperty(CITUS_SUMMARIZER, "true"));
    }

    static int citusAccounts() {
        return Integer.getInteger(CITUS_ACCOUNTS, TransferBenchmark.ACCOUNTS);
    }
}
