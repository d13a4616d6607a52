package dev.ledger.jmh;

import dev.ledger.core.Transfer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The uniform workload of {@link TransferBenchmark#ledger} on Citus: {@code Ledger.transfer} of 1 between uniformly
 * random pairs of {@link BenchProps#citusAccounts()} accounts (10,000 by default), on a schema distributed across
 * the cluster ({@code target = cluster}) or on the coordinator alone ({@code single}); with the ledger's default
 * coalescing of concurrent transfers into batches, or ({@code coalescing = off}) one transaction per transfer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CitusTransferBenchmark extends CitusWorkload {
  @Param({"cluster", "single"})
  public String target;

  /** {@code default}: the library's (natural batching), or what {@code -Dledger.bench.coalescing} says; or off. */
  @Param({"default"})
  public String coalescing;

  @Override
  protected String coalescing() {
    return "default".equals(coalescing) ? super.coalescing() : coalescing;
  }

  @Override
  protected String label() {
    return "uniform";
  }

  @Override
  protected boolean distributed() {
    return "cluster".equals(target);
  }

  @Override
  protected int accounts() {
    return BenchProps.citusAccounts();
  }

  /** Uniformly random pairs of distinct accounts, seeded per thread as in {@link TransferBenchmark}. */
  @State(Scope.Thread)
  public static class Pairs {
    private final int accounts = BenchProps.citusAccounts();
    private SplittableRandom random;
    int source;
    int destination;

    @Setup(Level.Trial)
    public void setUp(ThreadParams thread) {
      random = new SplittableRandom(BenchProps.seed() * 1_000_003 + thread.getThreadIndex());
    }

    Pairs next() {
      source = random.nextInt(accounts);
      int d = random.nextInt(accounts - 1);
      destination = d >= source ? d + 1 : d;
      return this;
    }
  }

  @Benchmark
  public Transfer ledger(Pairs pairs) {
    Pairs p = pairs.next();
    return fx.transfer(p.source, p.destination);
  }
}
