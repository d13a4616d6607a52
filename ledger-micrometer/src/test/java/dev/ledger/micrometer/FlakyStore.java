package dev.ledger.micrometer;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.BatchMode;
import dev.ledger.core.ChainHead;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.VerificationReport;
import dev.ledger.core.memory.InMemoryLedgerStore;
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
 * An in-memory store (a test double of the port, not of a database) whose next {@link #conflicts} appends lose
 * their index slot, and whose {@code findTransfer} fails while {@link #down} is set.
 */
final class FlakyStore implements LedgerStore {
  private final InMemoryLedgerStore delegate = new InMemoryLedgerStore();
  volatile int conflicts;
  volatile boolean down;

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
    List<AppendResult> results = new java.util.ArrayList<>(drafts.size());
    for (TransferDraft draft : drafts) {
      results.add(append(draft)); // the scripted conflicts reach coalesced calls too
    }
    return results;
  }

  @Override
  public OpenResult open(Account account, @Nullable TransferDraft funding) {
    return delegate.open(account, funding);
  }

  @Override
  public Optional<Account> findAccount(AccountId id) {
    return delegate.findAccount(id);
  }

  @Override
  public Optional<Transfer> findTransfer(UUID id) {
    if (down) {
      throw new LedgerUnavailableException(LedgerUnavailableException.Kind.STORE_UNAVAILABLE, "down (scripted)",
          null);
    }
    return delegate.findTransfer(id);
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
