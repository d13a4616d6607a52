package dev.ledger.core.spi;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Balances;
import dev.ledger.core.BatchMode;
import dev.ledger.core.ChainHead;
import dev.ledger.core.Coalescing;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.VerificationReport;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The port a storage adapter implements. Users call {@code dev.ledger.core.Ledger}, never a store directly.
 *
 * <p>A store makes <em>single atomic attempts</em>; validation of request shape, ids, the clock and the retry loop live
 * in the {@code Ledger}. Every method is thread-safe and may be called concurrently from any number of threads. Every
 * method either completes or throws {@link LedgerUnavailableException}; rule violations are returned as data
 * ({@link AppendResult.Rejected}, {@link OpenResult.Rejected}), never thrown. No other exception (in particular no
 * {@code SQLException}) may escape.
 *
 * <p>The rules a store enforces in its attempts, atomically with the write:
 *
 * <ul>
 *   <li>both accounts exist; the draft's currency equals both accounts' currency;
 *   <li>a non-issuer source's balance covers the amount (spending all of it is allowed), counting only credits dated
 *       strictly before the debit, which is dated as {@link TransferDraft#notBefore()} says;
 *   <li>the source's transfers are indexed 0, 1, 2, ... without gap or duplicate;
 *   <li>no account's cumulative debits or cumulative credits exceed {@link Long#MAX_VALUE};
 *   <li>a transfer id is recorded at most once; recorded transfers never change;
 *   <li>two-phase transfers: a pending draft holds its amount (the source's available balance, posted minus pending
 *       debits, must stay at or above its lower limit; a capped destination's posted balance plus pending credits at or
 *       below its upper limit) and expires at its {@link TransferDraft#expiryWhenRecordedAt} (which must be later than
 *       its recorded time); a post or void names a pending transfer of the same source, destination and currency that
 *       is unresolved and not expired at the resolution's recorded time; a post moves at most the pending's amount, a
 *       void's amount is the pending's; every kind takes the source's next index.
 * </ul>
 *
 * Balance of an account = credits - debits of the transfers recorded so far (or recorded at or before an instant, for
 * {@link #balance(AccountId, Instant)}).
 */
public interface LedgerStore extends AutoCloseable {

    /**
     * One atomic attempt to open {@code account} and, when {@code funding} is not null, to record the funding transfer
     * from {@code funding.source()} (which must be an issuer) to the new account, at the issuer's next index. Either
     * both are recorded or neither.
     *
     * <p>Results: {@link OpenResult.Opened}; {@link OpenResult.Conflict} when the funding transfer lost the issuer's
     * index slot to a concurrent debit; {@link OpenResult.Rejected} with {@code ACCOUNT_EXISTS},
     * {@code SOURCE_NOT_FOUND}, {@code FUNDING_ACCOUNT_NOT_ISSUER}, {@code CURRENCY_MISMATCH}, {@code BALANCE_OVERFLOW}
     * or {@code ID_REUSED_WITH_DIFFERENT_CONTENT} (the funding id exists).
     *
     * @param account the account to open; its {@code openedAt} is the ledger clock's reading
     * @param funding the funding transfer, whose destination is {@code account.id()}, or null
     */
    OpenResult open(Account account, @Nullable TransferDraft funding);

    /**
     * One atomic attempt to append {@code draft} at the source's next index, as seen by one consistent snapshot of the
     * source's debits and credits.
     *
     * <p>The id is checked first: if a transfer with the draft's id is recorded (or is being recorded concurrently, in
     * which case the attempt waits for that outcome), the result is {@link AppendResult.AlreadyRecorded} with it,
     * whatever its content and whatever the state of the accounts now. Otherwise the rules are checked against the
     * snapshot and the transfer is appended ({@link AppendResult.Recorded}), refused ({@link AppendResult.Rejected}),
     * or — when a concurrent debit of the same source took the index first — nothing is written and the result is
     * {@link AppendResult.Conflict}; the caller re-reads and retries.
     */
    AppendResult append(TransferDraft draft);

    /**
     * One attempt at a batch of drafts (1 to {@code Ledger.MAX_BATCH_SIZE}, checked by the {@code Ledger}), returning
     * one result per draft, in order. Each draft is handled as {@link #append} handles it, in list order: a draft sees
     * the effect of the earlier drafts of the batch (an earlier debit of its source, an earlier credit it may spend, an
     * earlier draft with the same id, which it replays). In addition, a draft whose id is already recorded with
     * different content is {@link AppendResult.Rejected} with {@code ID_REUSED_WITH_DIFFERENT_CONTENT} (the store
     * compares, so that a linked batch never commits beside such an item).
     *
     * <ul>
     *   <li>{@code INDEPENDENT}: each draft is recorded, replayed or rejected on its own. A draft that lost a race is a
     *       {@link AppendResult.Conflict}, and so is every later draft of the same source (they would otherwise apply
     *       out of list order); a store may also report every draft of the attempt as a conflict, having recorded
     *       nothing. The caller retries the conflicting drafts.
     *   <li>{@code LINKED}: all drafts are recorded (or replayed), or none: then the first draft that broke a rule is
     *       {@link AppendResult.Rejected} (or, having lost a race, {@link AppendResult.Conflict}) and every other draft
     *       is {@link AppendResult.Aborted}.
     * </ul>
     *
     * A PostgreSQL store makes the attempt in one round trip and one transaction.
     */
    List<AppendResult> appendBatch(List<TransferDraft> drafts, BatchMode mode);

    /**
     * How a {@code Ledger} on this store coalesces concurrent transfers unless its builder says otherwise: natural
     * batching where a batch costs much less than as many single calls (a round trip and a commit each, as in
     * PostgreSQL), off where it does not (in memory, coalescing only adds a hand-off between threads). Off by default.
     */
    default Coalescing defaultCoalescing() {
        return Coalescing.off();
    }

    /** The account, if it is open. Reads committed state. */
    Optional<Account> findAccount(AccountId id);

    /**
     * The transfer with this id, if recorded. If a transfer with this id is being recorded concurrently, waits for that
     * outcome, so that an empty answer means "not recorded, and not in flight".
     */
    Optional<Transfer> findTransfer(UUID id);

    /**
     * The account's balance (credits - debits) over the transfers recorded with {@code recordedAt <= asOf}, or over all
     * recorded transfers when {@code asOf} is null; empty when the account does not exist. The value is read from one
     * consistent snapshot.
     */
    OptionalLong balance(AccountId id, @Nullable Instant asOf);

    /**
     * The account's posted balance, pending debits and pending credits over the transfers recorded with
     * {@code recordedAt <= asOf}, a pending transfer counting while it is unresolved and {@code asOf} is before its
     * expiry; when {@code asOf} is null, over all recorded transfers, a pending one counting while unresolved and
     * {@code now} (the ledger clock's reading) is before its expiry. Empty when the account does not exist. One
     * consistent snapshot where the store has snapshots.
     */
    Optional<Balances> balances(AccountId id, @Nullable Instant asOf, Instant now);

    /**
     * A page of the account's statement, in the query's order, from one consistent snapshot; the {@code next} cursor is
     * set exactly when at least one more line matches. Empty lines for an unknown account (the {@code Ledger} checks
     * existence first). A pending transfer's line has its {@link dev.ledger.core.StatementLine#pendingStatus() status}:
     * posted or voided when a resolution of it is recorded, else expired when {@code now} (the ledger clock's reading)
     * is at or after its expiry, else pending.
     */
    StatementPage statement(StatementQuery query, Instant now);

    /**
     * Recomputes the ledger from the recorded rows and reports every inconsistency: each source's hash chain (see
     * {@code dev.ledger.core.internal.TransferHashes}), index contiguity, cumulative debits, time order, the zero sum,
     * every balance as of every instant, cumulative credits and debits within 2^63-1, every balance summary, and that
     * each of {@code trustedHeads} is still recorded with the same hash. Reads one consistent snapshot where the store
     * has snapshots. Rule violations are findings, never exceptions.
     */
    VerificationReport verify(Collection<ChainHead> trustedHeads);

    /** The newest link of every source's hash chain, ordered by source: to keep outside the store. */
    List<ChainHead> chainHeads();

    /** Releases what the store holds (connections, pools). Idempotent. */
    @Override
    void close();
}
