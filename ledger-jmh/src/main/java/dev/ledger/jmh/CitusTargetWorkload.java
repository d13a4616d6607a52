package dev.ledger.jmh;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * A Citus workload measured on both targets: {@code target = cluster}, the trial's schema distributed across the
 * cluster, and {@code single}, the same schema on the coordinator alone.
 */
@State(Scope.Benchmark)
public abstract class CitusTargetWorkload extends CitusWorkload {
    @Param({"cluster", "single"})
    public String target;

    @Override
    protected boolean distributed() {
        return "cluster".equals(target);
    }
}
