package dev.ledger.tck;

import dev.ledger.core.Coalescing;
import dev.ledger.core.Ledger;
import dev.ledger.core.RetryPolicy;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link LedgerStore} must pass. A store's module subclasses this in its tests:
 *
 * <pre>{@code
 * class MyStoreContractTest extends LedgerStoreContractTest {
 *   @Override protected LedgerStore newStore() { return new MyStore(...); }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh, empty store from {@link #newStore()}, a {@link Ledger} over it with a {@link MutableClock}
 * starting at {@link #START}, and fresh {@link Books}. The tests themselves live in the topic interfaces this class
 * implements; they use only the public API ({@code Ledger}, the records and the port), so they hold for any store.
 * After each test, the invariants of {@link LedgerInvariants} are checked over every account the test opened and
 * {@code Ledger.verify} must report no finding; then the ledger (and with it the store) is closed and
 * {@link #afterEachStore} runs.
 *
 * <p>Every test is bounded by a timeout, run on a separate thread, so a store that hangs or spins fails its test
 * instead of the build.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class LedgerStoreContractTest
        implements LedgerFixture,
                AccountContract,
                TransferRulesContract,
                IdempotencyContract,
                BalanceAsOfContract,
                StatementContract,
                ConcurrencyContract,
                BatchContract,
                MetadataContract,
                LimitsContract,
                PendingContract,
                ModelBasedContract {

    /** The clock's reading when each test starts. */
    public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private LedgerStore store;
    private MutableClock clock;
    private Ledger ledger;
    private Books books;

    /** For subclasses: a store's contract test. */
    protected LedgerStoreContractTest() {}

    /** A new, empty store; called once before each test. */
    protected abstract LedgerStore newStore();

    /**
     * Called after each test, once the invariants were checked and the ledger (so the store) was closed; a subclass
     * releases or cleans here what {@link #newStore()} set up. Does nothing by default.
     */
    protected void afterEachStore(LedgerStore closedStore) {}

    /**
     * The retry policy of the ledger under test: more attempts than the default, so that heavy contention on a slow,
     * shared machine is not reported as {@code RETRIES_EXHAUSTED}. The contract is that conflicts are retried and never
     * surfaced, not how quickly a store resolves them.
     */
    protected RetryPolicy retryPolicy() {
        return RetryPolicy.builder()
                .maxAttempts(1_000)
                .initialBackoff(Duration.ofMillis(1))
                .maxBackoff(Duration.ofMillis(20))
                .build();
    }

    /** How the ledger under test coalesces concurrent transfers; off by default, on in the coalescing subclasses. */
    protected Coalescing coalescing() {
        return Coalescing.off();
    }

    @BeforeEach
    protected final void openLedger() {
        store = Objects.requireNonNull(newStore(), "newStore() returned null");
        clock = new MutableClock(START);
        books = new Books();
        ledger = Ledger.builder(store)
                .clock(clock)
                .retryPolicy(retryPolicy())
                .coalescing(coalescing())
                .build();
    }

    @AfterEach
    protected final void checkInvariantsAndClose() {
        try {
            LedgerInvariants.check(this);
            // The store's own audit agrees: chains, indices, cumulative debits, zero sum, summaries.
            dev.ledger.core.VerificationReport report = ledger.verify(ledger.chainHeads());
            org.junit.jupiter.api.Assertions.assertTrue(report.ok(), () -> "verify() after the test: " + report);
        } finally {
            try {
                ledger.close();
            } finally {
                afterEachStore(store);
            }
        }
    }

    @Override
    public final Ledger ledger() {
        return ledger;
    }

    @Override
    public final MutableClock clock() {
        return clock;
    }

    @Override
    public final LedgerStore store() {
        return store;
    }

    @Override
    public final Books books() {
        return books;
    }
}
