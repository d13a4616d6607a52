package dev.ledger.postgres.jepsen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.core.Coalescing;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.TransferRequest;
import dev.ledger.postgres.LedgerDatabase;
import dev.ledger.postgres.PostgresLedgerStore;
import dev.ledger.postgres.jepsen.FaultyDataSource.Fault;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lost acknowledgements and failures before sending, through {@link FaultyDataSource} over real connections. Each
 * faulted call must map to the right {@link LedgerUnavailableException} kind (a commit whose acknowledgement was lost,
 * or a statement that may have been sent: {@code OUTCOME_UNKNOWN}; no connection: {@code STORE_UNAVAILABLE}); the
 * client then retries with the same id until the outcome is definite, and, for the first lost acknowledgements whose
 * retry returned the transfer, retries once more with a changed amount, which must be rejected with
 * {@code ID_REUSED_WITH_DIFFERENT_CONTENT}. Short form: 100 of each statement fault and 25 changed-amount retries; long
 * form: at least 1000 of each and 100 changed-amount retries over the whole duration.
 */
class LostAcknowledgementFaultTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(10);

    @Test
    void bank_lostAcksAndFailuresBeforeSending_retriedByIdRecordExactlyOnce() throws Exception {
        FaultRun run = FaultRun.start("lost-acks", Duration.ofSeconds(5));
        long target = run.pick(100, 1_000);
        long changedTarget = run.pick(25, 100);
        int perMille = (int) run.pick(150, 25);
        String schema = DB.newSchemaName();
        PostgresLedgerStore.migrate(DB.dataSource(), schema);
        ConcurrentLinkedQueue<String> mapping = new ConcurrentLinkedQueue<>();
        AtomicLong changedBudget = new AtomicLong(changedTarget);
        try (HikariDataSource pool = FaultRun.pool("jepsen-ack", 8, Duration.ofSeconds(3), DB.jdbcUrl())) {
            FaultyDataSource faulty = new FaultyDataSource(pool);
            // Coalescing off: each fault is armed for the calling thread's own next store call, and the test checks how
            // that call maps it (with coalescing another caller's thread may write the request). The other fault tests
            // run with the default, coalescing on.
            try (Ledger ledger = Ledger.builder(PostgresLedgerStore.builder()
                            .dataSource(faulty)
                            .schema(schema)
                            .summarizeEvery(Duration.ofMillis(250))
                            .build())
                    .coalescing(Coalescing.off())
                    .build()) {
                Bank bank = new Bank(ledger, faulty, schema, run.seed, 8, 10_000);
                bank.open();
                Bank.TransferStep step = (b, client, random, request) -> {
                    Fault fault = pickFault(random, perMille);
                    if (fault != null) {
                        FaultyDataSource.arm(fault);
                    }
                    Op op = b.history().transfer(client, "run", request, false, b.ledger()::transfer);
                    Fault fired = FaultyDataSource.takeFired();
                    if (fired != null) {
                        LedgerUnavailableException.Kind expected = fired == Fault.CONNECT
                                ? LedgerUnavailableException.Kind.STORE_UNAVAILABLE
                                : LedgerUnavailableException.Kind.OUTCOME_UNKNOWN;
                        if (op.failure() != expected) {
                            mapping.add(fired + " for " + request.id() + " ended " + op.outcome() + " " + op.failure()
                                    + op.reason() + ", expected " + expected);
                        }
                    } else if (fault != null) {
                        mapping.add(fault + " was armed for " + request.id() + " but never fired");
                    }
                    for (int retry = 0;
                            retry < 50 && (op.outcome() == Op.Outcome.UNKNOWN || op.outcome() == Op.Outcome.FAILED);
                            retry++) {
                        op = b.history().transfer(client, "run", request, false, b.ledger()::transfer);
                    }
                    // Once the retry by id says it is recorded, the same id with another amount must be refused.
                    if (fired == Fault.AFTER_COMMIT
                            && op.outcome() == Op.Outcome.OK
                            && changedBudget.getAndDecrement() > 0) {
                        TransferRequest changed = TransferRequest.of(
                                        request.source(),
                                        request.destination(),
                                        request.amount() + 1,
                                        request.currency())
                                .withId(request.id())
                                .withReference(request.reference());
                        b.history().transfer(client, "run", changed, true, b.ledger()::transfer);
                    }
                };
                bank.run(
                        8,
                        run.duration,
                        run.duration.plusMinutes(2),
                        () -> faulty.fired(Fault.BEFORE_SEND) >= target
                                && faulty.fired(Fault.AFTER_COMMIT) >= target
                                && changedBudget.get() <= 0,
                        step);
                bank.resolve();
                BankChecker.Report report = BankChecker.check(
                        run.fault,
                        run.seed,
                        run.elapsedSeconds(),
                        faulty.firedTotal(),
                        bank.history(),
                        bank.finalState(DB.dataSource()),
                        bank.setupIds());
                System.out.println(
                        "FAULT lost-acks detail: after-commit=" + faulty.fired(Fault.AFTER_COMMIT) + " before-send="
                                + faulty.fired(Fault.BEFORE_SEND) + " connect=" + faulty.fired(Fault.CONNECT));
                run.finish(report);
                assertTrue(mapping.isEmpty(), mapping.size() + " fault(s) mapped wrongly, first: " + mapping.peek());
                assertTrue(
                        faulty.fired(Fault.AFTER_COMMIT) >= target,
                        "after-commit faults: " + faulty.fired(Fault.AFTER_COMMIT));
                assertTrue(
                        faulty.fired(Fault.BEFORE_SEND) >= target,
                        "before-send faults: " + faulty.fired(Fault.BEFORE_SEND));
                assertTrue(
                        report.changedContentRejected() >= changedTarget,
                        "changed-amount retries rejected: " + report.changedContentRejected());
            }
        }
    }

    /** Per call, from the client's seeded random: no fault, or one of the three (after/before 45% each). */
    private static Fault pickFault(SplittableRandom random, int perMille) {
        if (random.nextInt(1000) >= perMille) {
            return null;
        }
        int kind = random.nextInt(100);
        return kind < 45 ? Fault.AFTER_COMMIT : kind < 90 ? Fault.BEFORE_SEND : Fault.CONNECT;
    }
}
