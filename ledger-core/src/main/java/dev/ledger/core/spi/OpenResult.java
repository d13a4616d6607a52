package dev.ledger.core.spi;

import dev.ledger.core.Account;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import java.util.Objects;
import java.util.Optional;

/** The outcome of one {@link LedgerStore#open} attempt. */
public sealed interface OpenResult {

    /** The account was opened, together with its funding transfer when it had an opening balance. */
    record Opened(Account account, Optional<Transfer> funding) implements OpenResult {
        public Opened {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(funding, "funding");
        }
    }

    /** The funding transfer lost a race for the issuer's next index; nothing was recorded; retry. */
    record Conflict(String detail) implements OpenResult {
        public Conflict {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** The request breaks a rule; nothing was recorded. */
    record Rejected(RejectionReason reason, String detail) implements OpenResult {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
