package dev.ledger.postgres.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.core.Ledger;
import dev.ledger.postgres.PostgresLedgerStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Crash restarts: a dedicated embedded PostgreSQL 17 (its own data directory, {@code fsync} and
 * {@code synchronous_commit} on, the defaults) is stopped in immediate mode (SIGQUIT to the postmaster, as
 * {@code pg_ctl stop -m immediate} does: no checkpoint, crash recovery on start) and restarted on the same port and
 * data directory while 8 clients run the bank workload. No acknowledged transfer may be lost, and every client must
 * complete an operation within 10 s of the server accepting connections again. Short form: 3 restarts; long form: 20,
 * spread over the duration. This test always uses its own embedded server, whatever {@code ledger.test.jdbcUrl} says.
 */
class CrashRestartFaultTest {
    private static final int CLIENTS = 8;

    @Test
    void bank_serverCrashedAndRestarted_noAcknowledgedTransferLostAndClientsRecover() throws Exception {
        FaultRun run = FaultRun.start("crash-restart", Duration.ofSeconds(0));
        int restarts = (int) run.pick(3, 20);
        long loadMillis = run.longForm ? run.duration.toMillis() / restarts : 3_000;
        Path dir = Files.createTempDirectory("ledger-crash-pg");
        AtomicReference<EmbeddedPostgres> pg = new AtomicReference<>(start(dir, 0));
        int port = pg.get().getPort();
        String url =
                "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres&connectTimeout=2&socketTimeout=10";
        try (HikariDataSource admin = FaultRun.pool("crash-admin", 2, Duration.ofSeconds(5), url);
                HikariDataSource pool = FaultRun.pool("jepsen-crash", CLIENTS, Duration.ofSeconds(2), url);
                Ledger ledger = Ledger.builder(PostgresLedgerStore.builder()
                                .dataSource(pool)
                                .schema("ledger")
                                .migrateOnStart(true)
                                .summarizeEvery(Duration.ofMillis(250))
                                .build())
                        .build()) {
            Bank bank = new Bank(ledger, pool, "ledger", run.seed, 8, 10_000);
            bank.open();
            Restarts nemesis = Restarts.start(
                    bank,
                    CLIENTS,
                    restarts,
                    loadMillis,
                    60,
                    () -> crash(pg.get(), dir),
                    () -> pg.set(start(dir, port)));
            bank.run(CLIENTS, Duration.ZERO, run.duration.plusMinutes(restarts), nemesis::done, Bank::mixed);
            nemesis.awaitEnd();
            List<Double> recoveries = nemesis.recoveries("crash/restart");
            bank.resolve();
            BankChecker.Report report = BankChecker.check(
                    run.fault,
                    run.seed,
                    run.elapsedSeconds(),
                    restarts,
                    bank.history(),
                    bank.finalState(admin),
                    bank.setupIds());
            System.out.println("FAULT crash-restart recovery: seconds until all " + CLIENTS
                    + " clients completed an operation after each restart: " + recoveries);
            run.finish(report);
            assertEquals(restarts, recoveries.size());
            for (double seconds : recoveries) {
                assertTrue(
                        seconds <= 10, "clients took " + seconds + " s to work again after a restart: " + recoveries);
            }
        } finally {
            try {
                pg.get().close();
            } catch (IOException | RuntimeException e) {
                System.out.println("stopping the crash-test server: " + e);
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static EmbeddedPostgres start(Path dir, int port) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setServerConfig("max_connections", "50")
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on");
        if (port > 0) {
            builder.setPort(port);
        }
        return builder.start();
    }

    /** An immediate stop of the server on {@code dir}, then waits for the postmaster to be gone. */
    private static void crash(EmbeddedPostgres server, Path dir) throws Exception {
        long pid = Long.parseLong(
                Files.readAllLines(dir.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        // What pg_ctl stop -m immediate does (pg_ctl itself refuses to run as root, as CI containers often are):
        // SIGQUIT to the postmaster, which kills every backend at once, with no checkpoint.
        Process stop = new ProcessBuilder("kill", "-QUIT", Long.toString(pid))
                .redirectErrorStream(true)
                .start();
        String output = new String(stop.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!stop.waitFor(60, TimeUnit.SECONDS) || stop.exitValue() != 0) {
            throw new IllegalStateException("immediate stop (SIGQUIT to the postmaster " + pid + ") failed: " + output);
        }
        postmaster.onExit().get(60, TimeUnit.SECONDS);
        try {
            server.close(); // releases the data directory lock; its own stop finds no server
        } catch (IOException | RuntimeException ignored) {
            // already stopped
        }
    }
}
