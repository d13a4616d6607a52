package dev.ledger.postgres.jepsen;

import dev.ledger.core.AccountId;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/** The history of a run: every operation with its outcome, in completion order. Thread-safe. */
public final class History {
    private final List<Op> ops = new ArrayList<>();
    private final AtomicLong seq = new AtomicLong();

    private final java.util.concurrent.ConcurrentHashMap<Integer, Long> lastSuccess =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Appends a completed operation. */
    public synchronized Op add(Op op) {
        ops.add(op);
        if (op.outcome() == Op.Outcome.OK || op.outcome() == Op.Outcome.REJECTED) {
            lastSuccess.put(op.client(), op.endNanos());
        }
        return op;
    }

    /** When the client's latest operation that reached a definite answer (ok or rejected) ended; 0 if none. */
    public long lastDefiniteEnd(int client) {
        return lastSuccess.getOrDefault(client, 0L);
    }

    /** A snapshot of the operations so far, in completion order. */
    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    long nextSeq() {
        return seq.incrementAndGet();
    }

    /** Runs {@code call} (a transfer of {@code request}) and records its outcome. */
    public Op transfer(
            int client,
            String phase,
            TransferRequest request,
            boolean changedContent,
            java.util.function.Function<TransferRequest, Transfer> call) {
        long start = System.nanoTime();
        Transfer t = null;
        Op.Outcome outcome;
        dev.ledger.core.RejectionReason reason = null;
        LedgerUnavailableException.Kind failure = null;
        try {
            t = call.apply(request);
            outcome = Op.Outcome.OK;
        } catch (LedgerRejectedException e) {
            outcome = Op.Outcome.REJECTED;
            reason = e.reason();
        } catch (LedgerUnavailableException e) {
            failure = e.kind();
            outcome = e.outcomeUnknown() ? Op.Outcome.UNKNOWN : Op.Outcome.FAILED;
        }
        return add(new Op(
                nextSeq(),
                client,
                phase,
                Op.Type.TRANSFER,
                request.id(),
                request.source(),
                request.destination(),
                request.amount(),
                request.reference(),
                changedContent,
                outcome,
                t,
                reason,
                failure,
                null,
                start,
                System.nanoTime(),
                request));
    }

    /**
     * Runs one batch call and records an operation per item: each item's own outcome (independent), all recorded or
     * none (linked: every item of a rejected batch is REJECTED with the failing item's reason, nothing recorded), or
     * every item UNKNOWN/FAILED when the call failed.
     */
    public List<Op> batch(
            int client,
            String phase,
            List<TransferRequest> requests,
            dev.ledger.core.BatchMode mode,
            dev.ledger.core.Ledger ledger) {
        long start = System.nanoTime();
        List<dev.ledger.core.TransferResult> results = null;
        Op.Outcome all = null;
        dev.ledger.core.RejectionReason reason = null;
        LedgerUnavailableException.Kind failure = null;
        try {
            results = ledger.transferBatch(requests, mode);
        } catch (LedgerRejectedException e) {
            all = Op.Outcome.REJECTED;
            reason = e.reason();
        } catch (LedgerUnavailableException e) {
            failure = e.kind();
            all = e.outcomeUnknown() ? Op.Outcome.UNKNOWN : Op.Outcome.FAILED;
        }
        long end = System.nanoTime();
        List<Op> ops = new java.util.ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            TransferRequest r = requests.get(i);
            Op.Outcome outcome = all;
            Transfer t = null;
            dev.ledger.core.RejectionReason itemReason = reason;
            if (results != null) {
                dev.ledger.core.TransferResult result = results.get(i);
                if (result instanceof dev.ledger.core.TransferResult.Recorded recorded) {
                    outcome = Op.Outcome.OK;
                    t = recorded.transfer();
                } else {
                    outcome = Op.Outcome.REJECTED;
                    itemReason = ((dev.ledger.core.TransferResult.Rejected) result).reason();
                }
            }
            ops.add(add(new Op(
                    nextSeq(),
                    client,
                    phase,
                    Op.Type.TRANSFER,
                    r.id(),
                    r.source(),
                    r.destination(),
                    r.amount(),
                    r.reference(),
                    false,
                    outcome,
                    t,
                    itemReason,
                    failure,
                    null,
                    start,
                    end,
                    r)));
        }
        return ops;
    }

    /** Runs a {@code findTransfer} and records what it found. */
    public Op find(
            int client,
            String phase,
            TransferRequest request,
            java.util.function.Function<UUID, Optional<Transfer>> call) {
        long start = System.nanoTime();
        Op.Outcome outcome;
        Transfer t = null;
        LedgerUnavailableException.Kind failure = null;
        try {
            Optional<Transfer> found = call.apply(request.id());
            t = found.orElse(null);
            outcome = found.isPresent() ? Op.Outcome.OK : Op.Outcome.ABSENT;
        } catch (LedgerUnavailableException e) {
            outcome = Op.Outcome.FAILED;
            failure = e.kind();
        }
        return add(new Op(
                nextSeq(),
                client,
                phase,
                Op.Type.FIND,
                request.id(),
                request.source(),
                request.destination(),
                request.amount(),
                request.reference(),
                false,
                outcome,
                t,
                null,
                failure,
                null,
                start,
                System.nanoTime(),
                request));
    }

    /** Records a snapshot read: the balances, or null when the read failed. */
    public Op read(
            int client,
            String phase,
            long start,
            @Nullable Map<String, Long> balances,
            LedgerUnavailableException.@Nullable Kind failure) {
        return add(new Op(
                nextSeq(),
                client,
                phase,
                Op.Type.READ,
                null,
                null,
                null,
                0,
                null,
                false,
                balances == null ? Op.Outcome.FAILED : Op.Outcome.OK,
                null,
                null,
                failure,
                balances,
                start,
                System.nanoTime(),
                null));
    }

    /** Shorthand used by clients: the request for an id. */
    static TransferRequest request(UUID id, AccountId from, AccountId to, long amount, String reference) {
        return TransferRequest.of(from, to, amount, Bank.CURRENCY).withId(id).withReference(reference);
    }
}
