package dev.ledger.postgres;

import dev.ledger.core.Coalescing;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.tck.LedgerStoreContractTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole store contract kit against PostgreSQL with every {@code transfer} call coalesced into batches (the
 * 20-thread races included), as {@link PostgresLedgerStoreContractTest} runs it without.
 */
class PostgresCoalescingContractTest extends LedgerStoreContractTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(40);

    @Override
    protected LedgerStore newStore() {
        return DB.newStore();
    }

    @Override
    protected Coalescing coalescing() {
        return Coalescing.natural(64, 4);
    }
}
