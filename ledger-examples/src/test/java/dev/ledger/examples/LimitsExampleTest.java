package dev.ledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ledger.core.RejectionReason;
import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.postgres.PostgresLedgerStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's limits snippet does what its comments say, in memory and on PostgreSQL. */
class LimitsExampleTest {
    private static void check(LedgerStore store) {
        LimitsExample.Result r = LimitsExample.run(store);
        assertEquals(-500_00, r.aliceAfterOverdraft());
        assertEquals(10_000_00, r.walletAfterTopUp());
        assertEquals(List.of(RejectionReason.INSUFFICIENT_FUNDS, RejectionReason.UPPER_LIMIT_EXCEEDED), r.refused());
    }

    @Test
    void run_inMemory_lineAndCapHold() {
        check(new InMemoryLedgerStore());
    }

    @Test
    void run_onEmbeddedPostgres_lineAndCapHold() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            check(PostgresLedgerStore.builder()
                    .dataSource(pg.getPostgresDatabase())
                    .migrateOnStart(true)
                    .build());
        }
    }
}
