package dev.ledger.spring;

import dev.ledger.core.Coalescing;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerListener;
import dev.ledger.core.RetryPolicy;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.postgres.PostgresLedgerStore;
import dev.ledger.postgres.SummarizerListener;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * A {@link PostgresLedgerStore} on the application's {@link DataSource} and a {@link Ledger} on it, each replaced by a
 * bean of the application's own; the balance summariser scheduled on an injectable executor (the health indicator is
 * {@link LedgerHealthAutoConfiguration}). Properties: {@link LedgerProperties}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(PostgresLedgerStore.class)
@EnableConfigurationProperties(LedgerProperties.class)
public class LedgerAutoConfiguration {
    /** The name of an application {@code ScheduledExecutorService} bean to run the summariser on. */
    public static final String EXECUTOR_BEAN = "ledgerSummarizerExecutor";

    /** The store; the application's DataSource stays the application's (the store never closes it). */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(LedgerStore.class)
    @ConditionalOnBean(DataSource.class)
    public PostgresLedgerStore ledgerStore(
            DataSource dataSource, LedgerProperties properties, ObjectProvider<SummarizerListener> summarizerListener) {
        LedgerProperties.Summarizer summarizer = properties.getSummarizer();
        PostgresLedgerStore.Builder builder = PostgresLedgerStore.builder()
                .dataSource(dataSource)
                .schema(properties.getSchema())
                .migrateOnStart(properties.isMigrateOnStart())
                .summarizeEvery(Duration.ZERO) // scheduled below, on an executor the container owns
                .sealLag(summarizer.getSealLag())
                .summaryWaitLimit(summarizer.getWaitLimit());
        summarizerListener.ifUnique(builder::summarizerListener);
        return builder.build();
    }

    /** The ledger on the store (the application's store bean, if it defines one); the store's bean closes it. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean(Ledger.class)
    @ConditionalOnBean(LedgerStore.class)
    public Ledger ledger(LedgerStore store, LedgerProperties properties, ObjectProvider<LedgerListener> listener) {
        LedgerProperties.Retry retry = properties.getRetry();
        RetryPolicy policy = RetryPolicy.builder()
                .maxAttempts(retry.getMaxAttempts())
                .initialBackoff(retry.getInitialBackoff())
                .maxBackoff(retry.getMaxBackoff())
                .multiplier(retry.getMultiplier())
                .build();
        LedgerProperties.Coalescing coalescing = properties.getCoalescing();
        Ledger.Builder builder = Ledger.builder(store)
                .retryPolicy(policy)
                .coalescing(
                        coalescing.isEnabled()
                                ? Coalescing.natural(coalescing.getMaxBatchSize(), coalescing.getMaxConcurrentBatches())
                                : Coalescing.off());
        listener.ifUnique(builder::listener);
        return builder.build();
    }

    /** Schedules the summariser, on the application's {@value #EXECUTOR_BEAN} bean if there is one. */
    @Bean
    @ConditionalOnBean(PostgresLedgerStore.class)
    @ConditionalOnProperty(prefix = "ledger.summarizer", name = "enabled", matchIfMissing = true)
    public SummarizerSchedule ledgerSummarizerSchedule(
            PostgresLedgerStore store,
            LedgerProperties properties,
            @Qualifier(EXECUTOR_BEAN) ObjectProvider<ScheduledExecutorService> executor) {
        ScheduledExecutorService given = executor.getIfAvailable();
        ScheduledExecutorService used = given != null
                ? given
                : Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "ledger-summarizer-" + store.schema());
                    t.setDaemon(true);
                    return t;
                });
        return new SummarizerSchedule(
                store, used, given == null, properties.getSummarizer().getInterval());
    }
}
