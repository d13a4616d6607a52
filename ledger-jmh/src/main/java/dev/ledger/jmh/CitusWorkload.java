package dev.ledger.jmh;

import java.util.Map;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The trial lifecycle every Citus workload shares: a new schema per trial ({@link CitusFixture}), on the cluster or on
 * the coordinator alone, the measurements of each iteration ({@link Workload}), and the trial's side file.
 */
@State(Scope.Benchmark)
public abstract class CitusWorkload extends Workload<CitusFixture> {
    /** Names the trial's schema. */
    protected abstract String label();

    /** Whether this trial's schema is distributed across the cluster. */
    protected abstract boolean distributed();

    protected abstract int accounts();

    /**
     * How the trial's ledger coalesces concurrent transfers: {@code default} (the store's: natural batching),
     * {@code off}, {@code natural} or {@code natural:WRITERS}; by default {@code -Dledger.bench.coalescing}, else
     * {@code default}.
     */
    protected String coalescing() {
        return System.getProperty("ledger.bench.coalescing", "default");
    }

    @Setup(Level.Trial)
    public void setUp() {
        fx = CitusFixture.create(label(), distributed(), accounts(), coalescing());
        prepared();
    }

    /** Called once the trial's fixture exists, before the first iteration. */
    protected void prepared() {}

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams params) {
        fx.finish(params, Map.of("workload", label()));
    }
}
