package dev.ledger.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load model of the service's Locust file, in Gatling.
 *
 * <p>Every virtual user opens its own account (balance 1000000), then until the end of the run: with probability 3/4
 * reads its balance, with 1/4 transfers 1 to a random other user's account (its balance again while it is the only
 * one), each action followed by a uniformly random 1 to 3 s pause.
 *
 * <ul>
 *   <li>Open model (default): {@code ledger.users} users arrive over 10 s ({@code users/10} a second), each looping
 *       until {@code ledger.duration} seconds after the start. 1024 users make about 512 requests a second.
 *   <li>Closed model ({@code ledger.closed} &gt; 0): that many users at all times, no pauses: the service's ceiling.
 * </ul>
 *
 * <p>System properties: {@code ledger.baseUrl} (default http://127.0.0.1:8000), {@code ledger.users} (256),
 * {@code ledger.closed} (0: open model), {@code ledger.duration} (60, seconds). Run it with
 * {@code ledger-gatling/load.sh}, which also prints the summary line.
 */
public class LedgerSimulation extends Simulation {

    static final long INITIAL_BALANCE = 1_000_000;
    static final Duration RAMP = Duration.ofSeconds(10);
    static final Duration MIN_THINK = Duration.ofSeconds(1);
    static final Duration MAX_THINK = Duration.ofSeconds(3);

    private static final String ACCOUNT = "account";
    private static final String DESTINATION = "destination";

    private final String baseUrl = System.getProperty("ledger.baseUrl", "http://127.0.0.1:8000");
    private final int users = Integer.getInteger("ledger.users", 256);
    private final int closed = Integer.getInteger("ledger.closed", 0);
    private final Duration duration = Duration.ofSeconds(Long.getLong("ledger.duration", 60L));

    private final AccountRegistry accounts = new AccountRegistry();
    /**
     * When users stop starting requests, in {@link System#nanoTime()}: {@link #duration} after the first user starts; 0
     * until then. Gatling's maxDuration, which starts counting a moment earlier, ends the run first (requests still in
     * flight then are dropped, not counted as failures); the deadline makes every user's loop end by itself anyway.
     */
    private final AtomicLong deadlineNanos = new AtomicLong();

    public LedgerSimulation() {
        if (users < 1 || closed < 0 || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(
                    "need ledger.users >= 1, ledger.closed >= 0 and ledger.duration >= 1 (seconds)");
        }
        HttpProtocolBuilder protocol =
                http.baseUrl(baseUrl).acceptHeader("application/json").contentTypeHeader("application/json");
        // Connections are Gatling's default: each virtual user has its own, as each Locust user has its own session.

        ScenarioBuilder scenario = scenario(
                        closed > 0 ? "ledger (closed, " + closed + " users)" : "ledger (open, " + users + " users)")
                // In the closed model a user that ends is replaced at once: past the deadline, the new one does
                // nothing.
                .doIf(session -> running())
                .then(openAccount())
                .asLongAs(session -> running(), true)
                .on(closed > 0 ? action() : action().pause(MIN_THINK, MAX_THINK));

        PopulationBuilder population = closed > 0
                ? scenario.injectClosed(constantConcurrentUsers(closed).during(duration))
                : scenario.injectOpen(rampUsers(users).during(RAMP));
        setUp(population.protocols(protocol)).maxDuration(duration);
    }

    /** Whether the run's time is not up yet; the first call starts the clock. */
    private boolean running() {
        long now = System.nanoTime();
        long deadline = deadlineNanos.get();
        if (deadline == 0) {
            deadlineNanos.compareAndSet(0, now + duration.toNanos());
            deadline = deadlineNanos.get();
        }
        return now - deadline < 0;
    }

    private ChainBuilder openAccount() {
        return exec(session -> session.set(ACCOUNT, UUID.randomUUID().toString()))
                .exec(http("open account")
                        .post("/accounts")
                        .body(StringBody("{\"account_id\":\"#{" + ACCOUNT + "}\",\"balance\":" + INITIAL_BALANCE + "}"))
                        .check(status().is(204)))
                // Only an account the service accepted is offered to the others as a destination.
                .exec(session -> {
                    if (!session.isFailed()) {
                        accounts.add(session.getString(ACCOUNT));
                    }
                    return session;
                });
    }

    /** One iteration: a transfer one time in four (if there is someone to send to), the balance otherwise. */
    private ChainBuilder action() {
        return exec(this::chooseDestination)
                .doIfOrElse(session -> session.contains(DESTINATION))
                .then(exec(http("transfer")
                        .post("/transfers")
                        .body(StringBody("{\"source\":\"#{" + ACCOUNT + "}\",\"destination\":\"#{" + DESTINATION
                                + "}\",\"amount\":1}"))
                        .check(status().is(204))))
                .orElse(exec(http("balance")
                        .get("/accounts/#{" + ACCOUNT + "}/balance")
                        .check(status().is(200))));
    }

    private Session chooseDestination(Session session) {
        String destination =
                ThreadLocalRandom.current().nextInt(4) == 0 ? accounts.randomOther(session.getString(ACCOUNT)) : null;
        return destination == null ? session.remove(DESTINATION) : session.set(DESTINATION, destination);
    }
}
