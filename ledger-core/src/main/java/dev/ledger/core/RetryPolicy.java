package dev.ledger.core;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How the {@link Ledger} retries an attempt that lost a race (a concurrent debit of the same source took the index
 * slot): up to {@link #maxAttempts()} attempts in all, sleeping between them for a random time between zero and an
 * exponentially growing, capped bound ("full jitter").
 *
 * <p>The n-th retry (n = 1, 2, ...) sleeps a uniformly random duration in {@code [0, min(maxBackoff, initialBackoff *
 * multiplier^(n-1))]}. Only conflicts are retried; rejections never are.
 *
 * <p>Immutable and thread-safe. The builder fails fast on bad values and never adjusts one.
 */
public final class RetryPolicy {
    /** The most attempts a policy may allow. */
    public static final int MAX_ATTEMPTS_LIMIT = 10_000;

    private static final RetryPolicy DEFAULTS = builder().build();

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final double multiplier;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.multiplier = b.multiplier;
    }

    /** 64 attempts, backoff from 1 ms doubling up to 50 ms. */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /** A policy that makes one attempt and reports a conflict as {@code RETRIES_EXHAUSTED}. */
    public static RetryPolicy noRetries() {
        return builder().maxAttempts(1).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Attempts in all, including the first. */
    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public double multiplier() {
        return multiplier;
    }

    /**
     * The bound of the sleep before retry number {@code retry} (1 for the first retry).
     *
     * @throws IllegalArgumentException if {@code retry < 1}
     */
    public long boundNanos(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry must be >= 1, got " + retry);
        }
        double bound = initialBackoff.toNanos() * Math.pow(multiplier, retry - 1);
        long cap = maxBackoff.toNanos();
        return bound >= cap ? cap : (long) bound;
    }

    /** A random sleep, in nanoseconds, before retry number {@code retry}: uniform in [0, boundNanos(retry)]. */
    public long backoffNanos(int retry, RandomGenerator random) {
        long bound = boundNanos(retry);
        return bound == 0 ? 0 : random.nextLong(bound + 1);
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff + ", maxBackoff="
                + maxBackoff + ", multiplier=" + multiplier + "]";
    }

    /** Builds a {@link RetryPolicy}; each setter rejects a bad value at once with {@link IllegalArgumentException}. */
    public static final class Builder {
        private int maxAttempts = 64;
        private Duration initialBackoff = Duration.ofMillis(1);
        private Duration maxBackoff = Duration.ofMillis(50);
        private double multiplier = 2.0;

        private Builder() {}

        /** Attempts in all, 1 to {@value #MAX_ATTEMPTS_LIMIT}; 1 means no retry. */
        public Builder maxAttempts(int maxAttempts) {
            require(
                    maxAttempts >= 1 && maxAttempts <= MAX_ATTEMPTS_LIMIT,
                    "maxAttempts must be between 1 and " + MAX_ATTEMPTS_LIMIT + ", got " + maxAttempts);
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** The bound of the first retry's sleep: zero or more, at most one minute. */
        public Builder initialBackoff(Duration initialBackoff) {
            Objects.requireNonNull(initialBackoff, "initialBackoff");
            require(
                    !initialBackoff.isNegative() && initialBackoff.compareTo(Duration.ofMinutes(1)) <= 0,
                    "initialBackoff must be between 0 and 1 minute, got " + initialBackoff);
            this.initialBackoff = initialBackoff;
            return this;
        }

        /** The cap on any sleep: zero or more, at most one minute; checked against initialBackoff in build(). */
        public Builder maxBackoff(Duration maxBackoff) {
            Objects.requireNonNull(maxBackoff, "maxBackoff");
            require(
                    !maxBackoff.isNegative() && maxBackoff.compareTo(Duration.ofMinutes(1)) <= 0,
                    "maxBackoff must be between 0 and 1 minute, got " + maxBackoff);
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** The growth factor of the bound per retry, between 1.0 and 10.0. */
        public Builder multiplier(double multiplier) {
            require(
                    multiplier >= 1.0 && multiplier <= 10.0,
                    "multiplier must be between 1.0 and 10.0, got " + multiplier);
            this.multiplier = multiplier;
            return this;
        }

        /** @throws IllegalArgumentException if maxBackoff is less than initialBackoff */
        public RetryPolicy build() {
            require(
                    maxBackoff.compareTo(initialBackoff) >= 0,
                    "maxBackoff (" + maxBackoff + ") must not be less than initialBackoff (" + initialBackoff + ")");
            return new RetryPolicy(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
