package com.example.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example store's own behaviour, beyond the contract: its audit trail. */
class AuditedStoreTest {
    @Test
    void trail_transfersAndAReplay_eachRecordedTransferOnceInOrder() {
        AuditedStore store = new AuditedStore();
        try (Ledger ledger = Ledger.builder(store).build()) {
            AccountId bank = AccountId.of("bank");
            AccountId alice = AccountId.of("alice");
            ledger.open(NewAccount.issuer(bank, "EUR"));
            ledger.open(NewAccount.of(alice, "EUR"));
            Transfer first = ledger.transfer(TransferRequest.of(bank, alice, 5, "EUR"));
            ledger.transfer(
                    TransferRequest.of(bank, alice, 5, "EUR").withId(first.id())); // a replay: not recorded again
            Transfer second = ledger.transfer(TransferRequest.of(bank, alice, 7, "EUR"));

            assertEquals(List.of(first.id(), second.id()), store.trail());
            assertEquals(12, ledger.balance(alice));
        }
    }
}
