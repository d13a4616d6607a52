package dev.ledger.tck.memory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.tck.ApiFuzzer;
import org.junit.jupiter.api.Test;

/** Seeded random and malformed input through the public API of a ledger on the in-memory store. */
class PublicApiFuzzTest {
    @Test
    void publicApi_randomAndMalformedInput_onlyResultsOrRejectionsAndRejectionsRecordNothing() {
        long seed = Long.getLong("ledger.test.seed", System.nanoTime());
        System.out.println("PublicApiFuzzTest seed=" + seed + " (replay with -Dledger.test.seed=" + seed + ")");
        ApiFuzzer fuzzer = new ApiFuzzer(new InMemoryLedgerStore(), seed);
        fuzzer.run(6_000);
        System.out.println("PublicApiFuzzTest: " + fuzzer.accepted() + " accepted, " + fuzzer.rejected() + " rejected, "
                + fuzzer.recordedTransfers() + " transfers recorded");
        assertTrue(fuzzer.recordedTransfers() > 50, "too few transfers recorded: " + fuzzer.recordedTransfers());
        assertTrue(fuzzer.accepted() > 300, "too few calls accepted to mean anything: " + fuzzer.accepted());
        assertTrue(fuzzer.rejected() > 300, "too few calls rejected to mean anything: " + fuzzer.rejected());
    }
}
