package dev.ledger.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.BatchMode;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.StatementLine;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.TransferResult;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A transfer's metadata: validated, recorded with it, returned wherever the transfer is, part of its content. */
public interface MetadataContract extends LedgerFixture {

    /** Values a store must keep exactly: JSON and SQL syntax, escapes, control characters, non-BMP text. */
    Map<String, String> AWKWARD = Map.of(
            "order.id", "ord_8f2c",
            "json", "\"},\"x\":\"y\\\\",
            "sql", "'); DROP TABLE transfer; --",
            "control", "tab\tnewline\nreturn\r\u0001\u001f",
            "unicode", "ünïcödé € 😀",
            "empty", "",
            "long", "v".repeat(256));

    @Test
    default void transfer_withMetadata_returnedByTransferFindStatementsAndBatches() {
        AccountId bank = openIssuer("bank");
        AccountId alice = openFunded("alice", 100, bank);
        AccountId bob = openAccount("bob");
        Transfer t = transfer(TransferRequest.of(alice, bob, 30, USD).withMetadata(AWKWARD));
        assertEquals(AWKWARD, t.metadata());
        assertEquals(
                List.copyOf(new java.util.TreeMap<>(AWKWARD).keySet()),
                List.copyOf(t.metadata().keySet()),
                "in key order");
        assertEquals(Optional.of(t), ledger().findTransfer(t.id()));
        for (AccountId side : List.of(alice, bob)) {
            StatementLine line = fullStatement(side).stream()
                    .filter(l -> l.transfer().id().equals(t.id()))
                    .findFirst()
                    .orElseThrow();
            assertEquals(t, line.transfer(), "the statement of " + side);
        }
        Transfer plain = transfer(alice, bob, 1);
        assertEquals(Map.of(), plain.metadata());
        assertEquals(Map.of(), ledger().findTransfer(plain.id()).orElseThrow().metadata());

        List<TransferResult> results = ledger().transferBatch(
                        List.of(
                                TransferRequest.of(alice, bob, 2, USD).withMetadata("k", "first"),
                                TransferRequest.of(alice, bob, 3, USD),
                                TransferRequest.of(alice, bob, 4, USD).withMetadata(Map.of("a", "1", "b", "2"))),
                        BatchMode.INDEPENDENT);
        assertEquals(Map.of("k", "first"), recorded(results.get(0)).transfer().metadata());
        assertEquals(Map.of(), recorded(results.get(1)).transfer().metadata());
        assertEquals(
                Map.of("a", "1", "b", "2"), recorded(results.get(2)).transfer().metadata());
        for (TransferResult r : results) {
            assertEquals(
                    Optional.of(recorded(r).transfer()),
                    ledger().findTransfer(recorded(r).transfer().id()));
            books().recorded(recorded(r).transfer());
        }
        assertBalance(alice, 60);
    }

    @SuppressWarnings("NullAway") // passes null on purpose: the rejection is what it checks
    @Test
    default void withMetadata_brokenRules_rejectedNamingTheEntryAndTheRule() {
        AccountId a = AccountId.of("a");
        AccountId b = AccountId.of("b");
        TransferRequest request = TransferRequest.of(a, b, 1, USD);
        Map<String, String> seventeen = new HashMap<>();
        for (int i = 0; i < 17; i++) {
            seventeen.put("k" + i, "v");
        }
        assertRejectedBuilding(RejectionReason.INVALID_METADATA, () -> request.withMetadata(seventeen), "17 entries");
        for (String key : new String[] {"", "Upper", "with space", "k".repeat(65), "é", "a/b"}) {
            assertRejectedBuilding(
                    RejectionReason.INVALID_METADATA, () -> request.withMetadata(key, "v"), "'" + key + "'");
        }
        assertRejectedBuilding(
                RejectionReason.INVALID_METADATA, () -> request.withMetadata("k", "v".repeat(257)), "257 characters");
        assertRejectedBuilding(RejectionReason.INVALID_METADATA, () -> request.withMetadata("k", "nul\u0000"), "NUL");
        assertRejectedBuilding(
                RejectionReason.INVALID_METADATA, () -> request.withMetadata("k", "\ud800"), "unpaired surrogate");
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("k", null);
        assertRejectedBuilding(RejectionReason.MISSING_VALUE, () -> request.withMetadata(nullValue), "'k'");
        assertRejectedBuilding(RejectionReason.MISSING_VALUE, () -> request.withMetadata(null), "metadata");
        // sixteen entries of the longest key and value are fine
        Map<String, String> largest = new HashMap<>();
        for (int i = 0; i < 16; i++) {
            largest.put(String.format("%064d", i), "v".repeat(256));
        }
        assertEquals(16, request.withMetadata(largest).metadata().size());
    }

    private static TransferResult.Recorded recorded(TransferResult result) {
        return assertInstanceOf(TransferResult.Recorded.class, result, String.valueOf(result));
    }

    private static void assertRejectedBuilding(
            RejectionReason reason, org.junit.jupiter.api.function.Executable call, String named) {
        LedgerRejectedException e = assertThrows(LedgerRejectedException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(
                String.valueOf(e.getMessage()).contains(named)
                        && String.valueOf(e.getMessage()).contains(reason.rule()),
                e.getMessage());
    }

    @Test
    default void transfer_sameIdSameMetadataInAnyOrder_replayReturnsOriginal() {
        AccountId bank = openIssuer("bank");
        AccountId bob = openAccount("bob");
        UUID id = UUID.randomUUID();
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");
        Transfer original =
                transfer(TransferRequest.of(bank, bob, 5, USD).withId(id).withMetadata(ab));
        Snapshot before = snapshot();
        assertEquals(
                original,
                ledger().transfer(
                                TransferRequest.of(bank, bob, 5, USD).withId(id).withMetadata(ba)));
        assertEquals(before, snapshot());
        List<TransferResult> replayed = ledger().transferBatch(
                        List.of(TransferRequest.of(bank, bob, 5, USD).withId(id).withMetadata(ba)),
                        BatchMode.INDEPENDENT);
        assertEquals(original, recorded(replayed.get(0)).transfer());
        assertTrue(recorded(replayed.get(0)).replayed());
        assertBalance(bob, 5);
    }

    @Test
    default void transfer_sameIdOtherMetadata_rejectedAsReusedAndRecordsNothing() {
        AccountId bank = openIssuer("bank");
        AccountId bob = openAccount("bob");
        UUID id = UUID.randomUUID();
        transfer(TransferRequest.of(bank, bob, 5, USD).withId(id).withMetadata("a", "1"));
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(
                                TransferRequest.of(bank, bob, 5, USD).withId(id).withMetadata("a", "2")),
                id);
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(TransferRequest.of(bank, bob, 5, USD).withId(id)),
                id);
        UUID plain = UUID.randomUUID();
        transfer(TransferRequest.of(bank, bob, 6, USD).withId(plain));
        assertRejected(
                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                () -> ledger().transfer(TransferRequest.of(bank, bob, 6, USD)
                        .withId(plain)
                        .withMetadata("a", "1")),
                plain);
        assertBalance(bob, 11);
    }
}
