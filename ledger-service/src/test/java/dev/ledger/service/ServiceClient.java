package dev.ledger.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** A plain HTTP client of the running service, as the seed's clients talk to it. */
final class ServiceClient {
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    private final String base;

    ServiceClient(String base) {
        this.base = base;
    }

    HttpResponse<String> get(String path, String... headers) {
        return send(builder(path, headers).GET());
    }

    HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder request = builder(path, headers).POST(HttpRequest.BodyPublishers.ofString(body));
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) {
            typed |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (!typed) {
            request.header("Content-Type", "application/json");
        }
        return send(request);
    }

    /** Opens an account with this opening balance (a JSON decimal) and returns its id. */
    UUID open(String balance) {
        UUID id = UUID.randomUUID();
        HttpResponse<String> response =
                post("/accounts", "{\"account_id\": \"" + id + "\", \"balance\": " + balance + "}");
        if (response.statusCode() != 204) {
            throw new AssertionError("opening " + id + ": " + response.statusCode() + " " + response.body());
        }
        return id;
    }

    HttpResponse<String> transfer(UUID source, UUID destination, String amount, String... headers) {
        return post(
                "/transfers",
                "{\"source\": \"" + source + "\", \"destination\": \"" + destination + "\", \"amount\": " + amount
                        + "}",
                headers);
    }

    /** The balance as the JSON decimal's plain string, e.g. "12.50". */
    String balance(UUID account) {
        HttpResponse<String> response = get("/accounts/" + account + "/balance");
        if (response.statusCode() != 200) {
            throw new AssertionError("balance of " + account + ": " + response.statusCode() + " " + response.body());
        }
        return json(response).get("balance").decimalValue().toPlainString();
    }

    static JsonNode json(HttpResponse<String> response) {
        return Json.MAPPER.readTree(response.body());
    }

    private HttpRequest.Builder builder(String path, String... headers) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return builder;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
