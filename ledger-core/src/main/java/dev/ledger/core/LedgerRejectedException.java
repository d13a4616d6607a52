package dev.ledger.core;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * The ledger refused a request because it breaks a rule; nothing was recorded.
 *
 * <p>This is the one exception for rejections: {@link #reason()} says which rule, as data to switch on, and the message
 * names the offending value and the rule. Retrying the same request will be refused again unless the state it depends
 * on changes (for example a balance for {@link RejectionReason#INSUFFICIENT_FUNDS}). Failures of the infrastructure are
 * reported separately, by {@link LedgerUnavailableException}; both are {@link LedgerException}s.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class LedgerRejectedException extends LedgerException {
    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;
    private final int position;

    /**
     * @param reason the rule that was broken
     * @param detail what was wrong, naming the value; the rule is appended
     */
    public LedgerRejectedException(RejectionReason reason, String detail) {
        super(Objects.requireNonNull(reason, "reason").name() + ": " + detail + " (rule: " + reason.rule() + ")", null);
        this.reason = reason;
        this.position = -1;
    }

    /**
     * The rejection of a {@link BatchMode#LINKED} batch by its item at {@code position} (0-based); nothing of the batch
     * was recorded.
     */
    public LedgerRejectedException(RejectionReason reason, int position, String detail) {
        super(
                Objects.requireNonNull(reason, "reason").name() + ": item " + position + " of the linked batch: "
                        + detail + "; nothing of the batch was recorded (rule: " + reason.rule() + ")",
                null);
        if (position < 0) {
            throw new IllegalArgumentException("position " + position + " is negative");
        }
        this.reason = reason;
        this.position = position;
    }

    /** The broken rule. */
    public RejectionReason reason() {
        return reason;
    }

    /** For a linked batch's rejection, the position (0-based) of the first item that broke a rule. */
    public OptionalInt position() {
        return position < 0 ? OptionalInt.empty() : OptionalInt.of(position);
    }
}
