package dev.ledger.spring;

import dev.ledger.postgres.PostgresLedgerStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@link LedgerHealthIndicator}, when Spring Boot's health module is on the class path. */
@AutoConfiguration(after = LedgerAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
public class LedgerHealthAutoConfiguration {
    /** The ledger's health: database reachable, schema current, summaries' lag. */
    @Bean
    @ConditionalOnBean(PostgresLedgerStore.class)
    @ConditionalOnMissingBean(name = "ledgerHealthIndicator")
    public LedgerHealthIndicator ledgerHealthIndicator(PostgresLedgerStore store, LedgerProperties properties) {
        return new LedgerHealthIndicator(store, properties.getSummarizer().getMaxLag());
    }
}
