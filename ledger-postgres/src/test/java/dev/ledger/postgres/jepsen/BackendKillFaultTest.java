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
 * Backend kills: while 8 clients run the bank workload, {@code pg_terminate_backend} ends one of the library's
 * connections (chosen by the seed, busy ones first) every 200 ms. Short form 15 s; long form
 * {@code -Dledger.test.long=true} ({@code ledger.test.faultMinutes}, default 10, at least 100 kills).
 */
class BackendKillFaultTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(10);

    private static final String APP = "ledger-jepsen-kill";

    @Test
    void bank_backendsTerminatedEvery200ms_noLostOrDuplicatedTransfers() throws Exception {
        FaultRun run = FaultRun.start("backend-kills", Duration.ofSeconds(15));
        String schema = DB.newSchemaName();
        PostgresLedgerStore.migrate(DB.dataSource(), schema);
        AtomicLong kills = new AtomicLong();
        try (HikariDataSource pool = FaultRun.pool(
                        "jepsen-kill", 8, Duration.ofSeconds(3), DB.jdbcUrl() + "&ApplicationName=" + APP);
                Ledger ledger = Ledger.builder(PostgresLedgerStore.builder()
                                .dataSource(pool)
                                .schema(schema)
                                .summarizeEvery(Duration.ofMillis(250))
                                .build())
                        .build()) {
            Bank bank = new Bank(ledger, pool, schema, run.seed, 8, 10_000);
            bank.open();
            AtomicBoolean stop = new AtomicBoolean();
            Thread killer = new Thread(
                    () -> BackendKiller.run(
                            new SplittableRandom(run.seed ^ 0x4B111L),
                            stop,
                            kills,
                            DB.dataSource()::getConnection,
                            "application_name = '" + APP + "' AND datname = current_database()"),
                    "killer");
            killer.start();
            try {
                bank.run(8, run.duration, run.duration.plusMinutes(1), () -> true, Bank::mixed);
            } finally {
                stop.set(true);
                killer.join();
            }
            bank.resolve();
            BankChecker.Report report = BankChecker.check(
                    run.fault,
                    run.seed,
                    run.elapsedSeconds(),
                    kills.get(),
                    bank.history(),
                    bank.finalState(DB.dataSource()),
                    bank.setupIds());
            run.finish(report);
            assertTrue(kills.get() >= run.pick(20, 100), "only " + kills + " backends terminated");
            assertTrue(
                    report.ok() > 0 && report.unknown() + report.failed() > 0,
                    "the run must both succeed and meet faults: " + report.line());
        }
    }
}
