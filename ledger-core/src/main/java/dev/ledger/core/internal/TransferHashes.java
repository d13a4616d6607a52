package dev.ledger.core.internal;

import dev.ledger.core.Transfer;
import dev.ledger.core.TransferKind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The hash chain of a source's transfers, byte for byte as the PostgreSQL guard trigger computes it
 * ({@code R__2_hashing.sql}):
 *
 * <pre>
 *   chain_hash[k] = SHA-256(chain_hash[k-1] || content[k]),   chain_hash[-1] = 32 zero bytes
 *   content = field("ledger-transfer-v1") || field(id) || field(source) || field(source_index)
 *          || field(destination) || field(amount) || field(currency) || field(recorded_at)
 *          || field(reference)
 *          || [field(n) || field(key_1) || field(value_1) || ... || field(key_n) || field(value_n)]
 *             (only when the metadata has n >= 1 entries, keys in byte order; no bytes at all when it is empty,
 *             so the content of a transfer without metadata is what it was before metadata existed)
 *          || [field(kind) || field(pending_id) || field(expires_at)]
 *             (only for a two-phase transfer: kind "pending", "post" or "void"; pending_id null for a pending
 *             transfer, expires_at null for a post or void or a pending transfer that never expires; no bytes at
 *             all for an immediate transfer)
 *   field(s)   = 4-byte big-endian signed length of UTF-8(s) || UTF-8(s)
 *   field(null) = FF FF FF FF (length -1, no bytes)
 * </pre>
 *
 * where {@code id} is the UUID's lower-case hyphenated text, numbers are decimal text ({@code -} for negatives, no
 * leading zeros), and {@code recorded_at} is the number of microseconds since 1970-01-01T00:00:00Z (negative before).
 * Not part of the API.
 */
public final class TransferHashes {
    /** The version tag at the start of every content encoding. */
    public static final String VERSION = "ledger-transfer-v1";
    /** The chain hash before index 0. */
    private static final byte[] ZERO = new byte[32];

    private TransferHashes() {}

    /** The predecessor hash of index 0: 32 zero bytes (a copy). */
    public static byte[] zero() {
        return ZERO.clone();
    }

    /** Microseconds since the epoch, exact for every storable instant. */
    public static long epochMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    /** The canonical content of a transfer. */
    public static byte[] content(Transfer t) {
        return content(
                t.id(),
                t.source().value(),
                t.sourceIndex(),
                t.destination().value(),
                t.amount(),
                t.currency(),
                epochMicros(t.recordedAt()),
                t.reference(),
                t.metadata(),
                t.kind(),
                t.pendingId(),
                t.expiresAt() == null ? null : epochMicros(t.expiresAt()));
    }

    /** The canonical content of a transfer row, from raw values (which need not satisfy the ledger's rules). */
    public static byte[] content(
            UUID id,
            String source,
            long sourceIndex,
            String destination,
            long amount,
            String currency,
            long recordedAtMicros,
            @Nullable String reference) {
        return content(
                id,
                source,
                sourceIndex,
                destination,
                amount,
                currency,
                recordedAtMicros,
                reference,
                java.util.Map.of());
    }

    /** As above, with the transfer's metadata (entries in any order: they are hashed in key order). */
    public static byte[] content(
            UUID id,
            String source,
            long sourceIndex,
            String destination,
            long amount,
            String currency,
            long recordedAtMicros,
            @Nullable String reference,
            java.util.Map<String, String> metadata) {
        return content(
                id,
                source,
                sourceIndex,
                destination,
                amount,
                currency,
                recordedAtMicros,
                reference,
                metadata,
                TransferKind.IMMEDIATE,
                null,
                null);
    }

    /** As above, with the two-phase fields (none are hashed for an immediate transfer). */
    public static byte[] content(
            UUID id,
            String source,
            long sourceIndex,
            String destination,
            long amount,
            String currency,
            long recordedAtMicros,
            @Nullable String reference,
            java.util.Map<String, String> metadata,
            TransferKind kind,
            @Nullable UUID pendingId,
            @Nullable Long expiresAtMicros) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        field(out, VERSION);
        field(out, id.toString());
        field(out, source);
        field(out, Long.toString(sourceIndex));
        field(out, destination);
        field(out, Long.toString(amount));
        field(out, currency);
        field(out, Long.toString(recordedAtMicros));
        field(out, reference);
        if (!metadata.isEmpty()) {
            field(out, Integer.toString(metadata.size()));
            for (java.util.Map.Entry<String, String> e : new java.util.TreeMap<>(metadata).entrySet()) {
                field(out, e.getKey());
                field(out, e.getValue());
            }
        }
        if (kind != TransferKind.IMMEDIATE) {
            field(out, kind.name().toLowerCase(java.util.Locale.ROOT));
            field(out, pendingId == null ? null : pendingId.toString());
            field(out, expiresAtMicros == null ? null : Long.toString(expiresAtMicros));
        }
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, @Nullable String value) {
        if (value == null) {
            out.write(0xFF);
            out.write(0xFF);
            out.write(0xFF);
            out.write(0xFF);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int n = bytes.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.write(bytes, 0, n);
    }

    /** {@code SHA-256(previous || content)}. */
    public static byte[] chain(byte[] previous, byte[] content) {
        MessageDigest sha = sha256();
        sha.update(previous);
        sha.update(content);
        return sha.digest();
    }

    /** The chain hash of {@code t} after {@code previous}. */
    public static byte[] chain(byte[] previous, Transfer t) {
        return chain(previous, content(t));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
