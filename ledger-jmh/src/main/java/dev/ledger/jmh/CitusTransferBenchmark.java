package dev.ledger.jmh;

import dev.ledger.core.Transfer;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The uniform workload of {@link TransferBenchmark#ledger} on Citus: {@code Ledger.transfer} of 1 between uniformly
 * random pairs of {@link BenchProps#citusAccounts()} accounts (10,000 by default), on a schema distributed across the
 * cluster ({@code target = cluster}) or on the coordinator alone ({@code single}); with the ledger's default coalescing
 * of concurrent transfers into batches, or ({@code coalescing = off}) one transaction per transfer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CitusTransferBenchmark extends CitusTargetWorkload {
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
    protected int accounts() {
        return BenchProps.citusAccounts();
    }

    /** The pairs of {@link TransferBenchmark.Pairs} among {@link BenchProps#citusAccounts()} accounts. */
    @State(Scope.Thread)
    public static class Pairs extends TransferBenchmark.Pairs {
        public Pairs() {
            super(BenchProps.citusAccounts());
        }
    }

    @Benchmark
    public @Nullable Transfer ledger(Pairs pairs) {
        TransferBenchmark.Pairs p = pairs.next();
        return fx.transfer(p.source, p.destination);
    }
}
