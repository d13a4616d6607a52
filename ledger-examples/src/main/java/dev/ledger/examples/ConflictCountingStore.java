package dev.ledger.examples;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.ChainHead;
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
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A {@link LedgerStore} decorator that counts the attempts its delegate answered with a conflict (an index slot
 * lost to a concurrent debit), which the {@code Ledger} then retried. The quickstart prints the count to show
 * that races happen and are absorbed. Thread-safe if the delegate is.
 */
final class ConflictCountingStore implements LedgerStore {
  private final LedgerStore delegate;
  private final AtomicLong conflicts = new AtomicLong();

  ConflictCountingStore(LedgerStore delegate) {
    this.delegate = delegate;
  }

  /** Conflicts reported since the last call, and resets the count. */
  long takeConflicts() {
    return conflicts.getAndSet(0);
  }

  @Override
  public OpenResult open(Account account, @Nullable TransferDraft funding) {
    OpenResult result = delegate.open(account, funding);
    if (result instanceof OpenResult.Conflict) {
      conflicts.incrementAndGet();
    }
    return result;
  }

  @Override
  public AppendResult append(TransferDraft draft) {
    AppendResult result = delegate.append(draft);
    if (result instanceof AppendResult.Conflict) {
      conflicts.incrementAndGet();
    }
    return result;
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
  public VerificationReport verify(Collection<ChainHead> trustedHeads) {
    return delegate.verify(trustedHeads);
  }

  @Override
  public List<ChainHead> chainHeads() {
    return delegate.chainHeads();
  }

  @Override
  public OptionalLong balance(AccountId id, @Nullable Instant asOf) {
    return delegate.balance(id, asOf);
  }

  @Override
  public StatementPage statement(StatementQuery query) {
    return delegate.statement(query);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
