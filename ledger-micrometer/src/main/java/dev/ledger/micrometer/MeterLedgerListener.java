package dev.ledger.micrometer;

import dev.ledger.core.LedgerListener;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.RejectionReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The {@link LedgerListener} behind {@link LedgerMetrics}: counters and timers in a {@link MeterRegistry}, and with an
 * {@link ObservationRegistry} one {@link Observation} per call instead of the call timer. The meters of the hot path
 * (successful calls, recorded and replayed transfers, conflicts, retries) are registered up front; the rest on first
 * use (Micrometer returns the registered meter then). Thread-safe.
 */
final class MeterLedgerListener implements LedgerListener {
    private static final String NONE = "none";

    private final MeterRegistry registry;
    private final @Nullable ObservationRegistry observations;
    private final Map<Operation, Timer> succeeded = new EnumMap<>(Operation.class);
    private final Map<Operation, Counter> conflicts = new EnumMap<>(Operation.class);
    private final Map<Operation, Counter> retries = new EnumMap<>(Operation.class);
    private final Counter recorded;
    private final Counter replayed;
    private final DistributionSummary recordedAttempts;
    private final DistributionSummary replayedAttempts;
    private final DistributionSummary batchSizes;

    MeterLedgerListener(MeterRegistry registry, @Nullable ObservationRegistry observations) {
        this.registry = registry;
        this.observations = observations;
        for (Operation operation : Operation.values()) {
            if (observations == null) {
                succeeded.put(operation, callTimer(operation, LedgerMetrics.SUCCESS, NONE));
            }
        }
        for (Operation operation : new Operation[] {Operation.OPEN, Operation.TRANSFER, Operation.TRANSFER_BATCH}) {
            conflicts.put(
                    operation,
                    Counter.builder(LedgerMetrics.CONFLICTS)
                            .description("Attempts that lost their index slot to a concurrent debit of the same source")
                            .tag(LedgerMetrics.OPERATION, operation.methodName())
                            .register(registry));
            retries.put(
                    operation,
                    Counter.builder(LedgerMetrics.RETRIES)
                            .description("Attempts made again after a conflict and a backoff")
                            .tag(LedgerMetrics.OPERATION, operation.methodName())
                            .register(registry));
        }
        recorded = transfers(LedgerMetrics.RECORDED, NONE);
        replayed = transfers(LedgerMetrics.REPLAYED, NONE);
        recordedAttempts = attempts(LedgerMetrics.RECORDED);
        replayedAttempts = attempts(LedgerMetrics.REPLAYED);
        batchSizes = DistributionSummary.builder(LedgerMetrics.BATCH_SIZE)
                .description("Items of each transferBatch call that ended with a result per item")
                .register(registry);
    }

    private Timer callTimer(Operation operation, String outcome, String reason) {
        return Timer.builder(LedgerMetrics.CALLS)
                .description("Ledger calls: latency by operation and outcome")
                .tags(Tags.of(
                        LedgerMetrics.OPERATION,
                        operation.methodName(),
                        LedgerMetrics.OUTCOME,
                        outcome,
                        LedgerMetrics.REASON,
                        reason))
                .register(registry);
    }

    private Counter transfers(String outcome, String reason) {
        return Counter.builder(LedgerMetrics.TRANSFERS)
                .description("Ledger.transfer calls by outcome")
                .tags(LedgerMetrics.OUTCOME, outcome, LedgerMetrics.REASON, reason)
                .register(registry);
    }

    private DistributionSummary attempts(String outcome) {
        return DistributionSummary.builder(LedgerMetrics.TRANSFER_ATTEMPTS)
                .description("Attempts per successful Ledger.transfer call (1 when no race was lost)")
                .baseUnit("attempts")
                .tag(LedgerMetrics.OUTCOME, outcome)
                .register(registry);
    }

    /** What {@link #callStarted} hands to {@link #callEnded} in observation mode. */
    private record Call(Observation observation, Observation.Scope scope) {}

    @Override
    public @Nullable Object callStarted(Operation operation) {
        if (observations == null) {
            return null;
        }
        Observation observation = Observation.createNotStarted(LedgerMetrics.CALLS, observations)
                .contextualName("ledger " + operation.methodName())
                .lowCardinalityKeyValue(LedgerMetrics.OPERATION, operation.methodName())
                .start();
        return new Call(observation, observation.openScope());
    }

    @Override
    public void callEnded(
            Operation operation, @Nullable Object context, long nanos, @Nullable RuntimeException failure) {
        String outcome = outcome(failure);
        String reason = reason(failure);
        if (context instanceof Call call) {
            call.scope().close();
            Observation observation = call.observation();
            observation.lowCardinalityKeyValue(LedgerMetrics.OUTCOME, outcome);
            observation.lowCardinalityKeyValue(LedgerMetrics.REASON, reason);
            if (failure != null && !(failure instanceof LedgerRejectedException)) {
                observation.error(failure); // a rejection is an answer, not an error of the ledger
            }
            observation.stop();
        } else if (observations == null) {
            // (every operation has its success timer: registered in the constructor)
            Timer timer = failure == null
                    ? Objects.requireNonNull(succeeded.get(operation))
                    : callTimer(operation, outcome, reason);
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void transferRecorded(int attempts, long nanos) {
        recorded.increment();
        recordedAttempts.record(attempts);
    }

    @Override
    public void transferReplayed(int attempts, long nanos) {
        replayed.increment();
        replayedAttempts.record(attempts);
    }

    @Override
    public void batchEnded(int items, int recordedItems, int replayedItems, int rejectedItems, int attempts) {
        batchSizes.record(items);
        recorded.increment(recordedItems);
        replayed.increment(replayedItems);
        if (rejectedItems > 0) {
            transfers(LedgerMetrics.REJECTED, "BATCH_ITEM").increment(rejectedItems);
        }
    }

    @Override
    public void rejected(Operation operation, RejectionReason reason) {
        if (operation == Operation.TRANSFER) {
            transfers(LedgerMetrics.REJECTED, reason.name()).increment();
        }
    }

    @Override
    public void unavailable(Operation operation, LedgerUnavailableException.Kind kind) {
        if (operation == Operation.TRANSFER) {
            transfers(LedgerMetrics.UNAVAILABLE, kind.name()).increment();
        }
    }

    @Override
    public void conflict(Operation operation, int attempt, String detail) {
        Counter counter = conflicts.get(operation);
        if (counter != null) {
            counter.increment();
        }
    }

    @Override
    public void retry(Operation operation, int retry, long backoffNanos) {
        Counter counter = retries.get(operation);
        if (counter != null) {
            counter.increment();
        }
    }

    private static String outcome(@Nullable RuntimeException failure) {
        if (failure == null) {
            return LedgerMetrics.SUCCESS;
        } else if (failure instanceof LedgerRejectedException) {
            return LedgerMetrics.REJECTED;
        } else if (failure instanceof LedgerUnavailableException) {
            return LedgerMetrics.UNAVAILABLE;
        }
        return LedgerMetrics.ERROR;
    }

    private static String reason(@Nullable RuntimeException failure) {
        if (failure == null) {
            return NONE;
        } else if (failure instanceof LedgerRejectedException rejected) {
            return rejected.reason().name();
        } else if (failure instanceof LedgerUnavailableException unavailable) {
            return unavailable.kind().name();
        }
        return failure.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "LedgerMetrics.listener(" + registry.getClass().getSimpleName()
                + (observations == null ? "" : ", observations") + ")";
    }
}
