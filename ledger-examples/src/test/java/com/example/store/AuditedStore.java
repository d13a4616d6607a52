package com.example.store;

import dev.ledger.core.BatchMode;
import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.core.spi.AppendResult;
import dev.ledger.core.spi.TransferDraft;
import dev.ledger.tck.ForwardingLedgerStore;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A third party's store, outside the ledger's packages: the in-memory store with an audit trail of the transfers
 * appended through it, in the order it recorded them. {@link AuditedStoreContractTest} runs the published TCK on it.
 */
public final class AuditedStore extends ForwardingLedgerStore {
    private final List<UUID> trail = new CopyOnWriteArrayList<>();

    public AuditedStore() {
        super(new InMemoryLedgerStore());
    }

    @Override
    public AppendResult append(TransferDraft draft) {
        return audited(delegate.append(draft));
    }

    @Override
    public List<AppendResult> appendBatch(List<TransferDraft> drafts, BatchMode mode) {
        List<AppendResult> results = delegate.appendBatch(drafts, mode);
        results.forEach(this::audited);
        return results;
    }

    /** The ids of the transfers this store recorded (not replays, not rejections), oldest first. */
    public List<UUID> trail() {
        return List.copyOf(trail);
    }

    private AppendResult audited(AppendResult result) {
        if (result instanceof AppendResult.Recorded recorded) {
            trail.add(recorded.transfer().id());
        }
        return result;
    }
}
