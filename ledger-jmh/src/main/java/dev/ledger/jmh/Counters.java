package dev.ledger.jmh;

import dev.ledger.core.LedgerListener;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * What the benchmark threads of one trial count, besides JMH's own operation count: attempts, the conflicts that caused
 * retries, database errors seen by the client, and operations that gave up. Thread-safe.
 */
public final class Counters {
    /** Completed benchmark operations (recorded, or given up). */
    public final LongAdder ops = new LongAdder();
    /** Store attempts (one SQL statement or transaction each). */
    public final LongAdder attempts = new LongAdder();
    /** Attempts that lost a race and were retried (unique violation on the source index, 40001, 40P01). */
    public final LongAdder retries = new LongAdder();
    /** Deadlocks reported to the client (SQLSTATE 40P01). */
    public final LongAdder deadlocks = new LongAdder();
    /** Serialization failures reported to the client (SQLSTATE 40001). */
    public final LongAdder serializationFailures = new LongAdder();
    /** Operations that gave up after every allowed attempt. */
    public final LongAdder failures = new LongAdder();

    /**
     * A ledger listener that counts the ledger's transfer attempts and the conflicts it retries (classified by the
     * SQLSTATE the PostgreSQL store puts in the conflict's detail): each {@code transfer} call makes one attempt plus
     * one per retry. Two or three counter increments per call.
     */
    public LedgerListener listener() {
        return new LedgerListener() {
            @Override
            public void callEnded(
                    Operation operation, @Nullable Object context, long nanos, @Nullable RuntimeException failure) {
                if (operation == Operation.TRANSFER) {
                    attempts.increment();
                }
            }

            @Override
            public void retry(Operation operation, int retry, long backoffNanos) {
                if (operation == Operation.TRANSFER) {
                    attempts.increment();
                }
            }

            @Override
            public void conflict(Operation operation, int attempt, String detail) {
                if (operation != Operation.TRANSFER) {
                    return;
                }
                retries.increment();
                if (detail.contains("40P01")) {
                    deadlocks.increment();
                } else if (detail.contains("40001")) {
                    serializationFailures.increment();
                }
            }
        };
    }

    /** The current values, by name. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("ops", ops.sum());
        m.put("attempts", attempts.sum());
        m.put("retries", retries.sum());
        m.put("client_deadlocks", deadlocks.sum());
        m.put("serialization_failures", serializationFailures.sum());
        m.put("failures", failures.sum());
        return m;
    }

    /** {@code end - start}, name by name. */
    public static Map<String, Long> delta(Map<String, Long> start, Map<String, Long> end) {
        Map<String, Long> m = new LinkedHashMap<>();
        end.forEach((k, v) -> m.put(k, v - start.getOrDefault(k, 0L)));
        return m;
    }
}
