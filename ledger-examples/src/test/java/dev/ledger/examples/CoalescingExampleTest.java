package dev.ledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.postgres.PostgresLedgerStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

/** The README's coalescing and async snippets record every transfer, in memory and on PostgreSQL. */
class CoalescingExampleTest {
    @Test
    void run_inMemory_everyTransferRecorded() {
        assertEquals(0, CoalescingExample.run(new InMemoryLedgerStore(), 500));
    }

    @Test
    void run_onEmbeddedPostgres_everyTransferRecorded() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            assertEquals(
                    0,
                    CoalescingExample.run(
                            PostgresLedgerStore.builder()
                                    .dataSource(pg.getPostgresDatabase())
                                    .migrateOnStart(true)
                                    .build(),
                            300));
        }
    }
}
