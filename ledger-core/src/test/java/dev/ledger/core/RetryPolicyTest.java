package dev.ledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {
    private static final long MS = 1_000_000L;

    private static void assertIllegal(Executable call, String... named) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String value : named) {
            assertTrue(e.getMessage().contains(value), () -> "message names " + value + ": " + e.getMessage());
        }
    }

    @Test
    void defaults_noConfiguration_64AttemptsFrom1msDoublingTo50ms() {
        RetryPolicy policy = RetryPolicy.defaults();
        assertEquals(64, policy.maxAttempts());
        assertEquals(Duration.ofMillis(1), policy.initialBackoff());
        assertEquals(Duration.ofMillis(50), policy.maxBackoff());
        assertEquals(2.0, policy.multiplier());
        assertEquals(1, RetryPolicy.noRetries().maxAttempts());
        assertTrue(policy.toString().contains("maxAttempts=64"), policy::toString);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, RetryPolicy.MAX_ATTEMPTS_LIMIT + 1, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void maxAttempts_outOfRange_rejectedNamingValue(int attempts) {
        assertIllegal(() -> RetryPolicy.builder().maxAttempts(attempts), "maxAttempts", String.valueOf(attempts));
    }

    @Test
    void maxAttempts_rangeEnds_accepted() {
        assertEquals(1, RetryPolicy.builder().maxAttempts(1).build().maxAttempts());
        assertEquals(
                10_000,
                RetryPolicy.builder()
                        .maxAttempts(RetryPolicy.MAX_ATTEMPTS_LIMIT)
                        .build()
                        .maxAttempts());
    }

    @Test
    void backoffDurations_outOfRange_rejectedNamingValue() {
        Duration negative = Duration.ofNanos(-1);
        Duration tooLong = Duration.ofMinutes(1).plusNanos(1);
        assertIllegal(() -> RetryPolicy.builder().initialBackoff(negative), "initialBackoff", negative.toString());
        assertIllegal(() -> RetryPolicy.builder().initialBackoff(tooLong), "initialBackoff", tooLong.toString());
        assertIllegal(() -> RetryPolicy.builder().maxBackoff(negative), "maxBackoff", negative.toString());
        assertIllegal(() -> RetryPolicy.builder().maxBackoff(tooLong), "maxBackoff", tooLong.toString());
        assertEquals(
                Duration.ofMinutes(1),
                RetryPolicy.builder()
                        .initialBackoff(Duration.ofMinutes(1))
                        .maxBackoff(Duration.ofMinutes(1))
                        .build()
                        .maxBackoff());
        assertEquals(
                Duration.ZERO,
                RetryPolicy.builder()
                        .initialBackoff(Duration.ZERO)
                        .maxBackoff(Duration.ZERO)
                        .build()
                        .initialBackoff());
    }

    @Test
    void backoffDurations_null_rejectedWithNullPointerNamingField() {
        assertEquals(
                "initialBackoff",
                assertThrows(NullPointerException.class, () -> RetryPolicy.builder()
                                .initialBackoff(null))
                        .getMessage());
        assertEquals(
                "maxBackoff",
                assertThrows(NullPointerException.class, () -> RetryPolicy.builder()
                                .maxBackoff(null))
                        .getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.999, 10.0001, -2.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void multiplier_outOfRange_rejectedNamingValue(double multiplier) {
        assertIllegal(() -> RetryPolicy.builder().multiplier(multiplier), "multiplier", String.valueOf(multiplier));
    }

    @Test
    void build_maxBelowInitial_rejectedNamingBoth() {
        assertIllegal(
                () -> RetryPolicy.builder()
                        .initialBackoff(Duration.ofMillis(20))
                        .maxBackoff(Duration.ofMillis(10))
                        .build(),
                "maxBackoff (PT0.01S)",
                "initialBackoff (PT0.02S)");
    }

    @Test
    void boundNanos_increasingRetries_growByMultiplierUpToCap() {
        RetryPolicy policy = RetryPolicy.defaults();
        assertEquals(1 * MS, policy.boundNanos(1));
        assertEquals(2 * MS, policy.boundNanos(2));
        assertEquals(4 * MS, policy.boundNanos(3));
        assertEquals(32 * MS, policy.boundNanos(6));
        assertEquals(50 * MS, policy.boundNanos(7));
        assertEquals(50 * MS, policy.boundNanos(1_000));
        assertEquals(50 * MS, policy.boundNanos(Integer.MAX_VALUE));
        RetryPolicy flat = RetryPolicy.builder()
                .multiplier(1.0)
                .initialBackoff(Duration.ofMillis(3))
                .build();
        assertEquals(3 * MS, flat.boundNanos(1));
        assertEquals(3 * MS, flat.boundNanos(500));
        RetryPolicy none = RetryPolicy.builder()
                .initialBackoff(Duration.ZERO)
                .maxBackoff(Duration.ZERO)
                .build();
        assertEquals(0, none.boundNanos(1));
        assertEquals(0, none.boundNanos(Integer.MAX_VALUE));
        RetryPolicy zeroStart =
                RetryPolicy.builder().initialBackoff(Duration.ZERO).build();
        assertEquals(0, zeroStart.boundNanos(Integer.MAX_VALUE), "zero times any growth stays zero");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void boundNanos_retryBelowOne_rejectedNamingValue(int retry) {
        assertIllegal(() -> RetryPolicy.defaults().boundNanos(retry), "retry", String.valueOf(retry));
        assertIllegal(() -> RetryPolicy.defaults().backoffNanos(retry, new SplittableRandom(1)), String.valueOf(retry));
    }

    @Test
    void backoffNanos_manyDraws_withinZeroAndBoundWithFullJitter() {
        RetryPolicy policy = RetryPolicy.defaults();
        SplittableRandom random = new SplittableRandom(42);
        for (int retry = 1; retry <= 10; retry++) {
            long bound = policy.boundNanos(retry);
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < 2_000; i++) {
                long sleep = policy.backoffNanos(retry, random);
                assertTrue(
                        sleep >= 0 && sleep <= bound, "retry " + retry + ": " + sleep + " outside [0, " + bound + "]");
                min = Math.min(min, sleep);
                max = Math.max(max, sleep);
            }
            assertTrue(min < bound / 10, "retry " + retry + ": full jitter reaches near zero, min " + min);
            assertTrue(max > bound * 9 / 10, "retry " + retry + ": full jitter reaches near the bound, max " + max);
        }
    }

    @Test
    void backoffNanos_sameSeed_sameSleeps() {
        RetryPolicy policy = RetryPolicy.defaults();
        SplittableRandom a = new SplittableRandom(7);
        SplittableRandom b = new SplittableRandom(7);
        for (int retry = 1; retry <= 20; retry++) {
            assertEquals(policy.backoffNanos(retry, a), policy.backoffNanos(retry, b));
        }
    }

    @Test
    void backoffNanos_zeroBound_zeroWithoutDrawing() {
        RetryPolicy none = RetryPolicy.builder()
                .initialBackoff(Duration.ZERO)
                .maxBackoff(Duration.ZERO)
                .build();
        SplittableRandom random = new SplittableRandom(3);
        assertEquals(0, none.backoffNanos(1, random));
        assertEquals(new SplittableRandom(3).nextLong(), random.nextLong(), "no random number was drawn");
    }
}
