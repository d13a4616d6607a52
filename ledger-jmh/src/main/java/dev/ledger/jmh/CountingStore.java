package dev.ledger.jmh;

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

/**
 * A pass-through {@link LedgerStore} that counts the ledger's append attempts and the conflicts it retries
 * (classified by the SQLSTATE the PostgreSQL store puts in the conflict's detail). Costs two counter increments
 * per attempt; everything else goes straight to the delegate.
 */
final class CountingStore implements LedgerStore {
  private final LedgerStore delegate;
  private final Counters counters;

  CountingStore(LedgerStore delegate, Counters counters) {
    this.delegate = delegate;
    this.counters = counters;
  }

  @Override
  public AppendResult append(TransferDraft draft) {
    counters.attempts.increment();
    AppendResult result = delegate.append(draft);
    if (result instanceof AppendResult.Conflict conflict) {
      counters.retries.increment();
      String detail = conflict.detail();
      if (detail.contains("40P01")) {
        counters.deadlocks.increment();
      } else if (detail.contains("40001")) {
        counters.serializationFailures.increment();
      }
    }
    return result;
  }

  @Override
  public OpenResult open(Account account, TransferDraft funding) {
    return delegate.open(account, funding);
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
  public OptionalLong balance(AccountId id, Instant asOf) {
    return delegate.balance(id, asOf);
  }

  @Override
  public StatementPage statement(StatementQuery query) {
    return delegate.statement(query);
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
