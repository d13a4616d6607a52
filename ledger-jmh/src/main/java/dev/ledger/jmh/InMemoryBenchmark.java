package dev.ledger.jmh;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.memory.InMemoryLedgerStore;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * {@code Ledger.transfer} over {@link InMemoryLedgerStore}: {@value #ACCOUNTS} funded accounts, uniformly random pairs,
 * at 1 and 2 threads. The store keeps every transfer (that is its job), so each iteration starts from a new store: the
 * heap then holds one iteration's transfers at most, and the result is not a measure of a heap filling up over the run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class InMemoryBenchmark {
    public static final int ACCOUNTS = 10_000;

    private Ledger ledger;
    private AccountId[] ids;

    @Setup(Level.Iteration)
    public void newStore() {
        if (ledger != null) {
            ledger.close();
        }
        ledger = Ledger.builder(new InMemoryLedgerStore()).build();
        AccountId bank = AccountId.of(BenchData.ISSUER);
        ledger.open(NewAccount.issuer(bank, BenchData.CURRENCY));
        ids = new AccountId[ACCOUNTS];
        for (int i = 0; i < ACCOUNTS; i++) {
            ids[i] = AccountId.of("a" + i);
            ledger.open(NewAccount.of(ids[i], BenchData.CURRENCY).withOpeningBalance(PgTransfers.FUNDING, bank));
        }
    }

    /** Uniformly random pairs of distinct accounts, seeded per thread. */
    @State(Scope.Thread)
    public static class Pairs {
        private SplittableRandom random;

        @Setup(Level.Trial)
        public void setUp(ThreadParams thread) {
            random = new SplittableRandom(BenchProps.seed() * 1_000_003 + thread.getThreadIndex());
        }
    }

    @Benchmark
    public Transfer transfer(Pairs pairs) {
        int source = pairs.random.nextInt(ACCOUNTS);
        int d = pairs.random.nextInt(ACCOUNTS - 1);
        int destination = d >= source ? d + 1 : d;
        return ledger.transfer(TransferRequest.of(ids[source], ids[destination], 1, BenchData.CURRENCY));
    }
}
