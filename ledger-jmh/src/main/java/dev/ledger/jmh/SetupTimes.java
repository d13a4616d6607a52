package dev.ledger.jmh;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The seconds each step of a fixture's setup took, for the {@code setup} object of its side file: {@link #step} ends a
 * step that began at the end of the previous one (or when this was made), {@link #skip} starts the next one without
 * recording what came before.
 */
final class SetupTimes {
    private final Map<String, Object> seconds = new LinkedHashMap<>();
    private long last = System.nanoTime();

    /** Records the seconds since the last step as {@code <name>_seconds}. */
    void step(String name) {
        long now = System.nanoTime();
        seconds.put(name + "_seconds", (now - last) / 1e9);
        last = now;
    }

    /** Starts the next step now, leaving the time since the last one out. */
    void skip() {
        last = System.nanoTime();
    }

    /** The steps recorded so far, in their order. */
    Map<String, Object> seconds() {
        return seconds;
    }
}
