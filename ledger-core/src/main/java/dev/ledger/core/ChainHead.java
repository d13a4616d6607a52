package dev.ledger.core;

import dev.ledger.core.internal.Checks;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The newest link of one source's hash chain: the source, the index of its newest debit, and that transfer's chain
 * hash. Export heads with {@link Ledger#chainHeads()} and keep them outside the database; a later
 * {@link Ledger#verify(java.util.Collection)} checks that each is still present with the same hash, which detects a
 * deleted tail (the chain alone cannot). See {@code docs/design.md}, "Hash chains".
 *
 * @param source the debited account
 * @param index the source index of the head transfer, from 0
 * @param hash the transfer's chain hash: 64 lower-case hexadecimal digits (SHA-256)
 */
public record ChainHead(String source, long index, String hash) {
    /** @throws LedgerRejectedException when a value is missing or malformed */
    public ChainHead {
        Checks.present(source, "source of chain head");
        Checks.present(hash, "hash of chain head");
        if (index < 0) {
            throw Checks.reject(
                    RejectionReason.INVALID_REQUEST, "index of chain head of " + Checks.quote(source) + " is " + index);
        }
        hash = hash.toLowerCase(Locale.ROOT);
        if (!hash.matches("[0-9a-f]{64}")) {
            throw Checks.reject(
                    RejectionReason.INVALID_REQUEST,
                    "hash of chain head of " + Checks.quote(source) + " is " + Checks.quote(hash)
                            + ", not 64 hexadecimal digits");
        }
    }

    /** A head from a hash's bytes. */
    public static ChainHead of(String source, long index, byte[] hash) {
        return new ChainHead(source, index, HexFormat.of().formatHex(hash));
    }

    /** The line format of exported heads: {@code source index hash}, separated by single spaces. */
    public String toLine() {
        return source + " " + index + " " + hash;
    }

    /** Parses {@link #toLine()}'s format. */
    public static ChainHead parseLine(String line) {
        Checks.present(line, "chain head line");
        String[] parts = line.strip().split(" ");
        if (parts.length != 3) {
            throw Checks.reject(
                    RejectionReason.INVALID_REQUEST,
                    "chain head line " + Checks.quote(line) + " is not 'source index hash'");
        }
        long index;
        try {
            index = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            throw Checks.reject(
                    RejectionReason.INVALID_REQUEST,
                    "chain head line " + Checks.quote(line) + " has index " + Checks.quote(parts[1])
                            + ", not a number");
        }
        return new ChainHead(parts[0], index, parts[2]);
    }
}
