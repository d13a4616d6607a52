package dev.ledger.spring;

import dev.ledger.core.LedgerListener;
import dev.ledger.micrometer.LedgerMetrics;
import dev.ledger.micrometer.PostgresStoreMetrics;
import dev.ledger.postgres.SummarizerListener;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Meters for the ledger and its summariser (see docs/metrics.md) when Micrometer and {@code ledger-micrometer} are on
 * the class path and the application has a {@link MeterRegistry}; the registry is looked up when the ledger is built,
 * so this does not depend on the order of the metrics auto-configurations. A {@link LedgerListener} or
 * {@link SummarizerListener} bean of the application's own replaces these.
 */
@AutoConfiguration(before = LedgerAutoConfiguration.class)
@ConditionalOnClass({MeterRegistry.class, LedgerMetrics.class})
public class LedgerMetricsAutoConfiguration {
    /** Counters and timers of every Ledger call; no-op without a registry. */
    @Bean
    @ConditionalOnMissingBean(LedgerListener.class)
    public LedgerListener ledgerMetricsListener(ObjectProvider<MeterRegistry> registry) {
        MeterRegistry meters = registry.getIfUnique();
        return meters == null ? LedgerListener.none() : LedgerMetrics.listener(meters);
    }

    /** The summariser's rounds and lag; no-op without a registry. */
    @Bean
    @ConditionalOnMissingBean(SummarizerListener.class)
    public SummarizerListener ledgerSummarizerMetricsListener(ObjectProvider<MeterRegistry> registry) {
        MeterRegistry meters = registry.getIfUnique();
        return meters == null ? SummarizerListener.none() : PostgresStoreMetrics.summarizerListener(meters);
    }
}
