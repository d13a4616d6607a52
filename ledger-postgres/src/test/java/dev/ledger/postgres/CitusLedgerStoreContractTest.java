package dev.ledger.postgres;

import dev.ledger.core.spi.LedgerStore;
import dev.ledger.tck.LedgerStoreContractTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole store contract kit against the store distributed on a real Citus cluster: each test gets a fresh schema,
 * migrated and distributed, with the background summariser off (as {@link PostgresLedgerStoreContractTest}). The
 * contract reads only its own schema, so the next test's schema is prepared while a test runs.
 */
class CitusLedgerStoreContractTest extends LedgerStoreContractTest {
    @RegisterExtension
    static final CitusCluster CLUSTER = CitusCluster.preparingSchemasAhead();

    @Override
    protected LedgerStore newStore() {
        return CLUSTER.newStore();
    }
}
