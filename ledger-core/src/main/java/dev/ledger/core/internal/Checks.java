package dev.ledger.core.internal;

import dev.ledger.core.AccountId;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.TransferKind;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Validation shared by the value types and the stores. Not part of the API: may change without notice. */
public final class Checks {
    /** The earliest instant a ledger stores (PostgreSQL's timestamptz reaches further; this is the common range). */
    public static final Instant MIN_INSTANT = Instant.parse("0001-01-01T00:00:00Z");
    /** The latest instant a ledger stores. */
    public static final Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59.999999Z");

    public static final int MAX_ACCOUNT_ID_LENGTH = 64;
    public static final int MAX_REFERENCE_LENGTH = 256;
    public static final int MAX_METADATA_ENTRIES = 16;
    public static final int MAX_METADATA_KEY_LENGTH = 64;
    public static final int MAX_METADATA_VALUE_LENGTH = 256;

    private Checks() {}

    /** Fails fast on a bad configuration value: {@code message} names the value and the rule. */
    public static void requireArgument(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static LedgerRejectedException reject(RejectionReason reason, String detail) {
        return new LedgerRejectedException(reason, detail);
    }

    /** Returns {@code value}, or rejects with {@link RejectionReason#MISSING_VALUE} naming {@code what}. */
    public static <T> T present(@Nullable T value, String what) {
        if (value == null) {
            throw reject(RejectionReason.MISSING_VALUE, what + " is null");
        }
        return value;
    }

    public static String accountId(@Nullable String value) {
        String id = present(value, "account id");
        if (!isAccountId(id)) {
            throw reject(RejectionReason.INVALID_ACCOUNT_ID, "account id " + quote(id) + " is not valid");
        }
        return id;
    }

    public static String currency(@Nullable String value, String what) {
        String code = present(value, what);
        if (!isCurrency(code)) {
            throw reject(RejectionReason.INVALID_CURRENCY, what + " " + quote(code) + " is not valid");
        }
        return code;
    }

    /** {@code [A-Za-z0-9][A-Za-z0-9._:-]{0,63}}, without a regex: this runs on every transfer. */
    private static boolean isAccountId(String value) {
        int n = value.length();
        if (n < 1 || n > MAX_ACCOUNT_ID_LENGTH || !isAsciiLetterOrDigit(value.charAt(0))) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = value.charAt(i);
            if (!isAsciiLetterOrDigit(c) && c != '.' && c != '_' && c != ':' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** {@code [A-Z][A-Z0-9_]{2,15}}, without a regex. */
    public static boolean isCurrency(String value) {
        int n = value.length();
        if (n < 3 || n > 16) {
            return false;
        }
        char first = value.charAt(0);
        if (first < 'A' || first > 'Z') {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = value.charAt(i);
            if (!(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    public static long positiveAmount(long amount, String what) {
        if (amount <= 0) {
            throw reject(RejectionReason.NON_POSITIVE_AMOUNT, what + " is " + amount);
        }
        return amount;
    }

    /** A reference is optional; when present it must be storable text of bounded length. */
    public static @Nullable String reference(@Nullable String value) {
        if (value == null) {
            return null;
        }
        if (value.length() > MAX_REFERENCE_LENGTH) {
            throw reject(
                    RejectionReason.INVALID_REFERENCE,
                    "reference has " + value.length() + " characters, more than " + MAX_REFERENCE_LENGTH);
        }
        String problem = textProblem(value);
        if (problem != null) {
            throw reject(RejectionReason.INVALID_REFERENCE, "reference " + problem);
        }
        return value;
    }

    /**
     * An account's lower limit fits its kind: {@code Account.NO_LOWER_LIMIT} for an issuer, between
     * {@code Long.MIN_VALUE + 1} and 0 for an ordinary account.
     *
     * @throws LedgerRejectedException {@link RejectionReason#INVALID_LIMIT} naming the account and the value
     */
    public static void lowerLimit(boolean issuer, long lowerLimit, Object account) {
        if (issuer ? lowerLimit != Long.MIN_VALUE : lowerLimit > 0 || lowerLimit == Long.MIN_VALUE) {
            throw reject(
                    RejectionReason.INVALID_LIMIT,
                    (issuer ? "issuer " : "account ") + account + " was given lower limit " + lowerLimit);
        }
    }

    /**
     * An account's upper limit fits its kind: none ({@code Account.NO_UPPER_LIMIT}) for an issuer; for an ordinary
     * account none, or at least 0 and at least its opening balance.
     *
     * @throws LedgerRejectedException {@link RejectionReason#INVALID_LIMIT} naming the account and the value
     */
    public static void upperLimit(boolean issuer, long upperLimit, long openingBalance, Object account) {
        if (upperLimit == Long.MAX_VALUE) {
            return;
        }
        if (issuer || upperLimit < 0 || upperLimit < openingBalance) {
            throw reject(
                    RejectionReason.INVALID_LIMIT,
                    (issuer ? "issuer " : "account ") + account + " was given upper limit " + upperLimit
                            + (openingBalance > 0 ? " with opening balance " + openingBalance : ""));
        }
    }

    /**
     * A transfer's content for messages, what a replay of its id must repeat: {@code source -> destination amount
     * currency}, then its reference and its metadata (in key order, as it is held) when it has them.
     */
    public static String describe(
            AccountId source,
            AccountId destination,
            long amount,
            String currency,
            @Nullable String reference,
            java.util.Map<String, String> metadata) {
        StringBuilder out = new StringBuilder()
                .append(source)
                .append(" -> ")
                .append(destination)
                .append(' ')
                .append(amount)
                .append(' ')
                .append(currency);
        if (reference != null) {
            out.append(" reference ").append(quote(reference));
        }
        if (!metadata.isEmpty()) {
            out.append(" metadata {");
            String sep = "";
            for (java.util.Map.Entry<String, String> e : metadata.entrySet()) {
                out.append(sep).append(e.getKey()).append('=').append(quote(e.getValue()));
                sep = ", ";
            }
            out.append('}');
        }
        return out.toString();
    }

    /**
     * The two-phase fields of a transfer or request, checked together: an immediate transfer has none; a pending one no
     * pending id and at most one of an expiry instant and a (positive) timeout; a post or void a pending id and no
     * expiry.
     *
     * @throws LedgerRejectedException {@code INVALID_REQUEST} or {@code INVALID_EXPIRY}, naming {@code what}
     */
    public static void phase(
            @Nullable TransferKind kind,
            @Nullable UUID pendingId,
            @Nullable Instant expiresAt,
            java.time.@Nullable Duration timeout,
            String what) {
        present(kind, "kind of " + what);
        boolean resolves = kind == TransferKind.POST || kind == TransferKind.VOID;
        if (resolves != (pendingId != null)) {
            throw reject(
                    RejectionReason.INVALID_REQUEST,
                    resolves
                            ? "the " + kind + " " + what + " names no pending transfer"
                            : "the " + kind + " " + what + " names pending transfer " + pendingId
                                    + "; only a post or void does");
        }
        if (kind != TransferKind.PENDING && (expiresAt != null || timeout != null)) {
            throw reject(
                    RejectionReason.INVALID_EXPIRY,
                    "the " + kind + " " + what + " has an expiry (" + (expiresAt != null ? expiresAt : timeout)
                            + "); only a pending transfer expires");
        }
        if (expiresAt != null && timeout != null) {
            throw reject(
                    RejectionReason.INVALID_EXPIRY,
                    what + " has both expiry " + expiresAt + " and timeout " + timeout + "; give one");
        }
        if (expiresAt != null) {
            storedInstant(expiresAt, "expiry of " + what);
        }
        if (timeout != null
                && (timeout.isNegative()
                        || timeout.isZero()
                        || timeout.getNano() % 1_000 != 0
                        || timeout.compareTo(MAX_TIMEOUT) > 0)) {
            throw reject(
                    RejectionReason.INVALID_EXPIRY,
                    "timeout " + timeout + " of " + what + " is not a positive whole number of microseconds up to "
                            + MAX_TIMEOUT);
        }
    }

    /** The longest timeout of a pending transfer: about 100 years. */
    public static final java.time.Duration MAX_TIMEOUT = java.time.Duration.ofDays(36_525);

    /** A recorded transfer's content for messages: {@link #describe} and its {@link #describePhase two-phase part}. */
    public static String describe(dev.ledger.core.Transfer t) {
        return describe(t.source(), t.destination(), t.amount(), t.currency(), t.reference(), t.metadata())
                + describePhase(t.kind(), t.pendingId(), t.expiresAt(), null);
    }

    /** The two-phase part of a transfer's description for messages: empty for an immediate transfer. */
    public static String describePhase(
            TransferKind kind,
            @Nullable UUID pendingId,
            @Nullable Instant expiresAt,
            java.time.@Nullable Duration timeout) {
        return switch (kind) {
            case IMMEDIATE -> "";
            case PENDING ->
                " pending"
                        + (expiresAt != null
                                ? " expiring at " + expiresAt
                                : timeout != null ? " expiring after " + timeout : "");
            case POST -> " posting " + pendingId;
            case VOID -> " voiding " + pendingId;
        };
    }

    /** Why the text cannot be stored (a NUL, an unpaired surrogate), or null when it can. */
    private static @Nullable String textProblem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000') {
                return "contains NUL at index " + i;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    return "has an unpaired surrogate at index " + i;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return "has an unpaired surrogate at index " + i;
            }
        }
        return null;
    }

    /**
     * A transfer's metadata, checked: at most {@value #MAX_METADATA_ENTRIES} entries, each key 1 to
     * {@value #MAX_METADATA_KEY_LENGTH} characters of {@code a-z 0-9 _ . -}, each value at most
     * {@value #MAX_METADATA_VALUE_LENGTH} characters of well-formed text without NUL.
     *
     * @return an unmodifiable copy in key order ({@code Map.of()} when empty)
     * @throws LedgerRejectedException {@link RejectionReason#MISSING_VALUE} for a null map, key or value, else
     *     {@link RejectionReason#INVALID_METADATA} naming the entry and the rule
     */
    public static java.util.Map<String, String> metadata(java.util.@Nullable Map<String, String> nullable) {
        java.util.Map<String, String> value = present(nullable, "metadata");
        if (value.isEmpty()) {
            return java.util.Map.of();
        }
        if (value.size() > MAX_METADATA_ENTRIES) {
            throw reject(
                    RejectionReason.INVALID_METADATA,
                    "metadata has " + value.size() + " entries, more than " + MAX_METADATA_ENTRIES);
        }
        java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
        for (java.util.Map.Entry<String, String> e : value.entrySet()) {
            String key = present(e.getKey(), "metadata key");
            String v = present(e.getValue(), "metadata value of " + quote(key));
            if (!isMetadataKey(key)) {
                throw reject(
                        RejectionReason.INVALID_METADATA,
                        "metadata key " + quote(key) + " is not 1 to " + MAX_METADATA_KEY_LENGTH
                                + " characters of a-z 0-9 _ . -");
            }
            if (v.length() > MAX_METADATA_VALUE_LENGTH) {
                throw reject(
                        RejectionReason.INVALID_METADATA,
                        "metadata value of " + quote(key) + " has " + v.length() + " characters, more than "
                                + MAX_METADATA_VALUE_LENGTH);
            }
            String problem = textProblem(v);
            if (problem != null) {
                throw reject(RejectionReason.INVALID_METADATA, "metadata value of " + quote(key) + " " + problem);
            }
            sorted.put(key, v);
        }
        return java.util.Collections.unmodifiableSortedMap(sorted);
    }

    private static boolean isMetadataKey(String key) {
        if (key.isEmpty() || key.length() > MAX_METADATA_KEY_LENGTH) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** An instant within the stored range. */
    public static Instant instant(@Nullable Instant nullable, String what) {
        Instant value = present(nullable, what);
        if (value.isBefore(MIN_INSTANT) || value.isAfter(MAX_INSTANT)) {
            throw reject(RejectionReason.INVALID_INSTANT, what + " " + value + " is out of range");
        }
        return value;
    }

    /** An instant as stored: within range and of microsecond precision, the precision of PostgreSQL. */
    public static Instant storedInstant(@Nullable Instant nullable, String what) {
        Instant value = instant(nullable, what);
        if (value.getNano() % 1_000 != 0) {
            throw reject(RejectionReason.INVALID_INSTANT, what + " " + value + " is finer than a microsecond");
        }
        return value;
    }

    /** The stored form of a clock reading: truncated to microseconds, then range-checked. */
    public static Instant clockReading(Instant value) {
        return instant(value.truncatedTo(ChronoUnit.MICROS), "clock reading");
    }

    /** Quotes a user-supplied string for an error message, shortening and escaping it so messages stay readable. */
    public static String quote(@Nullable String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), 80) + 2).append('\'');
        int limit = Math.min(value.length(), 72);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (value.length() > limit) {
            out.append("...(").append(value.length()).append(" chars)");
        }
        return out.append('\'').toString();
    }
}
