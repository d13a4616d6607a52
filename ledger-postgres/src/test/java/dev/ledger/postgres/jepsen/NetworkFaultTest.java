package dev.ledger.postgres.jepsen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.core.Ledger;
import dev.ledger.postgres.LedgerDatabase;
import dev.ledger.postgres.PostgresLedgerStore;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Network faults: the library's pool reaches PostgreSQL through a {@link TcpProxy} that, on a seeded schedule, adds
 * latency, freezes every connection (for up to 6 s, beyond the 3 s socket timeout) and resets one or all connections.
 * Short statement and lock timeouts on the server, socket and connect timeouts in the driver: every operation must end
 * (ok, rejected or unknown), and after healing the checker must pass. Short form 20 s.
 */
class NetworkFaultTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(10);

    @Test
    void bank_latencyFreezesAndResets_everyOperationEndsAndCheckerPasses() throws Exception {
        FaultRun run = FaultRun.start("network", Duration.ofSeconds(20));
        String schema = DB.newSchemaName();
        PostgresLedgerStore.migrate(DB.dataSource(), schema);
        AtomicLong faults = new AtomicLong();
        try (TcpProxy proxy = new TcpProxy("localhost", TcpProxy.portOf(DB.jdbcUrl()));
                HikariDataSource pool = FaultRun.pool(
                        "jepsen-net", 8, Duration.ofSeconds(3), proxy.url(DB.jdbcUrl(), "ledger-jepsen-net"));
                Ledger ledger = Ledger.builder(PostgresLedgerStore.builder()
                                .dataSource(pool)
                                .schema(schema)
                                .summarizeEvery(Duration.ofMillis(250))
                                .build())
                        .build()) {
            Bank bank = new Bank(ledger, pool, schema, run.seed, 8, 10_000);
            bank.open();
            AtomicBoolean stop = new AtomicBoolean();
            Thread nemesis =
                    new Thread(() -> nemesis(proxy, new SplittableRandom(run.seed ^ 0x0E7L), stop, faults), "nemesis");
            nemesis.start();
            try {
                bank.run(8, run.duration, run.duration.plusMinutes(1), () -> true, Bank::mixed);
            } finally {
                stop.set(true);
                nemesis.join();
                proxy.heal();
            }
            bank.resolve();
            BankChecker.Report report = BankChecker.check(
                    run.fault,
                    run.seed,
                    run.elapsedSeconds(),
                    faults.get(),
                    bank.history(),
                    bank.finalState(DB.dataSource()),
                    bank.setupIds());
            run.finish(report);
            // The nemesis guarantees a fault every 8 s at worst (a 2 s pause, then up to 6 s of freeze): the short form
            // asks for that; the long form for 10 a minute, what its runs have always reached (about 17 on average).
            long floor = run.pick(Math.max(2, run.duration.toSeconds() / 8), 10 * run.duration.toMinutes());
            assertTrue(faults.get() >= floor, "only " + faults + " network faults, fewer than " + floor);
            assertTrue(report.ok() > 0, "nothing succeeded: " + report.line());
        }
    }

    private static void nemesis(TcpProxy proxy, SplittableRandom random, AtomicBoolean stop, AtomicLong faults) {
        while (!stop.get()) {
            pause(stop, 500 + random.nextInt(1500));
            if (stop.get()) {
                break;
            }
            switch (random.nextInt(4)) {
                case 0 -> {
                    proxy.latency(5 + random.nextInt(75));
                    pause(stop, 1_000 + random.nextInt(2_000));
                    proxy.latency(0);
                }
                case 1 -> {
                    proxy.freeze();
                    pause(stop, 500 + random.nextInt(5_500));
                    proxy.heal();
                }
                case 2 -> proxy.resetAll();
                default -> proxy.resetOne(random);
            }
            faults.incrementAndGet();
        }
    }

    private static void pause(AtomicBoolean stop, long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (!stop.get() && System.nanoTime() < end) {
            Bank.sleep(10);
        }
    }
}
