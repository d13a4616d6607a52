package dev.ledger.jmh;

import dev.ledger.core.Transfer;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The hot workload of {@link HotAccountsBenchmark#ledger} on Citus: sources and destinations drawn from a Zipf
 * distribution with exponent {@code s} over {@value HotAccountsBenchmark#ACCOUNTS} accounts (the same seeded sampler,
 * {@link HotAccountsBenchmark.ZipfPairs}), on the cluster or on the coordinator alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CitusHotBenchmark extends CitusTargetWorkload {
    @Override
    protected String label() {
        return "hot";
    }

    @Override
    protected int accounts() {
        return HotAccountsBenchmark.ACCOUNTS;
    }

    @Benchmark
    public @Nullable Transfer ledger(HotAccountsBenchmark.ZipfPairs pairs) {
        HotAccountsBenchmark.ZipfPairs p = pairs.next();
        return fx.transfer(p.source, p.destination);
    }
}
