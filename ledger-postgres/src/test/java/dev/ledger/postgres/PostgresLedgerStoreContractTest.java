package dev.ledger.postgres;

import dev.ledger.core.spi.LedgerStore;
import dev.ledger.tck.LedgerStoreContractTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole store contract kit, against PostgreSQL: each test gets a fresh schema, migrated, with the background
 * summariser off (the contract's clock starts in the past; {@link BalanceSummaryTest} covers the summariser).
 */
class PostgresLedgerStoreContractTest extends LedgerStoreContractTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(40);

    @Override
    protected LedgerStore newStore() {
        return DB.newStore();
    }
}
