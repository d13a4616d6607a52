package dev.ledger.jmh;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;

/**
 * The iteration lifecycle every workload on a database shares ({@link PgWorkload}, {@link CitusWorkload},
 * {@link BalanceBenchmark}): the trial's fixture hears of each iteration's start and end, and measures from the first
 * measurement iteration to the last. The subclass creates the fixture at {@code @Setup(Level.Trial)} and finishes it at
 * {@code @TearDown(Level.Trial)}.
 *
 * @param <F> the trial's fixture
 */
@State(Scope.Benchmark)
public abstract class Workload<F extends Workload.Fixture> {
    /** What a trial's fixture does at each iteration. */
    interface Fixture {
        void iterationStarts(IterationParams params);

        void iterationEnds(IterationParams params);
    }

    // Set by the subclass's @Setup(Level.Trial), which JMH runs before any iteration's setup; NullAway checks each
    // class's initializers alone, so it cannot see that (NullAway.Init silences the initialization check only).
    @SuppressWarnings("NullAway.Init")
    protected F fx;

    @Setup(Level.Iteration)
    public void iterationStarts(IterationParams params) {
        fx.iterationStarts(params);
    }

    @TearDown(Level.Iteration)
    public void iterationEnds(IterationParams params) {
        fx.iterationEnds(params);
    }
}
