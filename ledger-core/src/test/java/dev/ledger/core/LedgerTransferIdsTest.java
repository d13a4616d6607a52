package dev.ledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.testing.ConcurrentRun;
import dev.ledger.testing.ConcurrentRun.Outcome;
import dev.ledger.testing.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The ids the ledger generates for transfers without one: version 7 UUIDs, unique across threads. */
class LedgerTransferIdsTest {
    private static final Instant T = Instant.parse("2026-07-08T09:10:11.123456Z");

    @Test
    void transfer_withoutId_version7IdCarryingClockMillis() {
        try (Ledger ledger = Ledger.builder(new InMemoryLedgerStore())
                .clock(new MutableClock(T))
                .build()) {
            AccountId bank = AccountId.of("bank");
            ledger.open(NewAccount.issuer(bank, "USD"));
            ledger.open(NewAccount.of(AccountId.of("alice"), "USD").withOpeningBalance(5, bank));
            UUID funding = ledger.statement(StatementQuery.of(bank))
                    .lines()
                    .get(0)
                    .transfer()
                    .id();
            UUID plain = ledger.transfer(bank, AccountId.of("alice"), 1, "USD").id();
            for (UUID id : List.of(funding, plain)) {
                assertEquals(7, id.version(), id::toString);
                assertEquals(2, id.variant(), id::toString);
                assertEquals(
                        T.toEpochMilli(),
                        id.getMostSignificantBits() >>> 16,
                        "the first 48 bits are the clock's millis");
            }
        }
    }

    @Test
    void transfer_withoutIdOnManyThreads_idsAllDistinct() {
        int threads = 4;
        int perThread = 250;
        MutableClock clock = new MutableClock(T);
        try (Ledger ledger =
                Ledger.builder(new InMemoryLedgerStore()).clock(clock).build()) {
            AccountId sink = AccountId.of("sink");
            ledger.open(NewAccount.of(sink, "USD"));
            for (int i = 0; i < threads; i++) {
                ledger.open(NewAccount.issuer(AccountId.of("bank-" + i), "USD"));
            }
            // One source per thread: no contention, so the test measures the ids, not retries.
            List<Outcome<List<UUID>>> outcomes = ConcurrentRun.run(threads, worker -> {
                List<UUID> ids = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    ids.add(ledger.transfer(AccountId.of("bank-" + worker), sink, 1, "USD")
                            .id());
                }
                return ids;
            });
            Set<UUID> all = new HashSet<>();
            for (Outcome<List<UUID>> outcome : outcomes) {
                assertTrue(outcome.succeeded(), () -> "worker failed: " + outcome.error());
                for (UUID id : outcome.value()) {
                    assertEquals(7, id.version(), id::toString);
                    assertTrue(all.add(id), "generated id repeated: " + id);
                }
            }
            assertEquals(threads * perThread, all.size());
            assertEquals(threads * perThread, ledger.balance(sink));
        }
    }
}
