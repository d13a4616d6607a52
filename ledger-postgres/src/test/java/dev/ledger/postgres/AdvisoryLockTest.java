package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 9, item 8: the ledger's advisory locks live in a key space of their own (the two-integer form with the ledger's
 * classes), so an application's {@code pg_advisory_lock(n)} never blocks a transfer or a lookup.
 */
class AdvisoryLockTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(6);

    /** Ids whose former lock keys (most ^ least significant bits) were 1 and 0. */
    private static final UUID ONE = UUID.fromString("00000000-0000-0000-0000-000000000001");

    private static final UUID EQUAL_HALVES = UUID.fromString("12345678-9abc-def0-1234-56789abcdef0");

    @Test
    void transfer_applicationHoldsAdvisoryLocks_neverWaits() throws Exception {
        String schema = DB.newSchemaName();
        PostgresLedgerStore store = DB.newStore(schema);
        Ledger ledger = Ledger.builder(store).build();
        AccountId bank = AccountId.of("bank");
        AccountId alice = AccountId.of("alice");
        ledger.open(NewAccount.issuer(bank, "USD"));
        ledger.open(NewAccount.of(alice, "USD"));
        long bucket = DB.queryLong("SELECT " + schema + ".transfer_id_lock('" + ONE + "')");
        String[] applicationLocks = {
            "SELECT pg_advisory_lock(0)",
            "SELECT pg_advisory_lock(1)",
            "SELECT pg_advisory_lock(-1)",
            // the one-bigint key with the same 32-bit halves as the ledger's two-integer key
            "SELECT pg_advisory_lock(" + (((long) TransferStatements.ID_LOCK_CLASS << 32) | bucket) + ")",
            "SELECT pg_advisory_lock(" + ((long) 0x4C454443 << 32) + ")", // the credit lock's halves
            "SELECT pg_advisory_lock(0, 0)",
            "SELECT pg_advisory_lock(0, 1)",
            "SELECT pg_advisory_lock(1, 0)"
        };

        try (Connection app = DB.dataSource().getConnection();
                Statement st = app.createStatement()) {
            for (String lock : applicationLocks) {
                st.execute(lock);
            }
            Transfer one = within(() ->
                    ledger.transfer(TransferRequest.of(bank, alice, 1, "USD").withId(ONE)));
            Transfer equal = within(() ->
                    ledger.transfer(TransferRequest.of(bank, alice, 2, "USD").withId(EQUAL_HALVES)));
            Optional<Transfer> missing = within(() -> ledger.findTransfer(new UUID(7, 7)));
            Optional<Transfer> found = within(() -> ledger.findTransfer(ONE));

            assertEquals(ONE, one.id());
            assertEquals(EQUAL_HALVES, equal.id());
            assertTrue(missing.isEmpty());
            assertEquals(Optional.of(one), found);
            st.execute("SELECT pg_advisory_unlock_all()");
        }
        assertEquals(3, ledger.balance(alice));
    }

    @Test
    void idLock_ledgerClass_isTheDocumentedConstant() {
        assertEquals(1279607881, TransferStatements.ID_LOCK_CLASS, "0x4C454449, 'LEDI', as docs/design.md says");
    }

    private static <T> T within(java.util.function.Supplier<T> call) throws Exception {
        CompletableFuture<T> future = CompletableFuture.supplyAsync(call);
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the ledger waited for one of the application's advisory locks", e);
        }
    }
}
