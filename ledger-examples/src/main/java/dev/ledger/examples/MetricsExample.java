package dev.ledger.examples;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.micrometer.LedgerMetrics;
import dev.ledger.micrometer.PostgresStoreMetrics;
import dev.ledger.postgres.PostgresLedgerStore;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The README's metrics snippet, compiled and run by {@code ReadmeExampleTest}, which also checks that the README shows
 * exactly the tagged region below.
 */
public final class MetricsExample {
    private MetricsExample() {}

    /**
     * Builds a metered ledger on the (migrated) database at {@code url}, records one transfer, runs {@code whileOpen}
     * (the pool's meters go with the pool), and closes it.
     */
    public static void run(String url, MeterRegistry registry, Runnable whileOpen) {
        // tag::metrics[]
        PostgresLedgerStore store = PostgresStoreMetrics.bind(
                        PostgresLedgerStore.builder().jdbcUrl(url), registry)
                .build(); // summariser meters, and hikaricp.* for the owned pool
        Ledger ledger = Ledger.builder(store)
                .listener(LedgerMetrics.listener(registry)) // or (registry, observationRegistry): a span per call
                .build();
        // end::metrics[]
        try (ledger) {
            AccountId bank = AccountId.of("bank");
            AccountId alice = AccountId.of("alice");
            ledger.open(NewAccount.issuer(bank, "USD"));
            ledger.open(NewAccount.of(alice, "USD"));
            ledger.transfer(bank, alice, 1_00, "USD");
            whileOpen.run();
        }
    }
}
