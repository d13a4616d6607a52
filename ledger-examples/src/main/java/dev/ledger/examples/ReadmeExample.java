package dev.ledger.examples;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.memory.InMemoryLedgerStore;
import java.time.Instant;
import java.time.InstantSource;
import java.util.UUID;

/**
 * The usage snippet of the README, compiled and run by {@code ReadmeExampleTest}, which also checks that the README
 * shows exactly the region between the {@code tag::usage} and {@code end::usage} markers.
 */
public final class ReadmeExample {
    private ReadmeExample() {}

    /** What the snippet computed. */
    public record Result(Transfer recorded, Transfer replayed, long now, long atOpening, String outcome) {}

    /** Runs the snippet on the in-memory store with a clock that steps one second per reading. */
    public static Result run() {
        InstantSource clock = new SteppingClock(Instant.parse("2026-01-01T09:00:00Z"));
        // tag::usage[]
        Ledger ledger = Ledger.builder(new InMemoryLedgerStore()) // in production: a PostgresLedgerStore
                .clock(clock) // optional; default: the system clock
                .build();

        AccountId bank = AccountId.of("bank");
        AccountId alice = AccountId.of("alice");
        AccountId bob = AccountId.of("bob");
        ledger.open(NewAccount.issuer(bank, "USD")); // money enters the ledger through an issuer
        Account opened = ledger.open(
                NewAccount.of(alice, "USD").withOpeningBalance(100_00, bank)); // amounts are in minor units: 100.00 USD
        ledger.open(NewAccount.of(bob, "USD"));

        TransferRequest lunch = TransferRequest.of(alice, bob, 25_00, "USD")
                .withId(UUID.randomUUID()) // idempotency key: keep it to retry safely
                .withReference("lunch")
                .withMetadata("order.id", "ord_42"); // up to 16 key-value pairs, hashed with the transfer
        Transfer recorded = ledger.transfer(lunch);
        Transfer replayed = ledger.transfer(lunch); // same id: the same transfer, recorded once

        long now = ledger.balance(alice); // 75_00
        long atOpening = ledger.balanceAsOf(alice, opened.openedAt()); // 100_00

        String outcome;
        try {
            ledger.transfer(TransferRequest.of(bob, alice, 1_000_00, "USD"));
            outcome = "sent";
        } catch (LedgerRejectedException e) { // a rule was broken; nothing was recorded
            outcome = switch (e.reason()) {
                case INSUFFICIENT_FUNDS -> "declined: insufficient funds";
                case SOURCE_NOT_FOUND, DESTINATION_NOT_FOUND -> "unknown account";
                default -> throw e;
            };
        }
        ledger.close(); // closes the store
        // end::usage[]
        return new Result(recorded, replayed, now, atOpening, outcome);
    }
}
