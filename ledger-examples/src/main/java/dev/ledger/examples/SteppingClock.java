package dev.ledger.examples;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock for examples and tests: the first reading is {@code start}, and every {@link #instant()} reading after it is
 * one second later than the one before, so recorded times are distinct and easy to read.
 *
 * <p>{@link #millis()} returns the latest reading without stepping: the ledger reads it to generate time-ordered
 * (version 7) transfer ids, which should not move the clock. Thread-safe.
 */
public final class SteppingClock implements InstantSource {
    private final Instant start;
    private final AtomicLong readings = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();

    public SteppingClock(Instant start) {
        this.start = Objects.requireNonNull(start, "start");
    }

    @Override
    public Instant instant() {
        return start.plusSeconds(readings.getAndIncrement() + skipped.get());
    }

    /** Moves every later reading forward by {@code seconds} (time passing between two calls). */
    public void skip(long seconds) {
        skipped.addAndGet(seconds);
    }

    @Override
    public long millis() {
        return start.plusSeconds(Math.max(0, readings.get() - 1) + skipped.get())
                .toEpochMilli();
    }

    @Override
    public String toString() {
        return "SteppingClock[start=" + start + ", +1 s per reading]";
    }
}
