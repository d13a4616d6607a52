package dev.ledger.tck;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.BatchMode;
import dev.ledger.core.ChainHead;
import dev.ledger.core.Coalescing;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.VerificationReport;
import dev.ledger.core.spi.AppendResult;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.core.spi.OpenResult;
import dev.ledger.core.spi.TransferDraft;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A store that forwards every call of the port to another: a test's wrapper overrides only the calls it watches or
 * scripts. {@link #close()} closes the delegate.
 */
public abstract class ForwardingLedgerStore implements LedgerStore {
    protected final LedgerStore delegate;

    protected ForwardingLedgerStore(LedgerStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public OpenResult open(Account account, @Nullable TransferDraft funding) {
        return delegate.open(account, funding);
    }

    @Override
    public AppendResult append(TransferDraft draft) {
        return delegate.append(draft);
    }

    @Override
    public List<AppendResult> appendBatch(List<TransferDraft> drafts, BatchMode mode) {
        return delegate.appendBatch(drafts, mode);
    }

    @Override
    public Coalescing defaultCoalescing() {
        return delegate.defaultCoalescing();
    }

    @Override
    public Optional<Account> findAccount(AccountId id) {
        return delegate.findAccount(id);
    }

    @Override
    public Optional<Transfer> findTransfer(UUID id) {
        return delegate.findTransfer(id);
    }

    @Override
    public java.util.Optional<dev.ledger.core.Balances> balances(AccountId id, @Nullable Instant asOf, Instant now) {
        return delegate.balances(id, asOf, now);
    }

    @Override
    public OptionalLong balance(AccountId id, @Nullable Instant asOf) {
        return delegate.balance(id, asOf);
    }

    @Override
    public StatementPage statement(StatementQuery query, Instant now) {
        return delegate.statement(query, now);
    }

    @Override
    public VerificationReport verify(Collection<ChainHead> trustedHeads) {
        return delegate.verify(trustedHeads);
    }

    @Override
    public List<ChainHead> chainHeads() {
        return delegate.chainHeads();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
