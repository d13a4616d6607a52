package dev.ledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ledger.core.AccountId;
import dev.ledger.core.Balances;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.postgres.PostgresLedgerStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's card snippet does what its comments say, in memory and on PostgreSQL, and verify() finds nothing. */
class CardHoldExampleTest {
    private static void check(LedgerStore store) {
        SteppingClock clock = new SteppingClock(Instant.parse("2026-03-02T09:00:00Z"));
        try (Ledger ledger = Ledger.builder(store).clock(clock).build()) {
            AccountId bank = AccountId.of("bank");
            ledger.open(NewAccount.issuer(bank, "USD"));
            Map<String, Balances> steps = CardHoldExample.run(ledger, clock, bank);
            assertEquals(
                    List.of(
                            "opened with 100.00",
                            "hold of 50.00",
                            "captured 42.50",
                            "hold of 20.00 for 30 min",
                            "an hour later"),
                    List.copyOf(steps.keySet()));
            assertEquals(
                    List.of(
                            new Balances(100_00, 0, 0),
                            new Balances(100_00, 50_00, 0),
                            new Balances(57_50, 0, 0),
                            new Balances(57_50, 20_00, 0),
                            new Balances(57_50, 0, 0)),
                    List.copyOf(steps.values()));
            assertEquals(new Balances(42_50, 0, 0), ledger.balances(AccountId.of("cafe")));
            assertEquals(0, ledger.verify().findings().size(), ledger.verify().describe());
        }
    }

    @Test
    void run_inMemory_holdCaptureAndExpiry() {
        check(new InMemoryLedgerStore());
    }

    @Test
    void run_onEmbeddedPostgres_holdCaptureAndExpiry() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            check(PostgresLedgerStore.builder()
                    .dataSource(pg.getPostgresDatabase())
                    .migrateOnStart(true)
                    .build());
        }
    }
}
