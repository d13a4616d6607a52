package dev.ledger.jmh;

import dev.ledger.core.Transfer;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
 * Hot accounts on PostgreSQL: sources and destinations both drawn from a Zipf distribution with exponent {@code s} over
 * {@value #ACCOUNTS} accounts (rank 0 is the hottest: with s = 1.0 it is the source of 13% of transfers, with s = 2.0
 * of 61%). Contended debits of one source meet on the ledger's (source, source_index) key and are retried; the locking
 * baseline waits on row locks instead.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HotAccountsBenchmark extends PgWorkload {
    public static final int ACCOUNTS = 1_000;

    @Override
    protected String label() {
        return "hot";
    }

    @Override
    protected int accounts() {
        return ACCOUNTS;
    }

    /** Zipf-distributed pairs of distinct accounts, seeded per thread. */
    @State(Scope.Thread)
    public static class ZipfPairs {
        @Param({"1.0", "2.0"})
        public double s;

        private ZipfSampler zipf;
        int source;
        int destination;

        @Setup(Level.Trial)
        public void setUp(ThreadParams thread) {
            zipf = new ZipfSampler(ACCOUNTS, s, BenchProps.seed() * 1_000_003 + thread.getThreadIndex());
        }

        ZipfPairs next() {
            source = zipf.next();
            destination = zipf.nextOtherThan(source);
            return this;
        }
    }

    @Benchmark
    public @Nullable Transfer ledger(ZipfPairs pairs) {
        ZipfPairs p = pairs.next();
        return fx.ledger(p.source, p.destination);
    }

    @Benchmark
    public long locking(ZipfPairs pairs) throws SQLException {
        ZipfPairs p = pairs.next();
        return fx.locking(p.source, p.destination);
    }

    @Benchmark
    public long seed(ZipfPairs pairs) throws SQLException {
        ZipfPairs p = pairs.next();
        return fx.seed(p.source, p.destination);
    }
}
