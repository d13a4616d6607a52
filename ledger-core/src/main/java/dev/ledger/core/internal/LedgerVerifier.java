package dev.ledger.core.internal;

import dev.ledger.core.ChainHead;
import dev.ledger.core.TransferKind;
import dev.ledger.core.VerificationReport;
import dev.ledger.core.VerificationReport.Finding;
import dev.ledger.core.VerificationReport.Kind;
import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Recomputes a ledger from its raw rows and reports every inconsistency; shared by the stores so that {@code verify()}
 * means the same everywhere. Feed it the accounts, then the credit checkpoints (if any), then optionally
 * {@link #latestAllowedTime(long)}, then the transfers grouped by source in index order, and the legs of the transfers
 * grouped by account in time order ({@link #balanceChange}: before or after the transfers, but not interleaved with
 * them), then call {@link #finish()}. Each stream is one pass with memory proportional to the accounts, not the
 * transfers. Not thread-safe. Not part of the API.
 */
public final class LedgerVerifier {
    private static final HexFormat HEX = HexFormat.of();

    private final Map<String, AccountTotals> accounts = new HashMap<>();
    /** The pending transfers, by id, as the transfer rows record them; indexed by account for the legs. */
    private final Map<UUID, Hold> holds = new HashMap<>();

    private @Nullable Map<String, List<Hold>> bySource;
    private @Nullable Map<String, List<Hold>> byDestination;
    /** Trusted heads by source, then by index. */
    private final Map<String, Map<Long, ChainHead>> trusted = new HashMap<>();

    private final List<Finding> findings = new ArrayList<>();
    private final List<ChainHead> heads = new ArrayList<>();
    private long omitted;
    private long transfers;
    private long chains;

    private @Nullable String source;
    private long nextIndex;
    private byte[] previousHash = TransferHashes.zero();
    private long previousDebits;
    private long previousAt = Long.MIN_VALUE;
    /** Ledger-wide totals may exceed 2^63-1 legitimately (each account's stay within it). */
    private BigInteger storedDebitsTotal = BigInteger.ZERO;

    private BigInteger amountsTotal = BigInteger.ZERO;
    private long latestAllowedMicros = Long.MAX_VALUE;
    private boolean bounded;

    /** The account whose legs are being read ({@link #balanceChange}), null before the first. */
    private @Nullable String legAccount;

    private @Nullable AccountTotals legTotals;
    private final Set<String> legAccountsDone = new HashSet<>();
    private final Sum legCredits = new Sum();
    private final Sum legDebits = new Sum();
    /** The instant whose legs are being summed, and a debit at it (the first fed), if any. */
    private long legAt;

    private @Nullable UUID instantDebitId;
    private long instantDebitIndex;
    private int instantDebits;
    /** The first instant at which the current account's balance is negative, and how often and how low. */
    private @Nullable String firstNegative;

    private @Nullable UUID firstNegativeDebitId;
    private long firstNegativeDebitIndex;
    private long negativeInstants;
    private @Nullable BigInteger lowest;
    private long lowestAt;

    public LedgerVerifier(Collection<ChainHead> trustedHeads) {
        for (ChainHead head : trustedHeads) {
            trusted.computeIfAbsent(head.source(), s -> new HashMap<>()).put(head.index(), head);
        }
    }

    public void account(String id, String currency, boolean issuer) {
        account(id, currency, issuer, issuer ? Long.MIN_VALUE : 0, Long.MAX_VALUE);
    }

    /**
     * An account with its limits: the lower one 0 for an ordinary account, negative with an overdraft line,
     * {@code Long.MIN_VALUE} for an issuer; the upper one {@code Long.MAX_VALUE} when it has none.
     */
    public void account(String id, String currency, boolean issuer, long lowerLimit, long upperLimit) {
        accounts.put(id, new AccountTotals(currency, issuer, lowerLimit, upperLimit));
    }

    /** A stored credit checkpoint: the account's cumulative credits over transfers recorded at or before it. */
    public void checkpoint(String account, long throughMicros, long credits) {
        AccountTotals totals = accounts.get(account);
        if (totals == null) {
            add(
                    Kind.UNKNOWN_ACCOUNT,
                    account,
                    null,
                    null,
                    "a credit checkpoint through " + throughMicros + " µs names account " + Checks.quote(account)
                            + ", which does not exist");
            return;
        }
        totals.checkpoints.put(throughMicros, new Checkpoint(credits));
    }

    /** The credits the store itself answers for an account (from its summaries), to compare with recomputation. */
    public void storedCredits(String account, long credits) {
        storedCredits(account, BigInteger.valueOf(credits));
    }

    /** As {@link #storedCredits(String, long)}, for a store that can answer credits beyond 2^63-1. */
    public void storedCredits(String account, BigInteger credits) {
        AccountTotals totals = accounts.get(account);
        if (totals != null) {
            totals.storedCredits = credits;
        }
    }

    /**
     * A credit row that does not match its transfer one to one, for a store that keeps the credit side of each transfer
     * as a row of its own ({@link Kind#CREDIT_MISMATCH}).
     *
     * @param hasTransfer whether a transfer with this id is recorded
     * @param hasCredit whether a credit row with this id is stored
     */
    public void creditMismatch(
            UUID transferId, boolean hasTransfer, boolean hasCredit, String source, long index, String destination) {
        add(
                Kind.CREDIT_MISMATCH,
                destination,
                index,
                transferId,
                !hasCredit
                        ? "transfer " + transferId + " (" + Checks.quote(source) + " index " + index
                                + ") has no credit row for " + Checks.quote(destination)
                        : !hasTransfer
                                ? "the credit row of " + Checks.quote(destination) + " for transfer " + transferId
                                        + " (" + Checks.quote(source) + " index " + index + ") has no transfer"
                                : "the credit row of " + Checks.quote(destination) + " for transfer " + transferId
                                        + " (" + Checks.quote(source) + " index " + index
                                        + ") differs from the transfer");
    }

    /**
     * Optional, before the first transfer: transfers recorded later than this (the store's clock plus the skew it
     * allows) are reported as {@link Kind#TIME_OUT_OF_RANGE}.
     */
    public void latestAllowedTime(long micros) {
        if (transfers > 0) {
            throw new IllegalStateException("the latest allowed time must be set before the first transfer");
        }
        latestAllowedMicros = micros;
        bounded = true;
    }

    /**
     * One transfer row, in (source, index) order.
     *
     * @param recordedAtMicros the time in microseconds since the epoch, or null if the stored time has none
     * @param storedHash the row's chain hash as stored (empty when missing)
     */
    public void transfer(
            UUID id,
            String source,
            long index,
            String destination,
            long amount,
            String currency,
            @Nullable Long recordedAtMicros,
            @Nullable String reference,
            long sourceDebits,
            byte[] storedHash) {
        transfer(
                id,
                source,
                index,
                destination,
                amount,
                currency,
                recordedAtMicros,
                reference,
                Map.of(),
                sourceDebits,
                storedHash);
    }

    /**
     * One transfer row with its metadata (hashed in key order), in (source, index) order.
     *
     * @param recordedAtMicros the time in microseconds since the epoch, or null if the stored time has none
     * @param storedHash the row's chain hash as stored (empty when missing)
     */
    public void transfer(
            UUID id,
            String source,
            long index,
            String destination,
            long amount,
            String currency,
            @Nullable Long recordedAtMicros,
            @Nullable String reference,
            Map<String, String> metadata,
            long sourceDebits,
            byte[] storedHash) {
        transfer(
                id,
                source,
                index,
                destination,
                amount,
                currency,
                recordedAtMicros,
                reference,
                metadata,
                TransferKind.IMMEDIATE,
                null,
                null,
                sourceDebits,
                storedHash);
    }

    /**
     * One transfer row of any kind, in (source, index) order: a pending transfer's expiry in microseconds (null: none),
     * a post's or void's pending id. The cumulative debits grow by {@link dev.ledger.core.Transfer#postedAmount() the
     * posted amount}; a post or void is checked against its pending transfer, an earlier row of the same source.
     */
    public void transfer(
            UUID id,
            String source,
            long index,
            String destination,
            long amount,
            String currency,
            @Nullable Long recordedAtMicros,
            @Nullable String reference,
            Map<String, String> metadata,
            TransferKind kind,
            @Nullable UUID pendingId,
            @Nullable Long expiresAtMicros,
            long sourceDebits,
            byte[] storedHash) {
        transfers++;
        if (!source.equals(this.source)) {
            closeSource();
            this.source = source;
            chains++;
            nextIndex = 0;
            previousHash = TransferHashes.zero();
            previousDebits = 0;
            previousAt = Long.MIN_VALUE;
        }
        if (index != nextIndex) {
            if (index > nextIndex) {
                add(
                        Kind.INDEX_GAP,
                        source,
                        nextIndex,
                        null,
                        "index " + nextIndex
                                + (index - 1 > nextIndex ? " to " + (index - 1) : "") + " of source "
                                + Checks.quote(source)
                                + " missing: expected index " + nextIndex + ", the next recorded index is " + index);
            } else {
                add(
                        Kind.INDEX_GAP,
                        source,
                        index,
                        id,
                        "index " + index + " of source " + Checks.quote(source) + " recorded twice: expected index "
                                + nextIndex);
            }
        }
        nextIndex = index + 1;

        AccountTotals src = accounts.get(source);
        AccountTotals dst = accounts.get(destination);
        if (src == null) {
            add(Kind.UNKNOWN_ACCOUNT, source, index, id, "source " + Checks.quote(source) + " does not exist");
        }
        if (dst == null) {
            add(
                    Kind.UNKNOWN_ACCOUNT,
                    destination,
                    null,
                    id,
                    "destination " + Checks.quote(destination) + " of " + Checks.quote(source) + " index " + index
                            + " does not exist");
        }
        if (amount <= 0) {
            add(Kind.INVALID_TRANSFER, source, index, id, "amount is " + amount + ", expected greater than 0");
        }
        if (source.equals(destination)) {
            add(Kind.INVALID_TRANSFER, source, index, id, "source and destination are both " + Checks.quote(source));
        }
        if ((src != null && !src.currency.equals(currency)) || (dst != null && !dst.currency.equals(currency))) {
            add(
                    Kind.INVALID_TRANSFER,
                    source,
                    index,
                    id,
                    "currency " + Checks.quote(currency) + " differs from the source's "
                            + (src == null ? "?" : src.currency) + " or the destination's "
                            + (dst == null ? "?" : dst.currency));
        }

        if (recordedAtMicros == null) {
            add(Kind.TIME_OUT_OF_RANGE, source, index, id, "recorded_at is not a finite instant");
        } else {
            if (bounded && recordedAtMicros > latestAllowedMicros) {
                add(
                        Kind.TIME_OUT_OF_RANGE,
                        source,
                        index,
                        id,
                        "recorded at " + time(recordedAtMicros)
                                + ", later than the latest allowed time " + time(latestAllowedMicros)
                                + " (the store's clock plus the allowed skew)");
            }
            byte[] computed = TransferHashes.chain(
                    previousHash,
                    TransferHashes.content(
                            id,
                            source,
                            index,
                            destination,
                            amount,
                            currency,
                            recordedAtMicros,
                            reference,
                            metadata,
                            kind,
                            pendingId,
                            expiresAtMicros));
            if (!Arrays.equals(computed, storedHash)) {
                add(
                        Kind.HASH_MISMATCH,
                        source,
                        index,
                        id,
                        storedHash.length == 0
                                ? "chain hash missing; expected " + HEX.formatHex(computed)
                                : "stored chain hash " + HEX.formatHex(storedHash) + ", expected "
                                        + HEX.formatHex(computed)
                                        + " (recomputed from this row's content and the stored hash of index "
                                        + (index - 1) + ")");
            }
            // Continue from the stored hash so that one altered row is reported once, not along the rest of the chain.
            previousHash = storedHash.length == 32 ? storedHash : computed;
            if (recordedAtMicros < previousAt) {
                add(
                        Kind.TIME_NOT_MONOTONIC,
                        source,
                        index,
                        id,
                        "recorded at " + recordedAtMicros + " µs, before " + previousAt + " µs of the previous index");
            }
            previousAt = recordedAtMicros;
            Map<Long, ChainHead> trustedOfSource = trusted.get(source);
            ChainHead head = trustedOfSource == null ? null : trustedOfSource.remove(index);
            if (head != null && !head.hash().equals(HEX.formatHex(storedHash))) {
                add(
                        Kind.HEAD_MISMATCH,
                        source,
                        index,
                        id,
                        "trusted head hash " + head.hash() + ", stored " + HEX.formatHex(storedHash));
            }
        }

        long posted = kind == TransferKind.IMMEDIATE || kind == TransferKind.POST ? amount : 0;
        phase(id, source, index, destination, amount, currency, recordedAtMicros, kind, pendingId, expiresAtMicros);
        BigInteger expectedDebits = BigInteger.valueOf(previousDebits).add(BigInteger.valueOf(posted));
        if (!expectedDebits.equals(BigInteger.valueOf(sourceDebits))) {
            add(
                    Kind.DEBITS_MISMATCH,
                    source,
                    index,
                    id,
                    "source_debits " + sourceDebits + ", expected " + previousDebits
                            + " + " + posted + " = " + expectedDebits
                            + (expectedDebits.bitLength() > 63 ? " (beyond the 64-bit range)" : ""));
        }
        previousDebits = sourceDebits;

        amountsTotal = amountsTotal.add(BigInteger.valueOf(posted));
        if (src != null) {
            src.debits.add(posted);
        }
        if (dst != null) {
            dst.credits.add(posted);
            if (!dst.checkpoints.isEmpty() && recordedAtMicros != null) {
                Map.Entry<Long, Checkpoint> bucket = dst.checkpoints.ceilingEntry(recordedAtMicros);
                if (bucket != null) {
                    bucket.getValue().recomputed.add(posted);
                }
            }
        }
    }

    /**
     * Records a pending transfer's hold, or checks a post or void against its pending transfer (an earlier row of the
     * same source, fed before it) and ends the hold.
     */
    private void phase(
            UUID id,
            String source,
            long index,
            String destination,
            long amount,
            String currency,
            @Nullable Long at,
            TransferKind kind,
            @Nullable UUID pendingId,
            @Nullable Long expiresAtMicros) {
        if (kind == TransferKind.IMMEDIATE) {
            return;
        }
        long time = at == null ? Long.MAX_VALUE : at;
        if (kind == TransferKind.PENDING) {
            long expires = expiresAtMicros == null ? Long.MAX_VALUE : expiresAtMicros;
            if (expires <= time) {
                add(
                        Kind.INVALID_TRANSFER,
                        source,
                        index,
                        id,
                        "pending transfer expires at " + time(expires) + ", not after its recorded time " + time(time));
            }
            holds.put(id, new Hold(source, destination, amount, currency, time, expires));
            return;
        }
        Hold hold = pendingId == null ? null : holds.get(pendingId);
        String problem = null;
        if (hold == null || !hold.source.equals(source)) {
            problem = "names " + pendingId + ", which is not a pending transfer of " + Checks.quote(source)
                    + " recorded before it";
        } else if (hold.resolvedBy != null) {
            problem = "resolves pending transfer " + pendingId + ", already resolved by " + hold.resolvedBy;
        } else if (!hold.destination.equals(destination) || !hold.currency.equals(currency)) {
            problem = "names destination " + Checks.quote(destination) + " in " + currency + "; pending transfer "
                    + pendingId + " is to " + Checks.quote(hold.destination) + " in " + hold.currency;
        } else if (kind == TransferKind.POST ? amount > hold.amount : amount != hold.amount) {
            problem = (kind == TransferKind.POST ? "posts " : "voids ") + amount + " of pending transfer " + pendingId
                    + ", which held " + hold.amount;
        } else if (time >= hold.expires) {
            problem = "is recorded at " + time(time) + ", at or after the expiry " + time(hold.expires)
                    + " of pending transfer " + pendingId;
        }
        if (problem != null) {
            add(
                    Kind.PENDING_RESOLUTION_INVALID,
                    source,
                    index,
                    id,
                    "the " + kind.name().toLowerCase(java.util.Locale.ROOT) + " at index " + index + " of "
                            + Checks.quote(source) + " " + problem);
        }
        if (hold != null && hold.resolvedBy == null && hold.source.equals(source)) {
            hold.resolvedBy = id;
            hold.ends = Math.min(hold.ends, time);
        }
    }

    /**
     * One leg of a transfer, for the balances over time: fed grouped by account, each account's legs in recorded-time
     * order (legs at the same microsecond in any order). Every transfer has two legs, a debit of its source and a
     * credit of its destination. The balance of a non-issuer account as of every instant at which it changes (all legs
     * recorded at or before that microsecond) must not be negative ({@link Kind#NEGATIVE_BALANCE}, once per account:
     * the first such instant, with a count of the others), and no account's cumulative credits or debits may pass
     * 2^63-1 ({@link Kind#BALANCE_OVERFLOW}, naming the transfer at which they first do).
     *
     * @param atMicros the leg's recorded time in microseconds since the epoch; {@link Long#MIN_VALUE} or
     *     {@link Long#MAX_VALUE} for a time before or after every finite one (-infinity, infinity)
     * @param credit whether this is the destination's leg (else the source's)
     * @param amount the transfer's amount as stored
     * @param source the transfer's source, and {@code sourceIndex} its index, to name it in findings
     * @throws IllegalStateException if the legs are not grouped by account in time order (a store's bug)
     */
    public void balanceChange(
            String account,
            long atMicros,
            boolean credit,
            long amount,
            UUID transferId,
            String source,
            long sourceIndex) {
        if (!account.equals(legAccount)) {
            closeLegAccount();
            if (!legAccountsDone.add(account)) {
                throw new IllegalStateException("balance changes of account " + Checks.quote(account)
                        + " are not grouped: it appears again after another account");
            }
            legAccount = account;
            legTotals = accounts.get(account);
            legCredits.reset();
            legDebits.reset();
            legAt = atMicros;
        } else if (atMicros != legAt) {
            if (atMicros < legAt) {
                throw new IllegalStateException("balance changes of account " + Checks.quote(account)
                        + " are not in time order: " + atMicros + " µs after " + legAt + " µs");
            }
            closeInstant();
            legAt = atMicros;
        }
        Sum sum = credit ? legCredits : legDebits;
        boolean fitted = sum.fits();
        long beforeSmall = sum.small;
        sum.add(amount);
        if (fitted && !sum.fits()) {
            if (legTotals != null) {
                legTotals.overflowReported = true;
            }
            add(
                    Kind.BALANCE_OVERFLOW,
                    account,
                    sourceIndex,
                    transferId,
                    "cumulative " + (credit ? "credits" : "debits")
                            + " of " + Checks.quote(account) + " pass 2^63-1 = " + Long.MAX_VALUE
                            + " at the transfer from "
                            + Checks.quote(source) + " index " + sourceIndex + " recorded at " + time(atMicros) + ": "
                            + beforeSmall
                            + " + " + amount + " = " + sum.exact());
        }
        if (!credit && instantDebits++ == 0) {
            instantDebitId = transferId;
            instantDebitIndex = sourceIndex;
        }
    }

    /** The pending debits (or credits) of {@code account} as of {@code at}: holds recorded by then, not yet ended. */
    private BigInteger held(String account, long at, boolean asSource) {
        Map<String, List<Hold>> index = holdsBy(asSource);
        long sum = 0;
        BigInteger big = null;
        for (Hold hold : index.getOrDefault(account, List.of())) {
            if (hold.created <= at && at < hold.ends) {
                if (sum > Long.MAX_VALUE - hold.amount) {
                    big = (big == null ? BigInteger.ZERO : big).add(BigInteger.valueOf(sum));
                    sum = 0;
                }
                sum += hold.amount;
            }
        }
        return big == null ? BigInteger.valueOf(sum) : big.add(BigInteger.valueOf(sum));
    }

    /**
     * The holds by account, as source or as destination: built once, on the first leg (the transfers, and with them
     * every hold, are fed before the legs).
     */
    private Map<String, List<Hold>> holdsBy(boolean asSource) {
        Map<String, List<Hold>> sources = bySource;
        Map<String, List<Hold>> destinations = byDestination;
        if (sources == null || destinations == null) {
            sources = new HashMap<>();
            destinations = new HashMap<>();
            for (Hold hold : holds.values()) {
                sources.computeIfAbsent(hold.source, k -> new ArrayList<>()).add(hold);
                destinations
                        .computeIfAbsent(hold.destination, k -> new ArrayList<>())
                        .add(hold);
            }
            bySource = sources;
            byDestination = destinations;
        }
        return asSource ? sources : destinations;
    }

    /**
     * Checks the balance of the current account as of the current instant, all of its legs summed: its posted balance
     * minus its pending debits against the lower limit, plus its pending credits against the upper limit. (Holds ending
     * between two instants at which the account changes only raise the first and lower the second.)
     */
    private void closeInstant() {
        if (legTotals != null && legTotals.upperLimit != null && !legTotals.aboveReported) {
            BigInteger balance = Sum.difference(legCredits, legDebits);
            if (!holds.isEmpty()) {
                balance = balance.add(held(Objects.requireNonNull(legAccount), legAt, false));
            }
            if (balance.compareTo(legTotals.upperLimit) > 0) {
                legTotals.aboveReported = true;
                add(
                        Kind.UPPER_LIMIT_EXCEEDED,
                        legAccount,
                        null,
                        null,
                        "the balance as of " + time(legAt) + " is " + balance
                                + ", above its upper limit " + legTotals.upperLimit + " (credits " + legCredits
                                + " - debits "
                                + legDebits
                                + " over the transfers recorded at or before it); an account's balance must never be above"
                                + " its upper limit");
            }
        }
        if (legTotals != null && !legTotals.issuer) {
            BigInteger balance = Sum.difference(legCredits, legDebits);
            if (!holds.isEmpty()) {
                balance = balance.subtract(held(Objects.requireNonNull(legAccount), legAt, true));
            }
            if (balance.compareTo(legTotals.lowerLimit) < 0) {
                negativeInstants++;
                if (firstNegative == null) {
                    firstNegative = "balance as of " + time(legAt) + " is " + balance + ", below its lower limit "
                            + legTotals.lowerLimit + " (credits " + legCredits
                            + " - debits " + legDebits + " over the transfers recorded at or before it)"
                            + (instantDebits == 0
                                    ? ""
                                    : ", after the debit index " + instantDebitIndex + " (transfer "
                                            + instantDebitId + ")"
                                            + (instantDebits > 1
                                                    ? " and " + (instantDebits - 1) + " more debit(s)"
                                                    : "")
                                            + " recorded then");
                    firstNegativeDebitId = instantDebitId;
                    firstNegativeDebitIndex = instantDebitIndex;
                }
                if (lowest == null || balance.compareTo(lowest) < 0) {
                    lowest = balance;
                    lowestAt = legAt;
                }
            }
        }
        instantDebits = 0;
        instantDebitId = null;
    }

    private void closeLegAccount() {
        if (legAccount == null) {
            return;
        }
        closeInstant();
        if (firstNegative != null) {
            if (legTotals != null) {
                legTotals.negativeReported = true;
            }
            add(
                    Kind.NEGATIVE_BALANCE,
                    legAccount,
                    firstNegativeDebitId == null ? null : firstNegativeDebitIndex,
                    firstNegativeDebitId,
                    "the " + firstNegative + "; a non-issuer account's balance must never be below its"
                            + " lower limit (0 unless it has an overdraft line)"
                            + (negativeInstants > 1
                                    ? "; negative at " + negativeInstants + " instants in all, lowest " + lowest
                                            + " as of " + time(lowestAt)
                                    : "")
                            + "; its final balance is " + Sum.difference(legCredits, legDebits));
        }
        legAccount = null;
        legTotals = null;
        firstNegative = null;
        firstNegativeDebitId = null;
        negativeInstants = 0;
        lowest = null;
    }

    /** A time for messages: ISO-8601 and microseconds, or the infinity it stands for. */
    private static String time(long micros) {
        if (micros == Long.MIN_VALUE) {
            return "-infinity";
        }
        if (micros == Long.MAX_VALUE) {
            return "infinity";
        }
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS) + " (" + micros + " µs)";
    }

    private void closeSource() {
        if (source != null) {
            heads.add(ChainHead.of(source, nextIndex - 1, previousHash));
            storedDebitsTotal = storedDebitsTotal.add(BigInteger.valueOf(previousDebits));
        }
    }

    /** The newest link of each chain seen; valid after {@link #finish()}. */
    public List<ChainHead> heads() {
        return List.copyOf(heads);
    }

    public VerificationReport finish() {
        closeSource();
        source = null;
        closeLegAccount();
        if (!storedDebitsTotal.equals(amountsTotal)) {
            add(
                    Kind.ZERO_SUM_BROKEN,
                    null,
                    null,
                    null,
                    "total credits " + amountsTotal + " differ from total debits " + storedDebitsTotal
                            + " (the sources' stored cumulative debits)");
        }
        List<String> ids = new ArrayList<>(accounts.keySet());
        ids.sort(null);
        for (String id : ids) {
            AccountTotals a = Objects.requireNonNull(accounts.get(id));
            if (!a.overflowReported && (!a.credits.fits() || !a.debits.fits())) {
                add(
                        Kind.BALANCE_OVERFLOW,
                        id,
                        null,
                        null,
                        "cumulative credits " + a.credits + " or debits " + a.debits + " of " + Checks.quote(id)
                                + " exceed 2^63-1 = " + Long.MAX_VALUE);
            }
            BigInteger balance = Sum.difference(a.credits, a.debits);
            if (!a.issuer && !a.negativeReported && balance.compareTo(a.lowerLimit) < 0) {
                add(
                        Kind.NEGATIVE_BALANCE,
                        id,
                        null,
                        null,
                        "recomputed balance " + balance + " (credits " + a.credits + " - debits " + a.debits
                                + ") of a non-issuer account is below its lower limit " + a.lowerLimit);
            }
            Sum running = new Sum();
            for (Map.Entry<Long, Checkpoint> cp : a.checkpoints.entrySet()) {
                running.add(cp.getValue().recomputed);
                if (!running.exact().equals(BigInteger.valueOf(cp.getValue().stored))) {
                    add(
                            Kind.CHECKPOINT_MISMATCH,
                            id,
                            null,
                            null,
                            "credit checkpoint through " + cp.getKey() + " µs holds " + cp.getValue().stored
                                    + ", recomputed " + running);
                }
            }
            if (a.storedCredits != null && !a.storedCredits.equals(a.credits.exact())) {
                add(
                        Kind.CHECKPOINT_MISMATCH,
                        id,
                        null,
                        null,
                        "the store answers cumulative credits " + a.storedCredits + " from its summaries, recomputed "
                                + a.credits);
            }
        }
        List<ChainHead> missing = new ArrayList<>();
        trusted.values().forEach(m -> missing.addAll(m.values()));
        missing.sort((x, y) -> x.source().equals(y.source())
                ? Long.compare(x.index(), y.index())
                : x.source().compareTo(y.source()));
        Map<String, ChainHead> current = new HashMap<>();
        heads.forEach(h -> current.put(h.source(), h));
        for (ChainHead head : missing) {
            ChainHead now = current.get(head.source());
            add(
                    Kind.HEAD_MISMATCH,
                    head.source(),
                    head.index(),
                    null,
                    "trusted head index " + head.index() + " (hash "
                            + head.hash() + ") is no longer recorded; the chain of " + Checks.quote(head.source())
                            + (now == null ? " is empty" : " ends at index " + now.index()));
        }
        return new VerificationReport(accounts.size(), transfers, chains, findings, omitted);
    }

    private void add(
            Kind kind, @Nullable String account, @Nullable Long index, @Nullable UUID transferId, String message) {
        if (findings.size() >= VerificationReport.MAX_FINDINGS) {
            omitted++;
            return;
        }
        findings.add(new Finding(
                kind, account, index == null ? OptionalLong.empty() : OptionalLong.of(index), transferId, message));
    }

    private static final class AccountTotals {
        final String currency;
        final boolean issuer;
        final BigInteger lowerLimit;
        final @Nullable BigInteger upperLimit;
        /** Whether the legs already reported a balance above the upper limit. */
        boolean aboveReported;

        final Sum credits = new Sum();
        final Sum debits = new Sum();

        @Nullable
        BigInteger storedCredits;
        /** Whether the legs already reported a negative balance, or an overflow, of this account. */
        boolean negativeReported;

        boolean overflowReported;
        /** through (µs) -> the stored credits and the credits recorded in (previous through, through]. */
        final TreeMap<Long, Checkpoint> checkpoints = new TreeMap<>();

        AccountTotals(String currency, boolean issuer, long lowerLimit, long upperLimit) {
            this.currency = currency;
            this.issuer = issuer;
            this.lowerLimit = BigInteger.valueOf(lowerLimit);
            this.upperLimit = upperLimit == Long.MAX_VALUE ? null : BigInteger.valueOf(upperLimit);
        }
    }

    /** A pending transfer's hold, from its recording to its resolution or expiry (µs; MAX_VALUE: never). */
    private static final class Hold {
        final String source;
        final String destination;
        final long amount;
        final String currency;
        final long created;
        final long expires;
        long ends;

        @Nullable
        UUID resolvedBy;

        Hold(String source, String destination, long amount, String currency, long created, long expires) {
            this.source = source;
            this.destination = destination;
            this.amount = amount;
            this.currency = currency;
            this.created = created;
            this.expires = expires;
            this.ends = expires;
        }
    }

    private static final class Checkpoint {
        final long stored;
        final Sum recomputed = new Sum();

        Checkpoint(long stored) {
            this.stored = stored;
        }
    }

    /** An exact sum of longs: a long while it fits, a BigInteger once it does not. */
    static final class Sum {
        long small;

        @Nullable
        BigInteger big;

        void add(long x) {
            if (big == null) {
                long r = small + x;
                if (((small ^ r) & (x ^ r)) < 0) {
                    big = BigInteger.valueOf(small).add(BigInteger.valueOf(x));
                } else {
                    small = r;
                }
            } else {
                big = big.add(BigInteger.valueOf(x));
            }
        }

        void add(Sum other) {
            if (other.big == null) {
                add(other.small);
            } else {
                big = exact().add(other.big);
            }
        }

        void reset() {
            small = 0;
            big = null;
        }

        /** Whether the sum has stayed within a long all along. */
        boolean fits() {
            return big == null;
        }

        BigInteger exact() {
            return big != null ? big : BigInteger.valueOf(small);
        }

        static BigInteger difference(Sum a, Sum b) {
            if (a.big == null && b.big == null) {
                long r = a.small - b.small;
                if (((a.small ^ b.small) & (a.small ^ r)) >= 0) {
                    return BigInteger.valueOf(r);
                }
            }
            return a.exact().subtract(b.exact());
        }

        @Override
        public String toString() {
            return big != null ? big.toString() : Long.toString(small);
        }
    }
}
