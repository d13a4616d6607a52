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

  private BenchProps() {}

  static int poolSize() {
    return Integer.getInteger(POOL_SIZE, 32);
  }

  static long seed() {
    return Long.getLong(SEED, 42L);
  }
}
