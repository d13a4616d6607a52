package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Coalescing;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The worst moment for an upper limit: append_transfers has found its batch's capped destinations (none: the
 * destination does not exist yet) and waits for a source's row lock; meanwhile the destination is opened with a cap.
 * When the wait ends, the call's later reads see a capped account it did not lock. It must not credit it (it could not
 * check the cap against concurrent credits): the transfer is decided as of its locks, when the account did not exist.
 */
class CappedDestinationRaceTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase();

    @Test
    void transfer_capOpenedWhileWaitingForTheSourceLock_notCreditedUnlocked() throws Exception {
        PostgresLedgerStore store = DB.newStore();
        String s = store.schema();
        Ledger ledger = Ledger.builder(store).coalescing(Coalescing.off()).build();
        AccountId bank = AccountId.of("bank");
        AccountId alice = AccountId.of("alice");
        AccountId wallet = AccountId.of("wallet");
        ledger.open(NewAccount.issuer(bank, "USD"));
        ledger.open(NewAccount.of(alice, "USD").withOpeningBalance(100, bank));
        CompletableFuture<Transfer> paused;
        try (Connection holder = DB.server().connect(DB.name());
                Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("SELECT id FROM " + s + ".account WHERE id = 'alice' FOR NO KEY UPDATE");
            paused = CompletableFuture.supplyAsync(() -> ledger.transfer(TransferRequest.of(alice, wallet, 10, "USD")));
            DB.awaitAppendWaitingOnALock(s);
            ledger.open(NewAccount.of(wallet, "USD").withUpperLimit(15));
            holder.commit();
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> paused.get(30, TimeUnit.SECONDS));
        LedgerRejectedException refused = assertInstanceOf(LedgerRejectedException.class, e.getCause());
        assertEquals(RejectionReason.DESTINATION_NOT_FOUND, refused.reason(), refused.getMessage());
        assertTrue(refused.getMessage().contains("opened while this transfer was being decided"), refused.getMessage());
        assertEquals(0, ledger.balance(wallet), "nothing credited to the wallet it did not lock");
        assertEquals(100, ledger.balance(alice));
        // (without the guard the paused call credited 10 without the wallet's lock: within the cap alone, but unchecked
        // against any concurrent credit). Now, with the wallet locked: 10 fits under 15, a second 10 does not.
        assertEquals(
                10,
                ledger.transfer(TransferRequest.of(alice, wallet, 10, "USD")).amount());
        LedgerRejectedException capped = assertThrows(
                LedgerRejectedException.class, () -> ledger.transfer(TransferRequest.of(alice, wallet, 10, "USD")));
        assertEquals(RejectionReason.UPPER_LIMIT_EXCEEDED, capped.reason(), capped.getMessage());
        assertTrue(ledger.verify().ok(), ledger.verify().describe());
    }
}
