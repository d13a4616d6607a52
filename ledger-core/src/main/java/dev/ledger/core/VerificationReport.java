package dev.ledger.core;

import dev.ledger.core.internal.Checks;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The result of {@link Ledger#verify()}: what was checked and every problem found. Immutable.
 *
 * @param accounts the accounts read
 * @param transfers the transfers read
 * @param chains the hash chains (sources with at least one debit) recomputed
 * @param findings the problems found, in the order they were found; empty when the ledger is intact
 * @param omittedFindings problems found beyond the first {@value #MAX_FINDINGS}, counted but not listed
 */
public record VerificationReport(
        long accounts, long transfers, long chains, List<Finding> findings, long omittedFindings) {
    /** At most this many findings are listed. */
    public static final int MAX_FINDINGS = 10_000;

    public VerificationReport {
        findings = List.copyOf(Checks.present(findings, "findings"));
    }

    /** Whether nothing is wrong. */
    public boolean ok() {
        return findings.isEmpty() && omittedFindings == 0;
    }

    /** A readable multi-line report. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append(ok() ? "OK" : "PROBLEMS FOUND")
                .append(": ")
                .append(accounts)
                .append(" accounts, ")
                .append(transfers)
                .append(" transfers, ")
                .append(chains)
                .append(" hash chains verified");
        if (!ok()) {
            out.append("; ").append(findings.size() + omittedFindings).append(" finding(s)");
        }
        out.append('\n');
        for (Finding f : findings) {
            out.append("  ").append(f).append('\n');
        }
        if (omittedFindings > 0) {
            out.append("  ... and ").append(omittedFindings).append(" more\n");
        }
        return out.toString();
    }

    /** What kind of problem a finding is. */
    public enum Kind {
        /** A transfer's stored chain hash differs from the one recomputed from its content and its predecessor. */
        HASH_MISMATCH,
        /** A source's indices are not 0, 1, 2, ... without gap or duplicate. */
        INDEX_GAP,
        /** A transfer's stored cumulative debits are not its predecessor's plus its amount. */
        DEBITS_MISMATCH,
        /** A source's debits go back in time. */
        TIME_NOT_MONOTONIC,
        /** Total credits differ from total debits (the stored cumulative debits of the sources). */
        ZERO_SUM_BROKEN,
        /** A stored credit checkpoint differs from the credits recomputed from the transfers. */
        CHECKPOINT_MISMATCH,
        /** A trusted (exported) chain head is no longer present, or has another hash. */
        HEAD_MISMATCH,
        /**
         * A non-issuer account's recomputed balance is below its lower limit (negative, unless it has an overdraft
         * line), now or as of some past instant (the balance over the transfers recorded at or before it).
         */
        NEGATIVE_BALANCE,
        /** A transfer or checkpoint names an account that does not exist. */
        UNKNOWN_ACCOUNT,
        /** A transfer breaks a rule of its own: currency of its accounts, amount, distinct accounts. */
        INVALID_TRANSFER,
        /** A transfer is dated later than the store's clock plus the allowed skew, or not at a finite instant. */
        TIME_OUT_OF_RANGE,
        /** An account's cumulative credits or debits pass 2^63-1, beyond what its balance can represent. */
        BALANCE_OVERFLOW,
        /**
         * A store that keeps the credit side of each transfer as a row of its own, keyed by the destination
         * (PostgreSQL): a transfer without its credit row, a credit row without its transfer, or one that differs from
         * its transfer.
         */
        CREDIT_MISMATCH,
        /**
         * An account's recomputed balance is above its upper limit, now or as of some past instant (its posted balance
         * plus its pending credits then).
         */
        UPPER_LIMIT_EXCEEDED,
        /**
         * A post or void that does not resolve a pending transfer of its source as the rules say: it names no pending
         * transfer of that source, resolves one already resolved, posts more than it held, voids another amount, names
         * another destination or currency, or is dated at or after the pending's expiry.
         */
        PENDING_RESOLUTION_INVALID
    }

    /**
     * One problem.
     *
     * @param kind what is wrong
     * @param account the account (for chains: the source) concerned, or null when none is
     * @param index the source index concerned, if any
     * @param transferId the transfer concerned, or null
     * @param message what was expected and what was found
     */
    public record Finding(
            Kind kind,
            @Nullable String account,
            OptionalLong index,
            @Nullable UUID transferId,
            String message) {
        public Finding {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(index, "index");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return kind + (account == null ? "" : " " + Checks.quote(account))
                    + (index.isPresent() ? " index " + index.getAsLong() : "")
                    + (transferId == null ? "" : " transfer " + transferId) + ": " + message;
        }
    }
}
