package dev.ledger.tck;

import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * A seeded, randomised model-based test: random sequences of operations (opening accounts, valid and invalid transfers,
 * replays, clock moves both ways, balance, as-of and statement queries) run against the ledger under test and against
 * {@link ReferenceLedger}; every outcome and every balance must agree after every step.
 *
 * <p>Each repetition prints its seed. To replay one, run with {@code -Dledger.test.seed=SEED} (repetition {@code n}
 * then uses {@code SEED + n - 1}, so the printed seed replays in the first repetition);
 * {@code -Dledger.test.modelSteps=N} changes the number of steps per repetition.
 */
public interface ModelBasedContract extends LedgerFixture {
    /** Steps per repetition unless {@code ledger.test.modelSteps} says otherwise. */
    int DEFAULT_STEPS = 200;

    @RepeatedTest(value = 2, name = "{displayName} run {currentRepetition} of {totalRepetitions}")
    default void modelBased_randomOperations_matchReferenceModel(RepetitionInfo repetition) {
        Long fixed = Long.getLong("ledger.test.seed");
        long seed = fixed != null ? fixed + repetition.getCurrentRepetition() - 1 : new SplittableRandom().nextLong();
        System.out.println("ModelBasedContract seed=" + seed);
        new ModelRun(this, seed, Integer.getInteger("ledger.test.modelSteps", DEFAULT_STEPS)).run();
    }
}
