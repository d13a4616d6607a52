package dev.ledger.jmh;

import dev.ledger.core.Transfer;
import java.sql.SQLException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
 * Uncontended single transfers on PostgreSQL: {@value #ACCOUNTS} funded accounts, each operation moves 1 between a
 * uniformly random pair. Run at 1, 4, 16 and 32 threads ({@code -t}); every method shares the trial's database and
 * pool. {@link #ledger} goes through {@code Ledger.transfer} on {@code PostgresLedgerStore}; the others are the
 * baselines of {@link Baselines}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TransferBenchmark extends PgWorkload {
    public static final int ACCOUNTS = 10_000;

    @Override
    protected String label() {
        return "transfer";
    }

    @Override
    protected int accounts() {
        return ACCOUNTS;
    }

    /** Uniformly random pairs of distinct accounts among {@value #ACCOUNTS}, seeded per thread. */
    @State(Scope.Thread)
    public static class Pairs {
        private final int accounts;
        private SplittableRandom random;
        int source;
        int destination;

        public Pairs() {
            this(ACCOUNTS);
        }

        /** Pairs among the first {@code accounts} accounts (a subclass's state). */
        Pairs(int accounts) {
            this.accounts = accounts;
        }

        @Setup(Level.Trial)
        public void setUp(ThreadParams thread) {
            random = new SplittableRandom(BenchProps.seed() * 1_000_003 + thread.getThreadIndex());
        }

        Pairs next() {
            source = random.nextInt(accounts);
            int d = random.nextInt(accounts - 1);
            destination = d >= source ? d + 1 : d;
            return this;
        }
    }

    @Benchmark
    public @Nullable Transfer ledger(Pairs pairs) {
        Pairs p = pairs.next();
        return fx.ledger(p.source, p.destination);
    }

    /**
     * A two-phase transfer: a pending transfer of 1 and its post, two calls of the ledger (each one attempt of the
     * store): one operation here is a hold and its capture, compared with {@link #ledger}'s one transfer.
     */
    @Benchmark
    public @Nullable Transfer pendingPost(Pairs pairs) {
        Pairs p = pairs.next();
        return fx.pendingPost(p.source, p.destination);
    }

    @Benchmark
    public int rawInsert(Pairs pairs) throws SQLException {
        Pairs p = pairs.next();
        return fx.raw(p.source, p.destination);
    }

    @Benchmark
    public long locking(Pairs pairs) throws SQLException {
        Pairs p = pairs.next();
        return fx.locking(p.source, p.destination);
    }

    @Benchmark
    public long seed(Pairs pairs) throws SQLException {
        Pairs p = pairs.next();
        return fx.seed(p.source, p.destination);
    }
}
