package dev.ledger.jmh;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * One caller's latency (run at one thread, JMH samples each call): {@link #ledger} is {@code Ledger.transfer} on
 * PostgreSQL with the library's defaults, {@link #locking} the locking baseline, on the workload of
 * {@link TransferBenchmark} (uniform pairs of {@value #ACCOUNTS} funded accounts).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LatencyBenchmark extends PgWorkload {
    public static final int ACCOUNTS = TransferBenchmark.ACCOUNTS;

    @Override
    protected String label() {
        return "latency";
    }

    @Override
    protected int accounts() {
        return ACCOUNTS;
    }

    @Benchmark
    public @Nullable Object ledger(TransferBenchmark.Pairs pairs) {
        TransferBenchmark.Pairs p = pairs.next();
        return fx.ledger(p.source, p.destination);
    }

    @Benchmark
    public long locking(TransferBenchmark.Pairs pairs) throws SQLException {
        TransferBenchmark.Pairs p = pairs.next();
        return fx.locking(p.source, p.destination);
    }
}
