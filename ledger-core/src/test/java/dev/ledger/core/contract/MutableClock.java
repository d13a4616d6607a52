package dev.ledger.core.contract;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that only moves when a test moves it, forwards or backwards. Every reading is aligned to the
 * microsecond (the precision ledgers store), so a test can predict recorded times exactly.
 *
 * <p>Thread-safe: concurrent tests may read and move it from several threads.
 */
public final class MutableClock implements InstantSource {
  private final AtomicReference<Instant> now;

  /** @throws IllegalArgumentException if {@code start} is not aligned to a microsecond */
  public MutableClock(Instant start) {
    this.now = new AtomicReference<>(aligned(start, "start"));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  /** Sets the reading, forwards or backwards; returns it. */
  public Instant set(Instant instant) {
    Instant value = aligned(instant, "instant");
    now.set(value);
    return value;
  }

  /** Moves the reading by {@code amount} (negative moves it back); returns the new reading. */
  public Instant advance(Duration amount) {
    Duration step = aligned(amount);
    return now.updateAndGet(t -> t.plus(step));
  }

  /** Moves the reading by {@code micros} microseconds (negative moves it back); returns the new reading. */
  public Instant advanceMicros(long micros) {
    return now.updateAndGet(t -> t.plus(micros, ChronoUnit.MICROS));
  }

  /** Moves the reading back by {@code amount}; returns the new reading. */
  public Instant rewind(Duration amount) {
    return advance(aligned(amount).negated());
  }

  @Override
  public String toString() {
    return "MutableClock[" + now.get() + "]";
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
