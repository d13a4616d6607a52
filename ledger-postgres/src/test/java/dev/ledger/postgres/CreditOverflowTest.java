package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 9, item 6: concurrent credits can never take an account's cumulative credits past 2^63 - 1, while ordinary
 * credits to one account stay uncoordinated.
 */
class CreditOverflowTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(6);

    private static final long FIVE_E18 = 5_000_000_000_000_000_000L;

    /**
     * A credit from an issuer as any client could send it: a plain call of the write function (not committed here),
     * with the exclusive credit lock when the amount needs it (as the library calls it again when asked to).
     */
    private static String credit(String s, String issuer, String destination, long amount) {
        return "SELECT status FROM " + s + "append_transfers(ARRAY[gen_random_uuid()], ARRAY['" + issuer + "'], ARRAY['"
                + destination + "'], ARRAY[" + amount
                + "]::bigint[], ARRAY['USD'], ARRAY[NULL]::text[], clock_timestamp(),"
                + " false, false, " + (amount > (1L << 42)) + ")";
    }

    /** A row only the owner can write: straight into the table, checked by nothing but its constraints. */
    private static String forgedCredit(String s, String issuer, String destination, long amount) {
        return "WITH t AS (INSERT INTO " + s + "transfer (source, source_index, id, destination, amount, currency,"
                + " recorded_at, source_debits) VALUES ('" + issuer + "', 0, gen_random_uuid(), '" + destination + "', "
                + amount + ", 'USD', clock_timestamp(), " + amount + ") RETURNING *)"
                + " INSERT INTO " + s + "credit (account, recorded_at, id, amount, source, source_index, currency)"
                + " SELECT destination, recorded_at, id, amount, source, source_index, currency FROM t";
    }

    private static final AccountId FIRST = AccountId.of("issuer-1");
    private static final AccountId SECOND = AccountId.of("issuer-2");

    /** A ledger on a new schema with the issuers issuer-1 and issuer-2 and the ordinary accounts named. */
    private static Ledger ledgerWithIssuersAnd(PostgresLedgerStore store, String... accounts) {
        Ledger ledger = Ledger.builder(store).build();
        ledger.open(NewAccount.issuer(FIRST, "USD"));
        ledger.open(NewAccount.issuer(SECOND, "USD"));
        for (String account : accounts) {
            ledger.open(NewAccount.of(AccountId.of(account), "USD"));
        }
        return ledger;
    }

    @Test
    void transfer_twoConcurrentLargeCreditsToOneAccount_secondRefusedWithBalanceOverflow() throws Exception {
        PostgresLedgerStore store = DB.newStore();
        Ledger ledger = ledgerWithIssuersAnd(store, "whale");
        AccountId whale = AccountId.of("whale");
        String s = store.schema() + ".";

        try (Connection z = DB.dataSource().getConnection();
                Statement st = z.createStatement()) {
            z.setAutoCommit(false);
            st.executeQuery(credit(s, "issuer-1", "whale", FIVE_E18)); // in flight, not committed
            CompletableFuture<Transfer> racer =
                    CompletableFuture.supplyAsync(() -> ledger.transfer(SECOND, whale, FIVE_E18, "USD"));
            awaitAdvisoryLockWait();
            z.commit();
            LedgerRejectedException e = assertThrows(LedgerRejectedException.class, () -> join(racer));
            assertEquals(RejectionReason.BALANCE_OVERFLOW, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("whale"), e.getMessage());
        }
        assertEquals(FIVE_E18, ledger.balance(whale));
        assertTrue(ledger.verify().ok(), ledger.verify().describe());
        store.summarize();
        assertEquals(FIVE_E18, ledger.balance(whale));
    }

    @Test
    void transfer_smallCreditWhileAnotherIsInFlight_doesNotWait() throws Exception {
        PostgresLedgerStore store = DB.newStore();
        Ledger ledger = ledgerWithIssuersAnd(store, "shop");
        AccountId shop = AccountId.of("shop");
        String s = store.schema() + ".";

        try (Connection z = DB.dataSource().getConnection();
                Statement st = z.createStatement()) {
            z.setAutoCommit(false);
            st.executeQuery(credit(s, "issuer-1", "shop", 1_000)); // holds the credit lock, shared
            Transfer t = CompletableFuture.supplyAsync(() -> ledger.transfer(SECOND, shop, 2_000, "USD"))
                    .get(10, TimeUnit.SECONDS);
            assertEquals(2_000, t.amount());
            z.commit();
        }
        assertEquals(3_000, ledger.balance(shop));
    }

    @Test
    void transfer_largeCreditWhileSmallOneIsInFlight_waitsThenCountsIt() throws Exception {
        PostgresLedgerStore store = DB.newStore();
        Ledger ledger = ledgerWithIssuersAnd(store, "whale");
        AccountId whale = AccountId.of("whale");
        String s = store.schema() + ".";

        try (Connection z = DB.dataSource().getConnection();
                Statement st = z.createStatement()) {
            z.setAutoCommit(false);
            st.executeQuery(credit(s, "issuer-1", "whale", 1_000)); // small: shared lock
            CompletableFuture<Transfer> large =
                    CompletableFuture.supplyAsync(() -> ledger.transfer(SECOND, whale, Long.MAX_VALUE - 999, "USD"));
            awaitAdvisoryLockWait();
            z.commit();
            LedgerRejectedException e = assertThrows(LedgerRejectedException.class, () -> join(large));
            assertEquals(RejectionReason.BALANCE_OVERFLOW, e.reason(), e.getMessage());
        }
        assertEquals(
                Long.MAX_VALUE - 1_000,
                ledger.transfer(SECOND, whale, Long.MAX_VALUE - 1_000, "USD").amount());
        assertEquals(Long.MAX_VALUE, ledger.balance(whale));
    }

    @Test
    void summarize_oneAccountsCreditsBeyondBigint_otherAccountsStillSummarised() throws SQLException {
        PostgresLedgerStore store = DB.track(PostgresLedgerStore.builder()
                .dataSource(DB.dataSource())
                .schema(DB.newSchemaName())
                .migrateOnStart(true)
                .summarizeEvery(Duration.ZERO)
                .sealLag(Duration.ofMillis(1))
                .summaryCheckpointAfter(1) // (minnow's one credit is checkpointed at the next seal)
                .build());
        Ledger ledger = ledgerWithIssuersAnd(store, "whale", "minnow");
        String s = store.schema() + ".";
        // Forged by the owner, who alone can write the table directly: an account whose credits no longer fit in
        // bigint.
        DB.sql(forgedCredit(s, "issuer-1", "whale", FIVE_E18), forgedCredit(s, "issuer-2", "whale", FIVE_E18));
        ledger.transfer(FIRST, AccountId.of("minnow"), 7, "USD");

        int written = 0;
        for (int round = 0; round < 50 && store.summarizedThrough().isEmpty(); round++) {
            sleep(5);
            written += store.summarize();
        }

        assertTrue(store.summarizedThrough().isPresent(), "the summariser stopped for every account");
        assertTrue(written > 0);
        assertEquals(1, DB.queryLong("SELECT count(*) FROM " + s + "credit_checkpoint WHERE account = 'minnow'"));
        assertEquals(0, DB.queryLong("SELECT count(*) FROM " + s + "credit_checkpoint WHERE account = 'whale'"));
        assertEquals(7, ledger.balance(AccountId.of("minnow")));
    }

    /** Waits until some backend of this database waits for an advisory lock. */
    private static void awaitAdvisoryLockWait() throws SQLException, InterruptedException {
        for (int i = 0; i < 500; i++) {
            if (DB.queryLong("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                            + " AND classid = 1279607875")
                    > 0) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no credit waited for the advisory lock on its destination");
    }

    private static <T> T join(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
