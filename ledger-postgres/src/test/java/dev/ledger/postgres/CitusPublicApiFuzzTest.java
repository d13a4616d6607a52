package dev.ledger.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The public API fuzz run of {@link PostgresPublicApiFuzzTest} on the store distributed on a real Citus cluster, with
 * 150 calls (300 on one node; CI's time).
 */
class CitusPublicApiFuzzTest {
    @RegisterExtension
    static final CitusCluster CLUSTER = new CitusCluster();

    @Test
    void publicApi_randomAndMalformedInput_onlyResultsOrRejectionsAndRejectionsRecordNothing() {
        PostgresPublicApiFuzzTest.fuzz(CLUSTER.newStore(), 150, "CitusPublicApiFuzzTest");
    }
}
