package dev.ledger.postgres.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.TransferRequest;
import dev.ledger.postgres.LedgerDatabase;
import dev.ledger.postgres.PostgresLedgerStore;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pool exhaustion and timeouts end calls with {@link LedgerUnavailableException}, never a hang: 16 concurrent transfers
 * against the library's own 2-connection pool (250 ms connection timeout) while the network is frozen; and a transfer
 * blocked on a lock beyond the server's statement timeout. "Promptly" is bounded generously (a call must end within 20
 * s; the whole test is cut at 2 minutes), never asserted as a speed.
 */
class PoolExhaustionFaultTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(10);

    @Test
    void transfers_poolExhaustedBehindFrozenNetwork_endAsUnavailableThenCheckerPasses() throws Exception {
        FaultRun run = FaultRun.start("pool-exhaustion", Duration.ofSeconds(10));
        String schema = DB.newSchemaName();
        PostgresLedgerStore.migrate(DB.dataSource(), schema);
        long[] cycles = {0};
        long[] unavailable = {0};
        try (TcpProxy proxy = new TcpProxy("localhost", TcpProxy.portOf(DB.jdbcUrl()));
                Ledger ledger = Ledger.builder(PostgresLedgerStore.builder()
                                .jdbcUrl(proxy.url(DB.jdbcUrl(), "ledger-jepsen-pool"))
                                .schema(schema)
                                .maximumPoolSize(2)
                                .connectionTimeout(Duration.ofMillis(250))
                                .summarizeEvery(Duration.ZERO)
                                .build())
                        .build()) {
            Bank bank = new Bank(ledger, DB.dataSource(), schema, run.seed, 4, 10_000);
            bank.open();
            SplittableRandom random = new SplittableRandom(run.seed);
            long end = System.nanoTime() + run.duration.toNanos();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                do {
                    proxy.freeze();
                    List<Future<Op>> calls = new ArrayList<>();
                    for (int i = 0; i < 16; i++) {
                        AccountId from = bank.accounts().get(random.nextInt(4));
                        AccountId to = bank.accounts().get((bank.accounts().indexOf(from) + 1 + random.nextInt(3)) % 4);
                        TransferRequest request = History.request(
                                new UUID(random.nextLong(), random.nextLong()),
                                from,
                                to,
                                1 + random.nextInt(100),
                                "pool-" + cycles[0] + "-" + i);
                        int client = i;
                        calls.add(pool.submit(
                                () -> bank.history().transfer(client, "run", request, false, ledger::transfer)));
                    }
                    assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
                        for (Future<Op> call : calls) {
                            Op op = call.get();
                            long millis = TimeUnit.NANOSECONDS.toMillis(op.endNanos() - op.startNanos());
                            assertTrue(millis < 20_000, "a call took " + millis + " ms");
                            assertTrue(
                                    op.outcome() == Op.Outcome.UNKNOWN || op.outcome() == Op.Outcome.FAILED,
                                    "a call through a frozen network ended " + op.outcome());
                            if (op.failure() == LedgerUnavailableException.Kind.STORE_UNAVAILABLE) {
                                unavailable[0]++;
                            }
                        }
                    });
                    proxy.heal();
                    proxy.resetAll();
                    cycles[0]++;
                    bank.read(-1);
                } while (System.nanoTime() < end);
            } finally {
                pool.shutdownNow();
                proxy.heal();
            }
            bank.resolve();
            BankChecker.Report report = BankChecker.check(
                    run.fault,
                    run.seed,
                    run.elapsedSeconds(),
                    cycles[0],
                    bank.history(),
                    bank.finalState(DB.dataSource()),
                    bank.setupIds());
            run.finish(report);
            assertTrue(unavailable[0] > 0, "no call met the exhausted pool");
        }
    }

    @Test
    void transfer_blockedBeyondStatementTimeout_failsAsStoreUnavailableAndRecordsNothing() throws Exception {
        String schema = DB.newSchemaName();
        PostgresLedgerStore.migrate(DB.dataSource(), schema);
        String url = DB.jdbcUrl() + "&options=-c%20statement_timeout%3D1000";
        try (Ledger ledger = Ledger.builder(PostgresLedgerStore.builder()
                        .jdbcUrl(url)
                        .schema(schema)
                        .maximumPoolSize(2)
                        .summarizeEvery(Duration.ZERO)
                        .build())
                .build()) {
            AccountId bank = AccountId.of("bank");
            AccountId alice = AccountId.of("alice");
            AccountId bob = AccountId.of("bob");
            ledger.open(NewAccount.issuer(bank, "USD"));
            ledger.open(NewAccount.of(alice, "USD").withOpeningBalance(100, bank));
            ledger.open(NewAccount.of(bob, "USD"));
            UUID id = UUID.randomUUID();
            try (Connection blocker = DB.server().connect(DB.name());
                    Statement st = blocker.createStatement()) {
                blocker.setAutoCommit(false);
                st.execute(
                        "INSERT INTO " + schema + ".transfer (source, source_index, id, destination, amount, currency,"
                                + " recorded_at, source_debits) VALUES ('alice', 0, '" + UUID.randomUUID()
                                + "', 'bob', 10, 'USD', now(),"
                                + " 10)");
                st.execute(LedgerDatabase.creditRowsOf(schema));
                LedgerUnavailableException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                    try {
                        ledger.transfer(TransferRequest.of(alice, bob, 5, "USD").withId(id));
                        throw new AssertionError("the transfer was recorded past an uncommitted claim on its index");
                    } catch (LedgerUnavailableException failure) {
                        return failure;
                    }
                });
                assertEquals(LedgerUnavailableException.Kind.STORE_UNAVAILABLE, e.kind(), e.getMessage());
                assertTrue(e.getMessage().contains("57014"), e.getMessage());
                blocker.rollback();
            }
            assertTrue(ledger.findTransfer(id).isEmpty(), "a cancelled statement recorded nothing");
            assertEquals(100, ledger.balance(alice));
        }
    }
}
