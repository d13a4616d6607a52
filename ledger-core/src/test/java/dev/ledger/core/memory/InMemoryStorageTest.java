package dev.ledger.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.StatementCursor;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store's primitive storage across its chunk boundaries: transfers past the first chunks of the transfer
 * table and the first blocks of the account logs read back exactly as recorded.
 */
class InMemoryStorageTest {

    @Test
    void transfer_thousandsAcrossChunkBoundaries_readBackAsRecorded() {
        try (Ledger ledger = Ledger.inMemory()) {
            AccountId bank = AccountId.of("bank");
            AccountId alice = AccountId.of("alice");
            AccountId bob = AccountId.of("bob");
            ledger.open(NewAccount.issuer(bank, "USD"));
            ledger.open(NewAccount.of(alice, "USD"));
            ledger.open(NewAccount.of(bob, "USD"));
            List<Transfer> recorded = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                AccountId destination = i % 3 == 0 ? bob : alice;
                String reference = i % 7 == 0 ? "r" + i : null;
                recorded.add(ledger.transfer(
                        new TransferRequest(UUID.randomUUID(), bank, destination, 1 + i, "USD", reference)));
            }
            long aliceBalance = 0;
            for (Transfer t : recorded) {
                assertEquals(Optional.of(t), ledger.findTransfer(t.id()));
                if (t.destination().equals(alice)) {
                    aliceBalance += t.amount();
                }
            }
            assertEquals(aliceBalance, ledger.balance(alice));
            List<Transfer> statement = new ArrayList<>();
            StatementQuery query = StatementQuery.of(alice).limit(StatementQuery.MAX_LIMIT);
            long running = 0;
            while (true) {
                StatementPage page = ledger.statement(query);
                for (StatementLine line : page.lines()) {
                    running += line.change();
                    assertEquals(running, line.balanceAfter(), "running balance at " + line);
                    statement.add(line.transfer());
                }
                if (page.next() == null) {
                    break;
                }
                query = query.after(page.next());
            }
            List<Transfer> expected = new ArrayList<>(
                    recorded.stream().filter(t -> t.destination().equals(alice)).toList());
            expected.sort((a, b) -> StatementCursor.ORDER.compare(StatementCursor.of(a), StatementCursor.of(b)));
            assertEquals(expected, statement, "statement in (recorded time, id) order");
            assertTrue(ledger.verify().ok(), () -> ledger.verify().toString());
        }
    }
}
