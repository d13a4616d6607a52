package dev.ledger.postgres.jepsen;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The restart nemesis: {@code restarts} times, after {@code loadMillis} of load, stops a server, waits half a second,
 * starts it again, and measures the seconds until every client of the bank has answered again. Used for one node
 * ({@link CrashRestartFaultTest}) and for a Citus worker.
 */
public final class Restarts {
    /** Stopping or starting the server. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private final List<Double> recoveries = new ArrayList<>();
    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;

    private Restarts(
            Bank bank, int clients, int restarts, long loadMillis, int limitSeconds, Action stop, Action start) {
        thread = new Thread(
                () -> {
                    try {
                        for (int i = 0; i < restarts; i++) {
                            Thread.sleep(loadMillis);
                            stop.run();
                            Thread.sleep(500);
                            start.run();
                            long back = System.nanoTime();
                            recoveries.add(bank.secondsUntilClientsAnswer(clients, back, limitSeconds));
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    } finally {
                        done.set(true);
                    }
                },
                "nemesis");
    }

    /** Starts the nemesis thread; {@code limitSeconds} bounds each wait for the clients. */
    public static Restarts start(
            Bank bank, int clients, int restarts, long loadMillis, int limitSeconds, Action stop, Action start) {
        Restarts nemesis = new Restarts(bank, clients, restarts, loadMillis, limitSeconds, stop, start);
        nemesis.thread.start();
        return nemesis;
    }

    /** Whether the nemesis has finished (every restart done, or one failed). */
    public boolean done() {
        return done.get();
    }

    /** Waits for the nemesis thread to end. */
    public void awaitEnd() throws InterruptedException {
        thread.join();
    }

    /**
     * After {@link #awaitEnd()}: the seconds until all clients answered after each restart; an AssertionError naming
     * {@code what} if stopping or starting failed.
     */
    public List<Double> recoveries(String what) {
        if (failure.get() != null) {
            throw new AssertionError(what + " failed: " + failure.get(), failure.get());
        }
        return List.copyOf(recoveries);
    }
}
