package dev.ledger.jmh;

import java.sql.SQLException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Bulk: one operation is a batch of {@code batch} uniformly random transfers among {@value #ACCOUNTS} funded accounts.
 * {@link #ledgerBatch} records it with {@code Ledger.transferBatch(..., INDEPENDENT)} (in PostgreSQL one call of
 * append_transfers, one commit); {@link #rawBatch} inserts as many rows with one multi-row INSERT into the raw baseline
 * table (the same columns, no rule checked): the ceiling. Transfers/s = ops/s × batch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BulkBenchmark extends PgWorkload {
    public static final int ACCOUNTS = 10_000;

    @Param({"1000"})
    public int batch;

    @Override
    protected String label() {
        return "bulk";
    }

    @Override
    protected int accounts() {
        return ACCOUNTS;
    }

    /** A batch of uniformly random pairs of distinct accounts, seeded per thread. */
    @State(Scope.Thread)
    public static class Pairs {
        private SplittableRandom random;
        int[] sources;
        int[] destinations;

        @Setup(Level.Trial)
        public void setUp(ThreadParams thread, BulkBenchmark bench) {
            random = new SplittableRandom(BenchProps.seed() * 1_000_003 + thread.getThreadIndex());
            sources = new int[bench.batch];
            destinations = new int[bench.batch];
        }

        Pairs next() {
            for (int i = 0; i < sources.length; i++) {
                int s = random.nextInt(ACCOUNTS);
                int d = random.nextInt(ACCOUNTS - 1);
                sources[i] = s;
                destinations[i] = d >= s ? d + 1 : d;
            }
            return this;
        }
    }

    @Benchmark
    public int ledgerBatch(Pairs pairs) {
        Pairs p = pairs.next();
        return fx.ledgerBatch(p.sources, p.destinations);
    }

    @Benchmark
    public int rawBatch(Pairs pairs) throws SQLException {
        Pairs p = pairs.next();
        return fx.rawBatch(p.sources, p.destinations);
    }
}
