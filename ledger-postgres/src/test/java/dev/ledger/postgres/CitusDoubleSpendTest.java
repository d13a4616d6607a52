package dev.ledger.postgres;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The double-spend attack of {@link DoubleSpendTest} on the store distributed on a real Citus cluster: 200 accounts
 * funded with 10 (1000 on one node; CI's time), 16 concurrent withdrawals of 9 from each; exactly one per account
 * succeeds. The accounts' shards lie on both workers, and the sink's on one of them, so most withdrawals commit on two
 * nodes.
 */
class CitusDoubleSpendTest {
    @RegisterExtension
    static final CitusCluster CLUSTER = new CitusCluster();

    @Test
    void withdrawals_16concurrentPerAccountAcrossWorkers_exactlyOneSucceedsEach() throws Exception {
        Map<Integer, Long> deadlocks = CLUSTER.deadlocks();
        DoubleSpendTest.attack(CLUSTER.newStore(), 200);
        CLUSTER.assertNothingPreparedAndNoNewDeadlocks(deadlocks);
    }
}
