package dev.ledger.postgres;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The concurrency stress of {@link ConcurrencyStressTest} on the store distributed on a real Citus cluster: 32 threads
 * of random transfers over 50 accounts on both workers. Citus gives no snapshot across nodes, so the reader checks each
 * balance on its own (never negative); totals, recomputed balances and contiguous indices are checked once the writers
 * stopped, then no deadlock and no prepared transaction on any node.
 */
class CitusConcurrencyStressTest {
    @RegisterExtension
    static final CitusCluster CLUSTER = new CitusCluster();

    @Test
    void randomTransfers_32threadsAcrossWorkers_conserveMoneyWithoutDeadlocks() throws Exception {
        Map<Integer, Long> deadlocks = CLUSTER.deadlocks();
        ConcurrencyStressTest.stress(CLUSTER.newStore(), CLUSTER.pool(), false, "CitusConcurrencyStressTest");
        CLUSTER.assertNothingPreparedAndNoNewDeadlocks(deadlocks);
    }
}
