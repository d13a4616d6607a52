package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.fuzz.ApiFuzzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The public API fuzz run of {@link PostgresPublicApiFuzzTest} on the store distributed on a real Citus cluster, with
 * 150 calls (300 on one node; CI's time).
 */
class CitusPublicApiFuzzTest {
  @RegisterExtension
  static final CitusCluster CLUSTER = new CitusCluster();

  @Test
  void publicApi_randomAndMalformedInput_onlyResultsOrRejectionsAndRejectionsRecordNothing() {
    long seed = Long.getLong("ledger.test.seed", System.nanoTime());
    System.out.println("CitusPublicApiFuzzTest seed=" + seed + " (replay with -Dledger.test.seed=" + seed + ")");
    ApiFuzzer fuzzer = new ApiFuzzer(CLUSTER.newStore(), seed);
    fuzzer.run(150);
    System.out.println("CitusPublicApiFuzzTest: " + fuzzer.accepted() + " accepted, " + fuzzer.rejected()
        + " rejected, " + fuzzer.recordedTransfers() + " transfers recorded");
    assertTrue(fuzzer.accepted() > 30 && fuzzer.rejected() > 30, fuzzer.accepted() + " / " + fuzzer.rejected());
  }
}
