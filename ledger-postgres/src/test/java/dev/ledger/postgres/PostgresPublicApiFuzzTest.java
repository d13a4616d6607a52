package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.tck.ApiFuzzer;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The public API fuzz run against PostgreSQL (smaller than the in-memory one), and the defences against SQL injection:
 * the schema name is validated, and every value is bound as a parameter, so hostile strings in references round-trip
 * byte for byte and hostile ids are rejected before reaching the database.
 */
class PostgresPublicApiFuzzTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(8);

    @Test
    void publicApi_randomAndMalformedInput_onlyResultsOrRejectionsAndRejectionsRecordNothing() {
        fuzz(DB.newStore(), 300, "PostgresPublicApiFuzzTest");
    }

    /**
     * {@code calls} random and malformed calls on {@code store}; also run on Citus by {@link CitusPublicApiFuzzTest}.
     */
    static void fuzz(PostgresLedgerStore store, int calls, String label) {
        long seed = Long.getLong("ledger.test.seed", System.nanoTime());
        System.out.println(label + " seed=" + seed + " (replay with -Dledger.test.seed=" + seed + ")");
        ApiFuzzer fuzzer = new ApiFuzzer(store, seed);
        fuzzer.run(calls);
        System.out.println(label + ": " + fuzzer.accepted() + " accepted, " + fuzzer.rejected() + " rejected, "
                + fuzzer.recordedTransfers() + " transfers recorded");
        // Both kinds of outcome in fair numbers: a tenth of the calls each (a seed on Citus gave 22 of 150 accepted).
        assertTrue(
                fuzzer.accepted() >= calls / 10 && fuzzer.rejected() >= calls / 10,
                fuzzer.accepted() + " accepted / " + fuzzer.rejected() + " rejected of " + calls);
    }

    @Test
    void builder_hostileSchemaNames_rejected() {
        for (String schema : new String[] {
            "ledger; DROP SCHEMA public CASCADE",
            "ledger\"",
            "Ledger",
            "pg_catalog",
            "pg_temp",
            "a-b",
            "",
            " ledger",
            "ledger ",
            "lédger",
            "x".repeat(64),
            "1ledger",
            "ledger.transfer",
            "ledger--",
            "ledger/*",
            "ledger\u0000"
        }) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> PostgresLedgerStore.builder().schema(schema),
                    "accepted schema " + schema);
            assertTrue(e.getMessage().contains("schema must match"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> PostgresLedgerStore.migrate(DB.dataSource(), schema));
        }
        PostgresLedgerStore.builder()
                .schema("x".repeat(63))
                .schema("_ledger_2"); // the longest and odd valid names pass
    }

    @Test
    void transfer_hostileReferences_roundTripExactly() throws Exception {
        PostgresLedgerStore store = DB.newStore();
        Ledger ledger = Ledger.builder(store).build();
        AccountId bank = AccountId.of("bank");
        AccountId bob = AccountId.of("bob");
        ledger.open(NewAccount.issuer(bank, "USD"));
        ledger.open(NewAccount.of(bob, "USD"));
        for (String reference : ApiFuzzer.HOSTILE) {
            Transfer t = ledger.transfer(TransferRequest.of(bank, bob, 1, "USD")
                    .withId(UUID.randomUUID())
                    .withReference(reference));
            assertEquals(reference, ledger.findTransfer(t.id()).orElseThrow().reference());
            assertEquals(
                    reference,
                    ledger.statement(StatementQuery.of(bob).backward().limit(1))
                            .lines()
                            .get(0)
                            .transfer()
                            .reference());
        }
        assertEquals(ApiFuzzer.HOSTILE.size(), ledger.balance(bob));
        assertEquals(ApiFuzzer.HOSTILE.size(), DB.queryLong("SELECT count(*) FROM " + store.schema() + ".transfer"));
        assertEquals(
                1,
                DB.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = '" + store.schema()
                        + "' AND tablename = 'transfer'"));
        assertTrue(ledger.verify().ok());
    }
}
