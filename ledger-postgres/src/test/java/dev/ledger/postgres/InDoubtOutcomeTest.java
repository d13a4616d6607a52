package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Idempotency across lost connections and in-flight transactions: a retry with the same transfer id returns the
 * original transfer (waiting for an in-flight one), never a second copy; failures surface as
 * {@link LedgerUnavailableException}, never as SQLException.
 */
class InDoubtOutcomeTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase();

    private static final AccountId BANK = AccountId.of("bank");
    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");

    private String s;
    private Ledger ledger;

    @BeforeEach
    void setUp() {
        s = DB.newSchemaName();
        PostgresLedgerStore.migrate(DB.dataSource(), s);
        ledger = ledgerOn(PostgresLedgerStore.builder()
                .jdbcUrl(DB.jdbcUrl())
                .schema(s)
                .maximumPoolSize(4)
                .connectionTimeout(Duration.ofMillis(500))
                .build());
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(100, BANK));
        ledger.open(NewAccount.of(BOB, "USD"));
    }

    private static Ledger ledgerOn(PostgresLedgerStore store) {
        return Ledger.builder(DB.track(store)).build();
    }

    /** Opens a transaction that inserts alice's next debit (index 0) with this id, and leaves it uncommitted. */
    private Connection inFlight(UUID id, long amount) throws SQLException {
        Connection c = DB.server().connect(DB.name());
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("INSERT INTO " + s + ".transfer (source, source_index, id, destination, amount, currency,"
                    + " recorded_at, source_debits) VALUES ('alice', 0, '" + id + "', 'bob', " + amount
                    + ", 'USD', now(), "
                    + amount + ")");
            st.execute(LedgerDatabase.creditRowsOf(s));
        }
        return c;
    }

    private long rowsWithId(UUID id) throws SQLException {
        return DB.queryLong("SELECT count(*) FROM " + s + ".transfer WHERE id = '" + id + "'");
    }

    private static void awaitBlocked(String schema) throws Exception {
        DB.awaitAppendWaitingOnALock(schema);
    }

    @Test
    void retry_whileOriginalInFlight_waitsAndReturnsOriginal() throws Exception {
        UUID id = UUID.randomUUID();
        try (Connection original = inFlight(id, 25)) {
            CompletableFuture<Transfer> retry = CompletableFuture.supplyAsync(() ->
                    ledger.transfer(TransferRequest.of(ALICE, BOB, 25, "USD").withId(id)));
            awaitBlocked(s);
            assertTrue(!retry.isDone(), "the retry must wait for the in-flight transaction");
            original.commit();
            Transfer t = retry.get(10, TimeUnit.SECONDS);
            assertEquals(id, t.id());
            assertEquals(0, t.sourceIndex());
        }
        assertEquals(1, rowsWithId(id));
        assertEquals(75, ledger.balance(ALICE));
    }

    @Test
    void retry_whenOriginalRolledBack_recordsExactlyOnce() throws Exception {
        UUID id = UUID.randomUUID();
        try (Connection original = inFlight(id, 25)) {
            CompletableFuture<Transfer> retry = CompletableFuture.supplyAsync(() ->
                    ledger.transfer(TransferRequest.of(ALICE, BOB, 25, "USD").withId(id)));
            awaitBlocked(s);
            original.rollback();
            assertEquals(id, retry.get(10, TimeUnit.SECONDS).id());
        }
        assertEquals(1, rowsWithId(id));
        assertEquals(75, ledger.balance(ALICE));
    }

    @Test
    void retry_withChangedAmountAfterCommit_rejected() throws Exception {
        UUID id = UUID.randomUUID();
        try (Connection original = inFlight(id, 25)) {
            original.commit();
        }
        LedgerRejectedException e = assertThrows(
                LedgerRejectedException.class,
                () -> ledger.transfer(TransferRequest.of(ALICE, BOB, 26, "USD").withId(id)));
        assertEquals(RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT, e.reason());
        assertEquals(1, rowsWithId(id));
    }

    @Test
    void backendTerminated_duringTransfer_outcomeUnknownThenRetryRecordsOnce() throws Exception {
        UUID blocker = UUID.randomUUID();
        UUID id = UUID.randomUUID();
        try (Connection original = inFlight(blocker, 10)) {
            CompletableFuture<Transfer> call = CompletableFuture.supplyAsync(() ->
                    ledger.transfer(TransferRequest.of(ALICE, BOB, 5, "USD").withId(id)));
            awaitBlocked(s);
            DB.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND query LIKE '%" + s + ".append_transfers%'");
            ExecutionException failure = assertThrows(ExecutionException.class, () -> call.get(10, TimeUnit.SECONDS));
            LedgerUnavailableException e = (LedgerUnavailableException) failure.getCause();
            assertEquals(LedgerUnavailableException.Kind.OUTCOME_UNKNOWN, e.kind(), e.getMessage());
            assertEquals(id, e.transferId());
            assertTrue(e.outcomeUnknown());
            original.rollback();
        }
        Transfer t = ledger.transfer(TransferRequest.of(ALICE, BOB, 5, "USD").withId(id));
        assertEquals(id, t.id());
        assertEquals(t, ledger.transfer(TransferRequest.of(ALICE, BOB, 5, "USD").withId(id)));
        assertEquals(1, rowsWithId(id));
        assertEquals(95, ledger.balance(ALICE));
    }

    @Test
    void poolExhausted_callFailsPromptlyWithStoreUnavailable() throws Exception {
        Ledger tiny = ledgerOn(PostgresLedgerStore.builder()
                .jdbcUrl(DB.jdbcUrl())
                .schema(s)
                .maximumPoolSize(1)
                .connectionTimeout(Duration.ofMillis(250))
                .build());
        try (Connection original = inFlight(UUID.randomUUID(), 10)) {
            CompletableFuture<Transfer> holder =
                    CompletableFuture.supplyAsync(() -> tiny.transfer(TransferRequest.of(ALICE, BOB, 5, "USD")));
            awaitBlocked(s);
            long started = System.nanoTime();
            LedgerUnavailableException e = assertThrows(LedgerUnavailableException.class, () -> tiny.balance(ALICE));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(LedgerUnavailableException.Kind.STORE_UNAVAILABLE, e.kind(), e.getMessage());
            assertTrue(millis < 5_000, "took " + millis + " ms");
            // Another source (a request of alice's would wait for the holder's batch: one batch per source at a time).
            LedgerUnavailableException w = assertThrows(
                    LedgerUnavailableException.class, () -> tiny.transfer(TransferRequest.of(BOB, ALICE, 1, "USD")));
            assertEquals(
                    LedgerUnavailableException.Kind.STORE_UNAVAILABLE, w.kind(), "nothing was sent: " + w.getMessage());
            original.rollback();
            assertEquals(0, holder.get(10, TimeUnit.SECONDS).sourceIndex());
        }
    }

    @Test
    void findTransfer_whileLedgerAttemptInFlight_waitsForItsOutcome() throws Exception {
        UUID id = UUID.randomUUID();
        try (Connection blocker = inFlight(UUID.randomUUID(), 10)) {
            // The ledger's attempt for id waits behind the blocker's claim on alice's index 0, holding its id.
            CompletableFuture<Transfer> call = CompletableFuture.supplyAsync(() ->
                    ledger.transfer(TransferRequest.of(ALICE, BOB, 5, "USD").withId(id)));
            awaitBlocked(s);
            CompletableFuture<java.util.Optional<Transfer>> lookup =
                    CompletableFuture.supplyAsync(() -> ledger.findTransfer(id));
            Thread.sleep(300);
            assertTrue(!lookup.isDone(), "the lookup must wait for the attempt in flight, not answer 'absent'");
            blocker.rollback();
            Transfer recorded = call.get(10, TimeUnit.SECONDS);
            assertEquals(recorded, lookup.get(10, TimeUnit.SECONDS).orElseThrow());
        }
    }

    @Test
    void findTransfer_unknownId_empty_knownId_present() {
        Transfer t = ledger.transfer(ALICE, BOB, 1, "USD");
        assertEquals(t, ledger.findTransfer(t.id()).orElseThrow());
        assertTrue(ledger.findTransfer(UUID.randomUUID()).isEmpty());
    }
}
