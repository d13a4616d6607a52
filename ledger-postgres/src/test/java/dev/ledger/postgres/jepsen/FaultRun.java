package dev.ledger.postgres.jepsen;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The settings of one fault test run, from system properties:
 *
 * <ul>
 *   <li>{@code -Dledger.test.seed=N}: the seed (default: random, printed so a failure can be replayed);
 *   <li>{@code -Dledger.test.long=true}: the long form (default: the short form that {@code ./mvnw verify} runs);
 *   <li>{@code -Dledger.test.faultMinutes=N}: minutes per fault type in the long form (default 10).
 * </ul>
 */
public final class FaultRun {
    public final String fault;
    public final long seed;
    public final boolean longForm;
    public final Duration duration;
    private final long startedNanos = System.nanoTime();

    private FaultRun(String fault, Duration shortDuration) {
        this.fault = fault;
        this.seed = Long.getLong("ledger.test.seed", System.nanoTime());
        this.longForm = Boolean.getBoolean("ledger.test.long");
        this.duration = longForm ? Duration.ofMinutes(Long.getLong("ledger.test.faultMinutes", 10)) : shortDuration;
        System.out.println("FAULT " + fault + ": seed=" + seed + " form=" + (longForm ? "long" : "short") + " duration="
                + duration.toSeconds() + "s (replay with -Dledger.test.seed=" + seed + ")");
    }

    /** Starts a run and prints its seed. */
    public static FaultRun start(String fault, Duration shortDuration) {
        return new FaultRun(fault, shortDuration);
    }

    /** Short form or long form value. */
    public long pick(long shortValue, long longValue) {
        return longForm ? longValue : shortValue;
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** Prints the report's line, appends it to target/fault-figures.txt, and fails unless it is valid. */
    public void finish(BankChecker.Report report) {
        System.out.println(report);
        try {
            Files.writeString(
                    Path.of("target", "fault-figures.txt"),
                    java.time.Instant.now() + " " + (longForm ? "long " : "short ") + report.line()
                            + System.lineSeparator(),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("could not append to target/fault-figures.txt: " + e);
        }
        if (!report.valid()) {
            throw new AssertionError(report.toString());
        }
    }

    /** A HikariCP pool for the store under test (the library's connections). */
    public static HikariDataSource pool(String name, int size, Duration connectionTimeout, String jdbcUrl) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        return pool(config, name, size, connectionTimeout);
    }

    /** A HikariCP pool over {@code dataSource}. */
    public static HikariDataSource pool(String name, int size, Duration connectionTimeout, DataSource dataSource) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(dataSource);
        return pool(config, name, size, connectionTimeout);
    }

    private static HikariDataSource pool(HikariConfig config, String name, int size, Duration connectionTimeout) {
        config.setPoolName(name);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(connectionTimeout.toMillis());
        config.setValidationTimeout(Math.max(250, Math.min(connectionTimeout.toMillis() - 1, 1_000)));
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }
}
