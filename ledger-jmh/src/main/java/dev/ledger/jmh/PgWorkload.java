package dev.ledger.jmh;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The trial lifecycle every PostgreSQL workload shares: a new database with {@link #accounts()} funded accounts per
 * trial ({@link PgTransfers}), the measurements of each iteration ({@link Workload}), and the trial's side file.
 */
@State(Scope.Benchmark)
public abstract class PgWorkload extends Workload<PgTransfers> {
    /** Names the trial's database. */
    protected abstract String label();

    protected abstract int accounts();

    @Setup(Level.Trial)
    public void setUp() {
        fx = PgTransfers.create(label(), accounts());
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams params) {
        fx.finish(params);
    }
}
