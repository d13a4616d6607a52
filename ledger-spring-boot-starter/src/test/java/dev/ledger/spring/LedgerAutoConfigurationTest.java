package dev.ledger.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RetryPolicy;
import dev.ledger.postgres.PostgresLedgerStore;
import dev.ledger.testing.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The starter on an embedded PostgreSQL, through Spring Boot's ApplicationContextRunner. */
class LedgerAutoConfigurationTest {
    private static PostgresServer server;
    private static String database;
    private static HikariDataSource dataSource;
    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    @BeforeAll
    static void database() {
        server = PostgresServer.get();
        database = ("lt_starter_" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36))
                .toLowerCase(Locale.ROOT);
        server.admin("CREATE DATABASE " + database);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl(database));
        config.setMaximumPoolSize(8);
        config.setPoolName("starter-test");
        dataSource = new HikariDataSource(config);
    }

    @AfterAll
    static void dropDatabase() {
        dataSource.close();
        server.admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    private static ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        LedgerMetricsAutoConfiguration.class,
                        LedgerAutoConfiguration.class,
                        LedgerHealthAutoConfiguration.class))
                .withPropertyValues(
                        "ledger.schema=starter_" + SCHEMAS.incrementAndGet(), "ledger.migrate-on-start=true");
    }

    /** The application's DataSource: a view of the shared pool that the context cannot close. */
    private static ApplicationContextRunner withDataSource() {
        DataSource view = (DataSource) java.lang.reflect.Proxy.newProxyInstance(
                LedgerAutoConfigurationTest.class.getClassLoader(),
                new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    try {
                        return method.invoke(dataSource, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return runner().withBean(DataSource.class, () -> view);
    }

    @Test
    void autoConfiguration_withDataSource_ledgerOnPostgresWorks() {
        withDataSource().withPropertyValues("ledger.summarizer.enabled=false").run(context -> {
            assertThat(context)
                    .hasNotFailed()
                    .hasSingleBean(PostgresLedgerStore.class)
                    .hasSingleBean(Ledger.class)
                    .doesNotHaveBean(SummarizerSchedule.class);
            Ledger ledger = context.getBean(Ledger.class);
            AccountId bank = AccountId.of("bank");
            AccountId alice = AccountId.of("alice");
            ledger.open(NewAccount.issuer(bank, "USD"));
            ledger.open(NewAccount.of(alice, "USD").withOpeningBalance(100, bank));
            ledger.transfer(alice, bank, 30, "USD");
            assertThat(ledger.balance(alice)).isEqualTo(70);
            assertThat(context.getBean(PostgresLedgerStore.class).schema())
                    .isEqualTo(context.getBean(LedgerProperties.class).getSchema());
        });
    }

    @Test
    void userDefinedLedger_wins() {
        Ledger mine = Ledger.inMemory();
        withDataSource().withBean("myLedger", Ledger.class, () -> mine).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Ledger.class);
            assertThat(context.getBean(Ledger.class)).isSameAs(mine);
        });
    }

    @Test
    void noDataSource_noStoreAndNoLedger() {
        runner().run(context -> assertThat(context)
                .hasNotFailed()
                .doesNotHaveBean(PostgresLedgerStore.class)
                .doesNotHaveBean(Ledger.class)
                .doesNotHaveBean(SummarizerSchedule.class));
    }

    @Test
    void badProperties_failStartupNamingTheValue() {
        withDataSource().withPropertyValues("ledger.schema=Not-A-Schema").run(context -> assertThat(context)
                .getFailure()
                .rootCause()
                .hasMessageContaining("Not-A-Schema")
                .hasMessageContaining("schema must match"));
        withDataSource().withPropertyValues("ledger.retry.max-attempts=0").run(context -> assertThat(context)
                .getFailure()
                .rootCause()
                .hasMessageContaining("maxAttempts")
                .hasMessageContaining("0"));
        withDataSource().withPropertyValues("ledger.summarizer.interval=0s").run(context -> assertThat(context)
                .getFailure()
                .rootCause()
                .hasMessageContaining("ledger.summarizer.interval"));
        withDataSource()
                .withPropertyValues("ledger.coalescing.max-batch-size=9000")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("maxBatchSize 9000")
                        .hasMessageContaining("8192"));
    }

    @Test
    void coalescingProperties_defaultsAreTheLibrarysDefaults() {
        LedgerProperties.Coalescing coalescing = new LedgerProperties().getCoalescing();
        dev.ledger.core.Coalescing defaults = dev.ledger.core.Coalescing.natural();
        assertThat(coalescing.isEnabled()).isTrue();
        assertThat(coalescing.getMaxBatchSize()).isEqualTo(defaults.maxBatchSize());
        assertThat(coalescing.getMaxConcurrentBatches()).isEqualTo(defaults.maxConcurrentBatches());
    }

    @Test
    void retryProperties_defaultsAreTheLibrarysDefaults() {
        LedgerProperties.Retry retry = new LedgerProperties().getRetry();
        RetryPolicy defaults = RetryPolicy.defaults();
        assertThat(retry.getMaxAttempts()).isEqualTo(defaults.maxAttempts());
        assertThat(retry.getInitialBackoff()).isEqualTo(defaults.initialBackoff());
        assertThat(retry.getMaxBackoff()).isEqualTo(defaults.maxBackoff());
        assertThat(retry.getMultiplier()).isEqualTo(defaults.multiplier());
    }

    @Test
    void summarizer_runsOnTheApplicationsExecutorAndStopsWithTheContext() {
        AtomicInteger rounds = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean shutDownNow = new java.util.concurrent.atomic.AtomicBoolean();
        ScheduledThreadPoolExecutor executor =
                new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(
                            () -> {
                                rounds.incrementAndGet();
                                r.run();
                            },
                            "app-summarizer");
                    t.setDaemon(true);
                    return t;
                }) {
                    @Override
                    public java.util.List<Runnable> shutdownNow() {
                        shutDownNow.set(true);
                        return super.shutdownNow();
                    }
                };
        try {
            withDataSource()
                    .withBean(
                            LedgerAutoConfiguration.EXECUTOR_BEAN,
                            java.util.concurrent.ScheduledExecutorService.class,
                            () -> executor)
                    .withPropertyValues("ledger.summarizer.interval=20ms", "ledger.summarizer.seal-lag=1ms")
                    .run(context -> {
                        assertThat(context).hasNotFailed().hasSingleBean(SummarizerSchedule.class);
                        assertThat(context.getBean(SummarizerSchedule.class).ownsExecutor())
                                .isFalse();
                        Ledger ledger = context.getBean(Ledger.class);
                        ledger.open(NewAccount.issuer(AccountId.of("bank"), "USD"));
                        ledger.open(NewAccount.of(AccountId.of("alice"), "USD")
                                .withOpeningBalance(5, AccountId.of("bank")));
                        PostgresLedgerStore store = context.getBean(PostgresLedgerStore.class);
                        for (int i = 0; i < 500 && store.summarizedThrough().isEmpty(); i++) {
                            Thread.sleep(10);
                        }
                        assertThat(store.summarizedThrough()).isPresent();
                        assertThat(executor.getQueue()).hasSize(1);
                    });
            assertThat(rounds.get()).isPositive();
            assertThat(executor.getQueue()).isEmpty(); // the schedule was cancelled when the context closed
            assertThat(shutDownNow).isFalse(); // and the application's executor left to the application's own bean
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void health_upThenDownWhenTheSchemaLacksAMigration() {
        withDataSource().withPropertyValues("ledger.summarizer.enabled=false").run(context -> {
            LedgerHealthIndicator indicator = context.getBean(LedgerHealthIndicator.class);
            Health up = indicator.health();
            assertThat(up.getStatus()).isEqualTo(Status.UP);
            String schema = context.getBean(PostgresLedgerStore.class).schema();
            assertThat(up.getDetails()).containsEntry("schema", schema);
            try (Connection c = dataSource.getConnection();
                    Statement st = c.createStatement()) {
                st.execute("UPDATE " + schema + ".flyway_schema_history SET checksum = checksum + 1"
                        + " WHERE version IS NULL AND description = '4 writes'");
            }
            Health down = indicator.health();
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            assertThat(String.valueOf(down.getDetails().get("error"))).contains("4 writes");
        });
    }

    @Test
    void health_summariesLaggingBeyondMax_degraded() {
        withDataSource()
                .withPropertyValues(
                        "ledger.summarizer.enabled=false",
                        "ledger.summarizer.max-lag=1ms",
                        "ledger.summarizer.seal-lag=1ms")
                .run(context -> {
                    Ledger ledger = context.getBean(Ledger.class);
                    ledger.open(NewAccount.issuer(AccountId.of("bank"), "USD"));
                    ledger.open(
                            NewAccount.of(AccountId.of("alice"), "USD").withOpeningBalance(5, AccountId.of("bank")));
                    PostgresLedgerStore store = context.getBean(PostgresLedgerStore.class);
                    for (int i = 0; i < 200 && store.summarizedThrough().isEmpty(); i++) {
                        Thread.sleep(5);
                        store.summarize();
                    }
                    Thread.sleep(20);
                    assertThat(context.getBean(LedgerHealthIndicator.class)
                                    .health()
                                    .getStatus()
                                    .getCode())
                            .isEqualTo(LedgerHealthIndicator.DEGRADED);
                });
    }

    @Test
    void micrometer_registryPresent_ledgerAndSummarizerMetered() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        withDataSource()
                .withBean(io.micrometer.core.instrument.MeterRegistry.class, () -> registry)
                .withPropertyValues("ledger.summarizer.enabled=false", "ledger.summarizer.seal-lag=1ms")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Ledger ledger = context.getBean(Ledger.class);
                    ledger.open(NewAccount.issuer(AccountId.of("bank"), "USD"));
                    ledger.open(NewAccount.of(AccountId.of("alice"), "USD"));
                    ledger.transfer(AccountId.of("bank"), AccountId.of("alice"), 5, "USD");
                    context.getBean(PostgresLedgerStore.class).summarize();
                    assertThat(registry.get("ledger.transfers")
                                    .tag("outcome", "recorded")
                                    .counter()
                                    .count())
                            .isEqualTo(1.0);
                    assertThat(registry.find("ledger.summarizer.rounds").timers())
                            .isNotEmpty();
                });
    }

    @Test
    void micrometer_absent_contextStartsWithoutMeters() {
        withDataSource()
                .withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader(
                        io.micrometer.core.instrument.MeterRegistry.class))
                .withPropertyValues("ledger.summarizer.enabled=false")
                .run(context -> {
                    assertThat(context)
                            .hasNotFailed()
                            .hasSingleBean(Ledger.class)
                            .doesNotHaveBean(LedgerMetricsAutoConfiguration.class);
                    Ledger ledger = context.getBean(Ledger.class);
                    ledger.open(NewAccount.issuer(AccountId.of("bank"), "USD"));
                    assertThat(ledger.account(AccountId.of("bank"))).isPresent();
                });
    }
}
