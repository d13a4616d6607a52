package dev.ledger.core;

import java.util.Objects;

/**
 * The ledger refused a request because it breaks a rule; nothing was recorded.
 *
 * <p>This is the one exception for rejections: {@link #reason()} says which rule, as data to switch on, and
 * the message names the offending value and the rule. Retrying the same request will be refused again
 * unless the state it depends on changes (for example a balance for {@link RejectionReason#INSUFFICIENT_FUNDS}).
 * Failures of the infrastructure are reported separately, by {@link LedgerUnavailableException}.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class LedgerRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final RejectionReason reason;

  /**
   * @param reason the rule that was broken
   * @param detail what was wrong, naming the value; the rule is appended
   */
  public LedgerRejectedException(RejectionReason reason, String detail) {
    super(Objects.requireNonNull(reason, "reason").name() + ": " + detail + " (rule: " + reason.rule() + ")");
    this.reason = reason;
  }

  /** The broken rule. */
  public RejectionReason reason() {
    return reason;
  }
}
