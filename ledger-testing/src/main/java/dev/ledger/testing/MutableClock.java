package dev.ledger.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A clock that only moves when a test moves it, forwards or backwards. Every reading is aligned to the microsecond (the
 * precision ledgers store), so a test can predict recorded times exactly.
 *
 * <p>Thread-safe: concurrent tests may read and move it from several threads.
 */
public final class MutableClock implements InstantSource {
    private volatile Instant now;

    /**
     * A clock reading {@code start}.
     *
     * @param start the first reading
     * @throws IllegalArgumentException if {@code start} is not aligned to a microsecond
     */
    public MutableClock(Instant start) {
        this.now = aligned(start, "start");
    }

    @Override
    public Instant instant() {
        return now;
    }

    /**
     * Sets the reading, forwards or backwards.
     *
     * @param instant the new reading, aligned to a microsecond
     * @return the new reading
     */
    public synchronized Instant set(Instant instant) {
        now = aligned(instant, "instant");
        return now;
    }

    /**
     * Moves the reading by {@code amount} (negative moves it back).
     *
     * @param amount a whole number of microseconds
     * @return the new reading
     */
    public synchronized Instant advance(Duration amount) {
        now = now.plus(aligned(amount));
        return now;
    }

    /**
     * Moves the reading by {@code micros} microseconds (negative moves it back).
     *
     * @param micros the step
     * @return the new reading
     */
    public synchronized Instant advanceMicros(long micros) {
        now = now.plus(micros, ChronoUnit.MICROS);
        return now;
    }

    /**
     * Moves the reading back by {@code amount}.
     *
     * @param amount a whole number of microseconds
     * @return the new reading
     */
    public Instant rewind(Duration amount) {
        return advance(aligned(amount).negated());
    }

    @Override
    public String toString() {
        return "MutableClock[" + now + "]";
    }

    private static Instant aligned(Instant instant, String what) {
        Objects.requireNonNull(instant, what);
        if (instant.getNano() % 1_000 != 0) {
            throw new IllegalArgumentException(what + " " + instant + " is not aligned to a microsecond");
        }
        return instant;
    }

    private static Duration aligned(Duration amount) {
        Objects.requireNonNull(amount, "amount");
        if (amount.getNano() % 1_000 != 0) {
            throw new IllegalArgumentException("duration " + amount + " is not a whole number of microseconds");
        }
        return amount;
    }
}
