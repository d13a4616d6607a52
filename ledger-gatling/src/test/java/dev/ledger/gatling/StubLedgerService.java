package dev.ledger.gatling;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the ledger's HTTP service, to check the load test itself (not the ledger): the service's API over an
 * in-memory map, on the JDK's own HTTP server.
 *
 * <pre>
 * java -cp ledger-gatling/target/test-classes dev.ledger.gatling.StubLedgerService [--port 8000] [--fail-percent P]
 *     [--delay-ms M] [--max-seconds S]
 * </pre>
 *
 * <p>{@code --fail-percent P} answers 500 to P% of the account and transfer requests, chosen at random, so that the
 * load test's failure count can be checked; {@code --delay-ms M} answers every request M ms late. Stops after
 * {@code --max-seconds} (default 3600).
 */
public final class StubLedgerService {

    private static final Pattern STRING_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern NUMBER_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*(-?[0-9][0-9.eE+-]*)");
    private static final Pattern BALANCE_PATH = Pattern.compile("/accounts/([^/]+)/balance");

    private final Map<UUID, BigDecimal> balances = new ConcurrentHashMap<>();
    private final double failPercent;
    private final long delayMillis;

    private StubLedgerService(double failPercent, long delayMillis) {
        this.failPercent = failPercent;
        this.delayMillis = delayMillis;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int port = 8000;
        double failPercent = 0;
        long maxSeconds = 3600;
        long delayMillis = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--fail-percent" -> failPercent = Double.parseDouble(args[++i]);
                case "--max-seconds" -> maxSeconds = Long.parseLong(args[++i]);
                case "--delay-ms" -> delayMillis = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        // Without TCP_NODELAY the JDK server's small responses wait out the client's delayed ACK (~40 ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        StubLedgerService stub = new StubLedgerService(failPercent, delayMillis);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        // A slow stub sleeps in its workers: then it needs many.
        ExecutorService workers = Executors.newFixedThreadPool(delayMillis > 0 ? 512 : 4);
        server.setExecutor(workers);
        server.createContext("/", stub::handle);
        server.start();
        System.out.println("stub ledger service on http://127.0.0.1:" + port + " (fail-percent " + failPercent + ")");
        Thread.sleep(maxSeconds * 1000);
        server.stop(0);
        workers.shutdown();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                route(exchange);
            } catch (RuntimeException e) {
                send(exchange, 400, "{\"error\":\"" + e.getClass().getSimpleName() + "\"}");
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (method.equals("GET") && path.equals("/health")) {
            send(exchange, 204, null);
        } else if (failPercent > 0 && ThreadLocalRandom.current().nextDouble(100) < failPercent) {
            send(exchange, 500, "{\"error\":\"injected failure\"}");
        } else if (method.equals("POST") && path.equals("/accounts")) {
            openAccount(exchange, body);
        } else if (method.equals("POST") && path.equals("/transfers")) {
            transfer(exchange, body);
        } else if (method.equals("GET") && BALANCE_PATH.matcher(path).matches()) {
            balance(exchange, path);
        } else {
            send(exchange, 404, "{\"error\":\"not found\"}");
        }
    }

    private void openAccount(HttpExchange exchange, String body) throws IOException {
        UUID id = UUID.fromString(field(STRING_FIELD, body, "account_id"));
        BigDecimal balance = new BigDecimal(field(NUMBER_FIELD, body, "balance"));
        if (balance.signum() < 0) {
            error(exchange, "the balance must not be negative");
        } else if (balances.putIfAbsent(id, balance) != null) {
            error(exchange, "the account already exists");
        } else {
            send(exchange, 204, null);
        }
    }

    private void balance(HttpExchange exchange, String path) throws IOException {
        Matcher m = BALANCE_PATH.matcher(path);
        if (!m.matches()) {
            throw new IllegalStateException(path);
        }
        UUID id = UUID.fromString(m.group(1));
        BigDecimal balance = balances.get(id);
        if (balance == null) {
            send(exchange, 404, "{\"error\":\"no such account\"}");
        } else {
            send(exchange, 200, "{\"account_id\":\"" + id + "\",\"balance\":" + balance.toPlainString() + "}");
        }
    }

    private void transfer(HttpExchange exchange, String body) throws IOException {
        UUID source = UUID.fromString(field(STRING_FIELD, body, "source"));
        UUID destination = UUID.fromString(field(STRING_FIELD, body, "destination"));
        BigDecimal amount = new BigDecimal(field(NUMBER_FIELD, body, "amount"));
        if (amount.signum() <= 0 || source.equals(destination)) {
            error(exchange, "invalid transfer");
            return;
        }
        if (!balances.containsKey(source) || !balances.containsKey(destination)) {
            error(exchange, "no such account");
            return;
        }
        boolean[] enough = {false};
        balances.computeIfPresent(source, (id, balance) -> {
            enough[0] = balance.compareTo(amount) >= 0;
            return enough[0] ? balance.subtract(amount) : balance;
        });
        if (!enough[0]) {
            error(exchange, "not enough funds on the source account");
            return;
        }
        balances.merge(destination, amount, BigDecimal::add);
        send(exchange, 204, null);
    }

    private static String field(Pattern pattern, String body, String name) {
        Matcher m = pattern.matcher(body);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        throw new IllegalArgumentException("missing " + name);
    }

    private static void error(HttpExchange exchange, String message) throws IOException {
        send(exchange, 400, "{\"request_id\":\"" + UUID.randomUUID() + "\",\"error\":\"" + message + "\"}");
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        if (json == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
