package dev.ledger.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A page of statement lines in the query's direction.
 *
 * @param lines the lines, at most the query's limit
 * @param next where the next page starts (pass it to {@link StatementQuery#after}), or {@code null} when no line
 *     follows this page
 */
public record StatementPage(
        List<StatementLine> lines, @Nullable StatementCursor next) {
    public StatementPage {
        lines = List.copyOf(dev.ledger.core.internal.Checks.present(lines, "lines"));
    }

    /** Whether another page follows. */
    public boolean hasNext() {
        return next != null;
    }
}
