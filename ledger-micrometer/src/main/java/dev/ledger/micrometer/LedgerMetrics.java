package dev.ledger.micrometer;

import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.Objects;

/**
 * Micrometer meters and observations for a {@link Ledger}: a {@link LedgerListener} to pass to
 * {@link Ledger.Builder#listener(LedgerListener)}.
 *
 * <pre>{@code
 * Ledger ledger = Ledger.builder(store)
 *     .listener(LedgerMetrics.listener(meterRegistry))
 *     .build();
 * }</pre>
 *
 * <p>Meters (names as in Micrometer's dot notation; a Prometheus registry renders {@code ledger.calls} as
 * {@code ledger_calls_seconds}); the full table is in {@code docs/metrics.md}:
 *
 * <ul>
 *   <li>{@value #CALLS}: timer of every ledger call, tags {@value #OPERATION} (the {@code Ledger} method, e.g.
 *       {@code transfer}, {@code balanceAsOf}), {@value #OUTCOME} ({@value #SUCCESS}, {@value #REJECTED},
 *       {@value #UNAVAILABLE}, {@value #ERROR}) and {@value #REASON} (the {@code RejectionReason} or the
 *       {@code LedgerUnavailableException.Kind}, else {@code none});
 *   <li>{@value #TRANSFERS}: counter of transfer calls, tags {@value #OUTCOME} ({@value #RECORDED}, {@value #REPLAYED},
 *       {@value #REJECTED}, {@value #UNAVAILABLE}) and {@value #REASON};
 *   <li>{@value #TRANSFER_ATTEMPTS}: distribution of attempts per recorded or replayed transfer, tag {@value #OUTCOME};
 *   <li>{@value #CONFLICTS} and {@value #RETRIES}: counters of lost index races and of retries, tag {@value #OPERATION}
 *       ({@code transfer} or {@code open}).
 * </ul>
 *
 * <p>With an {@link ObservationRegistry} ({@link #listener(MeterRegistry, ObservationRegistry)}), each call is an
 * {@code Observation} named {@value #CALLS} (contextual name {@code "ledger <method>"}), opened in scope for the call's
 * duration (so spans of the JDBC driver or pool become its children) and stopped with the low cardinality keys
 * {@value #OPERATION}, {@value #OUTCOME} and {@value #REASON}; unavailability is its error, a rejection is not. The
 * call timer then comes from the observation registry's handlers (Spring Boot's, or a
 * {@code DefaultMeterObservationHandler} you register), so this listener does not record {@value #CALLS} itself; the
 * counters go to the meter registry as before.
 *
 * <p>Several ledgers in one registry share these meters; tell them apart with a {@code MeterFilter} adding common tags,
 * or with separate registries.
 */
public final class LedgerMetrics {
    /** Timer (or Observation) of every ledger call. */
    public static final String CALLS = "ledger.calls";
    /** Counter of {@code Ledger.transfer} calls by outcome. */
    public static final String TRANSFERS = "ledger.transfers";
    /** Distribution of attempts per recorded or replayed transfer. */
    public static final String TRANSFER_ATTEMPTS = "ledger.transfer.attempts";
    /** Counter of attempts that lost their index slot to a concurrent debit. */
    public static final String CONFLICTS = "ledger.conflicts";
    /** Distribution summary: items per {@code transferBatch} call. */
    public static final String BATCH_SIZE = "ledger.batch.size";
    /** Counter of attempts made again after a conflict. */
    public static final String RETRIES = "ledger.retries";

    /** Tag: the {@code Ledger} method. */
    public static final String OPERATION = "operation";
    /** Tag: how the call or transfer ended. */
    public static final String OUTCOME = "outcome";
    /** Tag: the rejection reason or unavailability kind, or {@code none}. */
    public static final String REASON = "reason";

    /** Outcome: the call returned. */
    public static final String SUCCESS = "success";
    /** Outcome: a new transfer was recorded. */
    public static final String RECORDED = "recorded";
    /** Outcome: the transfer id was already recorded with the same content; the original was returned. */
    public static final String REPLAYED = "replayed";
    /** Outcome: {@code LedgerRejectedException}. */
    public static final String REJECTED = "rejected";
    /** Outcome: {@code LedgerUnavailableException}. */
    public static final String UNAVAILABLE = "unavailable";
    /** Outcome: any other exception (a bug, e.g. in a transfer id supplier); the reason is its simple class name. */
    public static final String ERROR = "error";

    private LedgerMetrics() {}

    /** A listener recording the meters above, with the call timer, into {@code registry}. */
    public static LedgerListener listener(MeterRegistry registry) {
        return new MeterLedgerListener(Objects.requireNonNull(registry, "registry"), null);
    }

    /**
     * A listener recording the counters into {@code registry} and each call as an {@code Observation} in
     * {@code observations} (see the class comment).
     */
    public static LedgerListener listener(MeterRegistry registry, ObservationRegistry observations) {
        return new MeterLedgerListener(
                Objects.requireNonNull(registry, "registry"), Objects.requireNonNull(observations, "observations"));
    }
}
