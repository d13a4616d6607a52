package dev.ledger.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RetryPolicy;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.TransferRequest;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The documented meters and observations after real calls on an in-memory ledger. */
class LedgerMetricsTest {
    private static final AccountId BANK = AccountId.of("bank");
    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");
    private static final RetryPolicy NO_SLEEP = RetryPolicy.builder()
            .maxAttempts(3)
            .initialBackoff(Duration.ZERO)
            .maxBackoff(Duration.ZERO)
            .build();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FlakyStore store = new FlakyStore();

    private Ledger funded(Ledger ledger) {
        ledger.open(NewAccount.issuer(BANK, "USD"));
        ledger.open(NewAccount.of(ALICE, "USD").withOpeningBalance(100, BANK));
        ledger.open(NewAccount.of(BOB, "USD"));
        return ledger;
    }

    /** A story touching every meter: 3 opens, 2 recorded (one after 2 conflicts), 1 replay, 3 failures. */
    private void story(Ledger ledger) {
        funded(ledger);
        TransferRequest lunch = TransferRequest.of(ALICE, BOB, 10, "USD").withId(UUID.randomUUID());
        ledger.transfer(lunch);
        ledger.transfer(lunch);
        store.conflicts = 2;
        ledger.transfer(ALICE, BOB, 5, "USD");
        assertThrows(LedgerRejectedException.class, () -> ledger.transfer(ALICE, BOB, 1_000, "USD"));
        store.conflicts = 3;
        assertThrows(LedgerUnavailableException.class, () -> ledger.transfer(ALICE, BOB, 5, "USD"));
        assertThrows(LedgerRejectedException.class, () -> ledger.balance(AccountId.of("nobody")));
        ledger.balance(ALICE);
        ledger.balanceAsOf(ALICE, Instant.now());
        ledger.statement(StatementQuery.of(ALICE));
        store.down = true;
        assertThrows(LedgerUnavailableException.class, () -> ledger.findTransfer(lunch.id()));
    }

    private double count(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    private long calls(String operation, String outcome, String reason) {
        return registry.get(LedgerMetrics.CALLS)
                .tags("operation", operation, "outcome", outcome, "reason", reason)
                .timer()
                .count();
    }

    @Test
    void listener_story_countersAndTimersWithDocumentedNamesAndTags() {
        story(Ledger.builder(store)
                .retryPolicy(NO_SLEEP)
                .listener(LedgerMetrics.listener(registry))
                .build());

        assertEquals(
                1,
                count("ledger.transfers", "outcome", "recorded", "reason", "none") - 1,
                "two recorded: the first and the one after two conflicts");
        assertEquals(1, count("ledger.transfers", "outcome", "replayed", "reason", "none"));
        assertEquals(1, count("ledger.transfers", "outcome", "rejected", "reason", "INSUFFICIENT_FUNDS"));
        assertEquals(1, count("ledger.transfers", "outcome", "unavailable", "reason", "RETRIES_EXHAUSTED"));

        assertEquals(5, count("ledger.conflicts", "operation", "transfer"), "2 + 3");
        assertEquals(4, count("ledger.retries", "operation", "transfer"), "2 + 2: the last conflict is not retried");
        assertEquals(0, count("ledger.conflicts", "operation", "open"));

        assertEquals(
                2,
                registry.get("ledger.transfer.attempts")
                        .tag("outcome", "recorded")
                        .summary()
                        .count());
        assertEquals(
                4,
                registry.get("ledger.transfer.attempts")
                        .tag("outcome", "recorded")
                        .summary()
                        .totalAmount(),
                "1 + 3 attempts");
        assertEquals(
                1,
                registry.get("ledger.transfer.attempts")
                        .tag("outcome", "replayed")
                        .summary()
                        .totalAmount());

        assertEquals(3, calls("open", "success", "none"));
        assertEquals(3, calls("transfer", "success", "none"));
        assertEquals(1, calls("transfer", "rejected", "INSUFFICIENT_FUNDS"));
        assertEquals(1, calls("transfer", "unavailable", "RETRIES_EXHAUSTED"));
        assertEquals(1, calls("balance", "rejected", "ACCOUNT_NOT_FOUND"));
        assertEquals(1, calls("balance", "success", "none"));
        assertEquals(1, calls("balanceAsOf", "success", "none"));
        assertEquals(1, calls("statement", "success", "none"));
        assertEquals(1, calls("findTransfer", "unavailable", "STORE_UNAVAILABLE"));
        assertEquals(0, calls("verify", "success", "none"), "registered up front, at zero");
        Timer transfer = registry.get("ledger.calls")
                .tags("operation", "transfer", "outcome", "success")
                .timer();
        assertTrue(transfer.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0);

        Set<String> names =
                registry.getMeters().stream().map(m -> m.getId().getName()).collect(Collectors.toSet());
        assertEquals(
                Set.of(
                        "ledger.calls",
                        "ledger.transfers",
                        "ledger.transfer.attempts",
                        "ledger.conflicts",
                        "ledger.retries",
                        "ledger.batch.size"),
                names);
        for (Meter meter : registry.find("ledger.calls").meters()) {
            assertEquals(
                    Set.of("operation", "outcome", "reason"),
                    meter.getId().getTags().stream().map(t -> t.getKey()).collect(Collectors.toSet()));
        }
    }

    @Test
    void listener_batch_sizeAndItemOutcomesCounted() {
        Ledger ledger = funded(Ledger.builder(store)
                .retryPolicy(NO_SLEEP)
                .listener(LedgerMetrics.listener(registry))
                .build());
        TransferRequest again = TransferRequest.of(ALICE, BOB, 1, "USD").withId(UUID.randomUUID());
        ledger.transfer(again);
        ledger.transferBatch(
                java.util.List.of(
                        TransferRequest.of(ALICE, BOB, 2, "USD"), again, TransferRequest.of(ALICE, BOB, 1_000, "USD")),
                dev.ledger.core.BatchMode.INDEPENDENT);
        io.micrometer.core.instrument.DistributionSummary sizes =
                registry.get("ledger.batch.size").summary();
        assertEquals(1, sizes.count());
        assertEquals(3, sizes.totalAmount());
        assertEquals(
                2,
                count("ledger.transfers", "outcome", "recorded", "reason", "none"),
                "the single transfer and the batch's new item (an opening balance counts as an open)");
        assertEquals(1, count("ledger.transfers", "outcome", "replayed", "reason", "none"));
        assertEquals(1, count("ledger.transfers", "outcome", "rejected", "reason", "BATCH_ITEM"));
        assertEquals(1, calls("transferBatch", "success", "none"));
    }

    @Test
    void listenerWithObservations_eachCallAnObservationAndCountersStillInTheMeterRegistry() {
        TestObservationRegistry observations = TestObservationRegistry.create();
        Ledger ledger = Ledger.builder(store)
                .retryPolicy(NO_SLEEP)
                .listener(LedgerMetrics.listener(registry, observations))
                .build();
        funded(ledger);
        ledger.transfer(ALICE, BOB, 10, "USD");
        assertThrows(LedgerRejectedException.class, () -> ledger.transfer(ALICE, BOB, 1_000, "USD"));
        store.down = true;
        assertThrows(LedgerUnavailableException.class, () -> ledger.findTransfer(UUID.randomUUID()));
        assertNull(observations.getCurrentObservation(), "every scope was closed");

        TestObservationRegistryAssert.assertThat(observations)
                .hasNumberOfObservationsWithNameEqualTo("ledger.calls", 6)
                .hasHandledContextsThatSatisfy(contexts -> {
                    assertEquals(6, contexts.size());
                    assertEquals("ledger open", contexts.get(0).getContextualName());
                    assertEquals(
                            "open",
                            contexts.get(0)
                                    .getLowCardinalityKeyValue("operation")
                                    .getValue());
                    assertEquals(
                            "success",
                            contexts.get(0).getLowCardinalityKeyValue("outcome").getValue());
                    assertEquals(
                            "none",
                            contexts.get(3).getLowCardinalityKeyValue("reason").getValue());
                    assertEquals(
                            "rejected",
                            contexts.get(4).getLowCardinalityKeyValue("outcome").getValue());
                    assertEquals(
                            "INSUFFICIENT_FUNDS",
                            contexts.get(4).getLowCardinalityKeyValue("reason").getValue());
                    assertNull(contexts.get(4).getError(), "a rejection is not an error");
                    assertEquals(
                            "findTransfer",
                            contexts.get(5)
                                    .getLowCardinalityKeyValue("operation")
                                    .getValue());
                    assertEquals(
                            "STORE_UNAVAILABLE",
                            contexts.get(5).getLowCardinalityKeyValue("reason").getValue());
                    assertTrue(contexts.get(5).getError() instanceof LedgerUnavailableException);
                });
        TestObservationRegistryAssert.assertThat(observations)
                .hasObservationWithNameEqualTo("ledger.calls")
                .that()
                .hasBeenStarted()
                .hasBeenStopped();
        assertEquals(1, count("ledger.transfers", "outcome", "recorded", "reason", "none"));
        assertTrue(registry.find("ledger.calls").meters().isEmpty(), "the call timer is the observation's");
    }

    @Test
    void listenerWithObservations_meterHandler_callTimerFromTheObservation() {
        TestObservationRegistry observations = TestObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(registry));
        Ledger ledger = Ledger.builder(store)
                .listener(LedgerMetrics.listener(registry, observations))
                .build();
        funded(ledger);
        assertEquals(
                3,
                registry.get("ledger.calls")
                        .tags("operation", "open", "outcome", "success", "reason", "none")
                        .timer()
                        .count());
    }

    @Test
    void listener_nullRegistry_failsFast() {
        assertThrows(NullPointerException.class, () -> LedgerMetrics.listener(null));
        assertThrows(NullPointerException.class, () -> LedgerMetrics.listener(registry, null));
    }
}
