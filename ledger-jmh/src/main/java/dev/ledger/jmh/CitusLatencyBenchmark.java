package dev.ledger.jmh;

import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * One caller's transfer latency on Citus (run at one thread, JMH samples each call), by where the transfer's rows live:
 * {@code same}: source, destination and transfer id all on one worker (one worker writes); {@code cross}: source and
 * destination on different workers (two workers write); {@code single}: the schema on the coordinator alone.
 * {@value #ACCOUNTS} accounts, pairs drawn at random among those that fit.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CitusLatencyBenchmark extends CitusWorkload {
    public static final int ACCOUNTS = 1_000;

    @Param({"same", "cross", "single"})
    public String pair;

    /** The accounts of each worker that holds at least two, and that worker's index. */
    private final List<int[]> byWorker = new ArrayList<>();

    private final List<Integer> workerIndex = new ArrayList<>();
    // Set by prepared(), which CitusWorkload's @Setup(Level.Trial) calls before any benchmark call; NullAway takes
    // only this class's own @Setup methods for initializers (NullAway.Init silences the initialization check only).
    @SuppressWarnings("NullAway.Init")
    private SplittableRandom random;

    @Override
    protected String label() {
        return "latency_" + pair;
    }

    @Override
    protected boolean distributed() {
        return !"single".equals(pair);
    }

    @Override
    protected int accounts() {
        return ACCOUNTS;
    }

    @Override
    protected void prepared() {
        random = new SplittableRandom(BenchProps.seed());
        for (int w = 0; w < fx.nodes.workers().size(); w++) {
            List<Integer> mine = new ArrayList<>();
            for (int i = 0; i < fx.workers.length; i++) {
                if (fx.workers[i] == w) {
                    mine.add(i);
                }
            }
            if (mine.size() >= 2) { // (a worker added to the cluster after the schema was distributed holds none)
                byWorker.add(mine.stream().mapToInt(Integer::intValue).toArray());
                workerIndex.add(w);
            }
        }
        if (distributed() && byWorker.size() < 2) {
            throw new IllegalStateException("the accounts of " + fx.schema + " are on " + byWorker.size()
                    + " worker(s); the latency pairs need 2");
        }
    }

    @Benchmark
    public @Nullable Transfer ledger() {
        switch (pair) {
            case "same" -> {
                int w = random.nextInt(byWorker.size());
                int[] accounts = byWorker.get(w);
                int s = random.nextInt(accounts.length);
                int d = random.nextInt(accounts.length - 1);
                IdPool idPool = Objects.requireNonNull(fx.idPool, "idPool"); // "same" is distributed: it has one
                return fx.transfer(TransferRequest.of(
                                fx.ids[accounts[s]],
                                fx.ids[accounts[d >= s ? d + 1 : d]],
                                CitusFixture.AMOUNT,
                                CitusFixture.CURRENCY)
                        .withId(idPool.nextOn(workerIndex.get(w))));
            }
            case "cross" -> {
                int ws = random.nextInt(byWorker.size());
                int wd = random.nextInt(byWorker.size() - 1);
                wd = wd >= ws ? wd + 1 : wd;
                int[] from = byWorker.get(ws);
                int[] to = byWorker.get(wd);
                return fx.transfer(from[random.nextInt(from.length)], to[random.nextInt(to.length)]);
            }
            default -> {
                int s = random.nextInt(ACCOUNTS);
                int d = random.nextInt(ACCOUNTS - 1);
                return fx.transfer(s, d >= s ? d + 1 : d);
            }
        }
    }
}
