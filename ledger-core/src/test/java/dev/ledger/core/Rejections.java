package dev.ledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;

/** Assertions on rejections shared by the unit tests. */
final class Rejections {
    private Rejections() {}

    /**
     * Asserts {@code call} throws a {@link LedgerRejectedException} with {@code reason}, whose message has the form
     * {@code REASON: detail (rule: ...)} and contains each of {@code named}.
     */
    static LedgerRejectedException assertRejects(RejectionReason reason, Executable call, String... named) {
        LedgerRejectedException e = assertThrows(LedgerRejectedException.class, call, "expected " + reason);
        String message = String.valueOf(e.getMessage());
        assertEquals(reason, e.reason(), message);
        assertTrue(message.startsWith(reason.name() + ": "), () -> "message starts with the reason: " + message);
        assertTrue(message.endsWith("(rule: " + reason.rule() + ")"), () -> "message ends with the rule: " + message);
        for (String value : named) {
            assertTrue(message.contains(value), () -> "message names " + value + ": " + message);
        }
        return e;
    }
}
