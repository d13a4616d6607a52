package dev.ledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.ledger.core.Ledger;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.TransferResult;
import dev.ledger.postgres.PostgresLedgerStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

/** The README's batch snippet does what its comments say, on PostgreSQL. */
class BatchExampleTest {
    @Test
    void run_onEmbeddedPostgres_independentAndLinkedAsCommented() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                Ledger ledger = Ledger.builder(PostgresLedgerStore.builder()
                                .dataSource(pg.getPostgresDatabase())
                                .migrateOnStart(true)
                                .build())
                        .build()) {
            BatchExample.Result r = BatchExample.run(ledger);
            assertInstanceOf(TransferResult.Recorded.class, r.payroll().get(0));
            assertEquals(
                    RejectionReason.INSUFFICIENT_FUNDS,
                    ((TransferResult.Rejected) r.payroll().get(1)).reason());
            assertInstanceOf(TransferResult.Recorded.class, r.payroll().get(2));
            assertEquals(1, r.failedPosition());
            assertEquals(0, r.aliceBalance());
            assertEquals(60_00, r.bobBalance());
        }
    }
}
