package dev.ledger.jmh;

import java.sql.SQLException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * One caller's latency (run at one thread, JMH samples each call): {@link #ledger} is {@code Ledger.transfer} on
 * PostgreSQL with the library's defaults, {@link #locking} the locking baseline, on the workload of
 * {@link TransferBenchmark} (uniform pairs of {@value #ACCOUNTS} funded accounts).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LatencyBenchmark {
  public static final int ACCOUNTS = 10_000;

  private PgTransfers fx;

  @Setup(Level.Trial)
  public void setUp() {
    fx = PgTransfers.create("latency", ACCOUNTS);
  }

  @Setup(Level.Iteration)
  public void iterationStarts(IterationParams params) {
    fx.iterationStarts(params);
  }

  @TearDown(Level.Iteration)
  public void iterationEnds(IterationParams params) {
    fx.iterationEnds(params);
  }

  @TearDown(Level.Trial)
  public void tearDown(BenchmarkParams params) {
    fx.finish(params);
  }

  /** Uniformly random pairs of distinct accounts, seeded per thread. */
  @State(Scope.Thread)
  public static class Pairs {
    private SplittableRandom random;
    int source;
    int destination;

    @Setup(Level.Trial)
    public void setUp(ThreadParams thread) {
      random = new SplittableRandom(BenchProps.seed() * 1_000_003 + thread.getThreadIndex());
    }

    Pairs next() {
      source = random.nextInt(ACCOUNTS);
      int d = random.nextInt(ACCOUNTS - 1);
      destination = d >= source ? d + 1 : d;
      return this;
    }
  }

  @Benchmark
  public Object ledger(Pairs pairs) {
    Pairs p = pairs.next();
    return fx.ledger(p.source, p.destination);
  }

  @Benchmark
  public long locking(Pairs pairs) throws SQLException {
    Pairs p = pairs.next();
    return fx.locking(p.source, p.destination);
  }
}
