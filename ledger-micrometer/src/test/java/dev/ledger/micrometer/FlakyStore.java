package dev.ledger.micrometer;

import dev.ledger.core.BatchMode;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.Transfer;
import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.core.spi.AppendResult;
import dev.ledger.core.spi.TransferDraft;
import dev.ledger.tck.ForwardingLedgerStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * An in-memory store (a test double of the port, not of a database) whose next {@link #conflicts} appends lose their
 * index slot, and whose {@code findTransfer} fails while {@link #down} is set.
 */
final class FlakyStore extends ForwardingLedgerStore {
    volatile int conflicts;
    volatile boolean down;

    FlakyStore() {
        super(new InMemoryLedgerStore());
    }

    @Override
    public synchronized AppendResult append(TransferDraft draft) {
        if (conflicts > 0) {
            conflicts--;
            return new AppendResult.Conflict("index taken (scripted)");
        }
        return delegate.append(draft);
    }

    @Override
    public synchronized List<AppendResult> appendBatch(List<TransferDraft> drafts, BatchMode mode) {
        if (mode == BatchMode.LINKED) {
            return delegate.appendBatch(drafts, mode);
        }
        List<AppendResult> results = new ArrayList<>(drafts.size());
        for (TransferDraft draft : drafts) {
            results.add(append(draft)); // the scripted conflicts reach coalesced calls too
        }
        return results;
    }

    @Override
    public Optional<Transfer> findTransfer(UUID id) {
        if (down) {
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.STORE_UNAVAILABLE, "down (scripted)", null);
        }
        return delegate.findTransfer(id);
    }
}
