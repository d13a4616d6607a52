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

  private BenchProps() {}

  static int poolSize() {
    return Integer.getInteger(POOL_SIZE, 32);
  }

  static long seed() {
    return Long.getLong(SEED, 42L);
  }
}
