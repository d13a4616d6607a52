package dev.ledger.core;

import dev.ledger.core.spi.AppendResult;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.core.spi.OpenResult;
import dev.ledger.core.spi.TransferDraft;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A fake of the {@link LedgerStore} port (not of any database) whose answers a test scripts, recording what the ledger
 * asked. By default it answers as an empty store would, and conflicts on every write.
 */
final class ScriptedStore implements LedgerStore {
    final List<TransferDraft> appends = new ArrayList<>();
    final List<Account> opens = new ArrayList<>();
    final List<@Nullable TransferDraft> fundings = new ArrayList<>();
    int statementCalls;
    int closeCalls;

    Function<TransferDraft, AppendResult> onAppend = draft -> new AppendResult.Conflict("index taken");
    BiFunction<Account, @Nullable TransferDraft, OpenResult> onOpen =
            (account, funding) -> new OpenResult.Conflict("issuer index taken");
    Function<AccountId, Optional<Account>> onFindAccount = id -> Optional.empty();
    Function<UUID, Optional<Transfer>> onFindTransfer = id -> Optional.empty();
    BiFunction<AccountId, @Nullable Instant, OptionalLong> onBalance = (id, asOf) -> OptionalLong.empty();

    @Override
    public OpenResult open(Account account, @Nullable TransferDraft funding) {
        opens.add(account);
        fundings.add(funding);
        return onOpen.apply(account, funding);
    }

    @Override
    public AppendResult append(TransferDraft draft) {
        appends.add(draft);
        return onAppend.apply(draft);
    }

    @Override
    public List<AppendResult> appendBatch(List<TransferDraft> drafts, BatchMode mode) {
        List<AppendResult> results = new ArrayList<>();
        for (TransferDraft draft : drafts) {
            results.add(append(draft));
        }
        return results;
    }

    @Override
    public Optional<Account> findAccount(AccountId id) {
        return onFindAccount.apply(id);
    }

    @Override
    public Optional<Transfer> findTransfer(UUID id) {
        return onFindTransfer.apply(id);
    }

    @Override
    public java.util.Optional<dev.ledger.core.Balances> balances(AccountId id, @Nullable Instant asOf, Instant now) {
        throw new UnsupportedOperationException("balances is not scripted");
    }

    @Override
    public OptionalLong balance(AccountId id, @Nullable Instant asOf) {
        return onBalance.apply(id, asOf);
    }

    @Override
    public StatementPage statement(StatementQuery query, Instant now) {
        statementCalls++;
        return new StatementPage(List.of(), null);
    }

    @Override
    public VerificationReport verify(java.util.Collection<ChainHead> trustedHeads) {
        throw new UnsupportedOperationException("not scripted");
    }

    @Override
    public List<ChainHead> chainHeads() {
        throw new UnsupportedOperationException("not scripted");
    }

    @Override
    public void close() {
        closeCalls++;
    }
}
