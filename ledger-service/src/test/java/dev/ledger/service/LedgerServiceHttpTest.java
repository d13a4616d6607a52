package dev.ledger.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.NewAccount;
import dev.ledger.core.VerificationReport;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every endpoint and every error of the service, over HTTP, against the running service on the embedded PostgreSQL it
 * starts itself (or on {@code -Dledger.test.jdbcUrl}); the ledger is verified after each test.
 */
class LedgerServiceHttpTest {
    private static final String SERVICE = "00000000-0000-0000-0000-000000000000";
    private static LedgerService.Running service;
    private static ServiceClient client;

    @BeforeAll
    static void start() {
        List<String> args = new ArrayList<>(List.of("--port", "0"));
        String external = System.getProperty("ledger.test.jdbcUrl", "");
        if (!external.isBlank()) {
            args.addAll(List.of("--jdbc-url", external, "--ledger.schema=service_test_" + System.nanoTime()));
        }
        service = LedgerService.start(LedgerService.Options.parse(args.toArray(String[]::new)));
        client = new ServiceClient(service.url());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @AfterEach
    void ledgerStillVerifies() {
        VerificationReport report = service.context().getBean(Ledger.class).verify();
        assertThat(report.ok()).as(report.describe()).isTrue();
    }

    @Test
    void health_always_204WithEmptyBody() {
        HttpResponse<String> response = client.get("/health");
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void openAccount_withBalance_fundedByServiceAccount() {
        UUID account = client.open("1000000");
        assertThat(client.balance(account)).isEqualTo("1000000.00");
        UUID empty = client.open("0");
        assertThat(client.balance(empty)).isEqualTo("0.00");
    }

    @Test
    void openAccount_negativeBalance_400InSeedsWords() {
        assertError(
                client.post("/accounts", "{\"account_id\": \"" + UUID.randomUUID() + "\", \"balance\": -0.01}"),
                400,
                "a new account balance should be greater or equal to 0");
    }

    @Test
    void openAccount_existing_400AccountAlreadyExists() {
        UUID account = client.open("5");
        assertError(
                client.post("/accounts", "{\"account_id\": \"" + account + "\", \"balance\": 5}"),
                400,
                "account already exists");
        assertError(
                client.post("/accounts", "{\"account_id\": \"" + SERVICE + "\", \"balance\": 0}"),
                400,
                "account already exists");
        assertThat(client.balance(account)).isEqualTo("5.00");
    }

    @Test
    void openAccount_malformedBodies_400SayingWhatIsWrong() {
        assertError(client.post("/accounts", ""), 400, "the request body must be a JSON object");
        assertError(client.post("/accounts", "[1]"), 400, "the request body must be a JSON object");
        assertThat(error(client.post("/accounts", "{\"account_id\": "), 400))
                .startsWith("the request body is not valid JSON");
        assertError(client.post("/accounts", "{\"balance\": 1}"), 400, "account_id is required");
        assertError(
                client.post("/accounts", "{\"account_id\": \"" + UUID.randomUUID() + "\"}"),
                400,
                "balance is required");
        assertThat(error(client.post("/accounts", "{\"account_id\": \"bob\", \"balance\": 1}"), 400))
                .startsWith("account_id must be a UUID")
                .contains("'bob'");
        assertThat(error(client.post("/accounts", "{\"account_id\": 7, \"balance\": 1}"), 400))
                .isEqualTo("account_id must be a UUID string, not 7");
        assertThat(error(
                        client.post(
                                "/accounts", "{\"account_id\": \"" + UUID.randomUUID() + "\", \"balance\": \"lots\"}"),
                        400))
                .isEqualTo("balance must be a decimal number, not \"lots\"");
        assertThat(error(
                        client.post("/accounts", "{\"account_id\": \"" + UUID.randomUUID() + "\", \"balance\": 1.001}"),
                        400))
                .isEqualTo("balance has more than 2 decimal places: 1.001");
        assertThat(error(
                        client.post("/accounts", "{\"account_id\": \"" + UUID.randomUUID() + "\", \"balance\": 1e30}"),
                        400))
                .startsWith("balance is out of range");
        assertThat(client.post(
                                "/accounts",
                                "{\"account_id\": \"" + UUID.randomUUID() + "\", \"balance\": \"1e999999999\"}")
                        .statusCode())
                .isEqualTo(400);
    }

    @Test
    void hostileBodies_oversizedOrDeeplyNested_refusedWithoutRecording() {
        UUID id = UUID.randomUUID();
        String padded = "{\"account_id\": \"" + id + "\", \"balance\": 1, \"pad\": \"" + "x".repeat(70_000) + "\"}";
        assertError(client.post("/accounts", padded), 413, "the request body exceeds 65536 bytes");
        String nested = "[".repeat(5_000) + "]".repeat(5_000);
        assertThat(error(client.post("/accounts", nested), 400)).startsWith("the request body is not valid JSON");
        assertError(client.get("/accounts/" + id + "/balance"), 404, "account not found");
    }

    @Test
    void openAccount_decimalAsStringOrFormContentType_accepted() {
        UUID id = UUID.randomUUID();
        HttpResponse<String> response = client.post(
                "/accounts",
                "{\"account_id\": \"" + id + "\", \"balance\": \"12.30\"}",
                "Content-Type",
                "application/x-www-form-urlencoded");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
        assertThat(client.balance(id)).isEqualTo("12.30");
    }

    @Test
    void balance_unknownOrMalformedAccount_404Or400() {
        assertError(client.get("/accounts/" + UUID.randomUUID() + "/balance"), 404, "account not found");
        assertThat(error(client.get("/accounts/not-a-uuid/balance"), 400)).startsWith("account id must be a UUID");
    }

    @Test
    void balance_asOf_isTheBalanceAtThatInstant() throws Exception {
        UUID alice = client.open("10");
        UUID bob = client.open("0");
        Thread.sleep(5);
        Instant between = Instant.now();
        Thread.sleep(5);
        assertThat(client.transfer(alice, bob, "4").statusCode()).isEqualTo(204);
        JsonNode then = ServiceClient.json(client.get("/accounts/" + alice + "/balance?as_of=" + between));
        assertThat(then.get("balance").decimalValue()).isEqualByComparingTo("10");
        assertThat(then.get("as_of").asString()).isEqualTo(between.toString());
        assertThat(client.balance(alice)).isEqualTo("6.00");
        assertThat(error(client.get("/accounts/" + alice + "/balance?as_of=yesterday"), 400))
                .startsWith("as_of must be an ISO-8601 instant");
    }

    @Test
    void transfer_valid_204MovesMoneyAndLocationFindsIt() {
        UUID alice = client.open("10");
        UUID bob = client.open("0");
        HttpResponse<String> response = client.transfer(alice, bob, "2.5");
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(client.balance(alice)).isEqualTo("7.50");
        assertThat(client.balance(bob)).isEqualTo("2.50");
        String location = response.headers().firstValue("Location").orElseThrow();
        JsonNode transfer = ServiceClient.json(client.get(location));
        assertThat(transfer.get("source").asString()).isEqualTo(alice.toString());
        assertThat(transfer.get("destination").asString()).isEqualTo(bob.toString());
        assertThat(transfer.get("amount").decimalValue()).isEqualByComparingTo("2.5");
        assertThat(transfer.get("source_index").asLong()).isEqualTo(0);
    }

    /**
     * Beyond the seed: metadata on a transfer, kept exactly, returned with it, refused with the rule when malformed.
     */
    @Test
    void transfer_withMetadata_returnedWithTheTransferAndMalformedRefused() {
        UUID alice = client.open("10");
        UUID bob = client.open("0");
        String body = "{\"source\": \"" + alice + "\", \"destination\": \"" + bob + "\", \"amount\": 1,"
                + " \"metadata\": {\"order.id\": \"o-1\", \"note\": \"\\\"quoted\\\" 😀\"}}";
        HttpResponse<String> response = client.post("/transfers", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
        JsonNode transfer = ServiceClient.json(
                client.get(response.headers().firstValue("Location").orElseThrow()));
        assertThat(transfer.get("metadata").get("order.id").asString()).isEqualTo("o-1");
        assertThat(transfer.get("metadata").get("note").asString()).isEqualTo("\"quoted\" 😀");
        JsonNode plain = ServiceClient.json(client.get(client.transfer(alice, bob, "1")
                .headers()
                .firstValue("Location")
                .orElseThrow()));
        assertThat(plain.get("metadata").size()).isZero();

        String prefix =
                "{\"source\": \"" + alice + "\", \"destination\": \"" + bob + "\", \"amount\": 1, \"metadata\": ";
        assertThat(error(client.post("/transfers", prefix + "{\"Bad Key\": \"v\"}}"), 400))
                .contains("INVALID_METADATA", "'Bad Key'", "a-z 0-9 _ . -");
        assertThat(error(client.post("/transfers", prefix + "{\"k\": 5}}"), 400))
                .contains("metadata.k must be a string");
        assertThat(error(client.post("/transfers", prefix + "[\"k\"]}"), 400)).contains("metadata must be an object");
        assertThat(client.balance(alice)).isEqualTo("8.00");
    }

    @Test
    void transfer_errors_inTheSeedsOrderAndWords() {
        UUID alice = client.open("10");
        UUID missing = UUID.randomUUID();
        UUID alsoMissing = UUID.randomUUID();
        UUID service = UUID.fromString(SERVICE);
        // Each request breaks this rule and every later one, so the order is what is tested.
        assertError(client.transfer(service, service, "0"), 400, "transfer amount must be greater than 0");
        assertError(client.transfer(alice, alice, "-1"), 400, "transfer amount must be greater than 0");
        assertError(
                client.transfer(service, service, "1"), 400, "the service account cannot be use as a source account");
        assertError(
                client.transfer(missing, missing, "1"),
                400,
                "source account must not be equal to the destination account");
        assertError(client.transfer(missing, alsoMissing, "1"), 400, "destination account not found");
        assertError(client.transfer(alice, missing, "1"), 400, "destination account not found");
        assertError(client.transfer(missing, alice, "1"), 400, "source account not found");
        assertError(client.transfer(alice, service, "10.01"), 400, "not enough funds on the source account");
        assertThat(error(client.transfer(alice, service, "0.001"), 400))
                .isEqualTo("amount has more than 2 decimal places: 0.001");
        assertThat(client.balance(alice)).isEqualTo("10.00"); // nothing recorded
        assertThat(client.transfer(alice, service, "10").statusCode()).isEqualTo(204); // down to exactly 0
        assertThat(client.balance(alice)).isEqualTo("0.00");
    }

    @Test
    void errors_carryTheRequestIdHeader_orANewUuid() {
        HttpResponse<String> given =
                client.post("/transfers", "{}", "X-Request-ID", "trace-42", "Content-Type", "application/json");
        assertThat(ServiceClient.json(given).get("request_id").asString()).isEqualTo("trace-42");
        assertThat(given.headers().firstValue("X-Request-ID")).contains("trace-42");
        HttpResponse<String> generated = client.post("/transfers", "{}");
        String id = ServiceClient.json(generated).get("request_id").asString();
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        assertThat(generated.headers().firstValue("X-Request-ID")).contains(id);
    }

    @Test
    void unexpectedFailure_500WithNothingInternal() {
        HttpResponse<String> response = client.get("/test-only/fail");
        assertError(response, 500, "Internal Server Error");
        assertThat(response.body()).doesNotContain("hunter2", "jdbc", "Exception", "at dev.");
    }

    @Test
    void unknownPathOrMethod_404Or405InTheSameShape() {
        assertError(client.get("/nowhere"), 404, "not found");
        assertError(client.get("/transfers"), 405, "method not allowed");
    }

    @Test
    void idempotencyKey_sameRequest_appliedOnceSameOutcome() {
        UUID alice = client.open("10");
        UUID bob = client.open("0");
        String key = "key-" + UUID.randomUUID();
        HttpResponse<String> first = client.transfer(alice, bob, "3", "Idempotency-Key", key);
        HttpResponse<String> again = client.transfer(alice, bob, "3.00", "Idempotency-Key", key);
        assertThat(first.statusCode()).isEqualTo(204);
        assertThat(again.statusCode()).isEqualTo(204);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(again.headers().firstValue("Location"))
                .isEqualTo(first.headers().firstValue("Location"));
        assertThat(client.balance(alice)).isEqualTo("7.00");
    }

    @Test
    void idempotencyKey_differentBody_409AndNothingRecorded() {
        UUID alice = client.open("10");
        UUID bob = client.open("0");
        String key = "key-" + UUID.randomUUID();
        assertThat(client.transfer(alice, bob, "3", "Idempotency-Key", key).statusCode())
                .isEqualTo(204);
        assertThat(error(client.transfer(alice, bob, "4", "Idempotency-Key", key), 409))
                .contains("was already used for a different request");
        assertThat(client.balance(alice)).isEqualTo("7.00");
        assertThat(error(client.transfer(alice, bob, "1", "Idempotency-Key", "bad key"), 400))
                .startsWith("Idempotency-Key must be 1 to 255 visible ASCII characters");
    }

    /**
     * A key whose first POST /accounts opened and funded an account but lost its outcome (a 5xx is not kept), reused
     * for another account: 409 like a transfer's reused key, not the ledger's 400, and nothing more is recorded.
     */
    @Test
    void idempotencyKey_onAccountsAfterALostOutcome_otherAccount409() {
        String key = "key-" + UUID.randomUUID();
        UUID first = UUID.randomUUID();
        Ledger ledger = service.context().getBean(Ledger.class);
        ledger.open(NewAccount.of(AccountId.of(first.toString()), "USD")
                .withOpeningBalance(500, AccountId.of(SERVICE))
                .withFundingTransferId(TransferApi.derivedId("account", key)));
        UUID second = UUID.randomUUID();
        assertThat(error(
                        client.post(
                                "/accounts",
                                "{\"account_id\": \"" + second + "\", \"balance\": 5}",
                                "Idempotency-Key",
                                key),
                        409))
                .contains("was already used for a different request");
        assertThat(ledger.account(AccountId.of(second.toString()))).isEmpty();
        // the refusal is the key's kept outcome now, as any 4xx is: the same request gets it again
        HttpResponse<String> again = client.post(
                "/accounts", "{\"account_id\": \"" + second + "\", \"balance\": 5}", "Idempotency-Key", key);
        assertThat(error(again, 409)).contains("was already used for a different request");
        assertThat(ledger.account(AccountId.of(second.toString()))).isEmpty();
    }

    @Test
    void idempotencyKey_refusedRequest_retryGetsTheSameRefusal() {
        UUID alice = client.open("1");
        UUID bob = client.open("0");
        String key = "key-" + UUID.randomUUID();
        HttpResponse<String> refused = client.transfer(alice, bob, "5", "Idempotency-Key", key);
        assertError(refused, 400, "not enough funds on the source account");
        UUID rich = client.open("100");
        assertThat(client.transfer(rich, alice, "10").statusCode()).isEqualTo(204); // now the transfer could pass
        HttpResponse<String> retried = client.transfer(alice, bob, "5", "Idempotency-Key", key);
        assertThat(retried.statusCode()).isEqualTo(400);
        assertThat(retried.body()).isEqualTo(refused.body());
        assertThat(client.balance(alice)).isEqualTo("11.00"); // the keyed request was not run again
    }

    @Test
    void idempotencyKey_onAccounts_replayed204_otherBody409() {
        UUID id = UUID.randomUUID();
        String key = "open-" + id;
        String body = "{\"account_id\": \"" + id + "\", \"balance\": 50}";
        assertThat(client.post("/accounts", body, "Idempotency-Key", key).statusCode())
                .isEqualTo(204);
        assertThat(client.post("/accounts", body, "Idempotency-Key", key).statusCode())
                .isEqualTo(204);
        assertThat(client.post("/accounts", "{\"account_id\": \"" + id + "\", \"balance\": 51}", "Idempotency-Key", key)
                        .statusCode())
                .isEqualTo(409);
        assertThat(client.balance(id)).isEqualTo("50.00");
    }

    @Test
    void idempotencyKey_concurrentRetries_exactlyOneTransfer() throws Exception {
        UUID alice = client.open("100");
        UUID bob = client.open("0");
        String key = "race-" + UUID.randomUUID();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                calls.add(pool.submit(() -> client.transfer(alice, bob, "1", "Idempotency-Key", key)));
            }
            for (Future<HttpResponse<String>> call : calls) {
                assertThat(call.get().statusCode()).as(call.get().body()).isIn(204, 409);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(client.balance(bob)).isEqualTo("1.00");
    }

    @Test
    void statement_pagesWithCursor_allLinesOnce() {
        UUID alice = client.open("10");
        UUID bob = client.open("0");
        for (int i = 1; i <= 5; i++) {
            assertThat(client.transfer(alice, bob, "1").statusCode()).isEqualTo(204);
        }
        List<String> balances = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = ServiceClient.json(client.get(
                    "/accounts/" + bob + "/statement?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)));
            page.get("lines")
                    .forEach(line -> balances.add(
                            line.get("balance_after").decimalValue().toPlainString()));
            cursor = page.get("next_cursor").isNull()
                    ? null
                    : page.get("next_cursor").asString();
        } while (cursor != null);
        assertThat(balances).containsExactly("1.00", "2.00", "3.00", "4.00", "5.00");
        JsonNode newest = ServiceClient.json(client.get("/accounts/" + alice + "/statement?order=desc&limit=1"));
        assertThat(newest.get("lines").get(0).get("balance_after").decimalValue())
                .isEqualByComparingTo("5");
        assertThat(newest.get("lines").get(0).get("change").decimalValue()).isEqualByComparingTo("-1");
        assertError(client.get("/accounts/" + UUID.randomUUID() + "/statement"), 404, "account not found");
        assertThat(error(client.get("/accounts/" + bob + "/statement?limit=0"), 400))
                .startsWith("limit must be");
        assertThat(error(client.get("/accounts/" + bob + "/statement?cursor=xyz"), 400))
                .startsWith("cursor must be");
        assertThat(error(client.get("/accounts/" + bob + "/statement?order=up"), 400))
                .startsWith("order must be");
    }

    @Test
    void findTransfer_unknownOrMalformed_404Or400() {
        assertError(client.get("/transfers/" + UUID.randomUUID()), 404, "transfer not found");
        assertThat(error(client.get("/transfers/123"), 400)).startsWith("transfer id must be a UUID");
    }

    @Test
    void docsAndActuator_servedAtTheSeedsUrls() {
        HttpResponse<String> openapi = client.get("/openapi.json");
        assertThat(openapi.statusCode()).isEqualTo(200);
        JsonNode paths = ServiceClient.json(openapi).get("paths");
        assertThat(paths.has("/accounts")).isTrue();
        assertThat(paths.has("/transfers")).isTrue();
        assertThat(paths.has("/accounts/{id}/balance")).isTrue();
        assertThat(paths.get("/transfers").get("post").get("responses").propertyNames())
                .contains("204", "400", "409", "503");
        HttpResponse<String> swagger = client.get("/docs");
        assertThat(swagger.statusCode()).isEqualTo(200);
        assertThat(swagger.body()).containsIgnoringCase("swagger");
        HttpResponse<String> redoc = client.get("/redoc");
        assertThat(redoc.statusCode()).isEqualTo(200);
        assertThat(redoc.body()).contains("spec-url=\"/openapi.json\"");
        HttpResponse<String> health = client.get("/actuator/health");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(ServiceClient.json(health).get("status").asString()).isEqualTo("UP");
        client.open("1");
        HttpResponse<String> prometheus = client.get("/actuator/prometheus");
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).contains("ledger_calls_seconds_count", "hikaricp_connections");
    }

    private static void assertError(HttpResponse<String> response, int status, String message) {
        assertThat(error(response, status)).isEqualTo(message);
    }

    private static String error(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonNode body = ServiceClient.json(response);
        assertThat(body.size()).as(response.body()).isEqualTo(2);
        assertThat(body.get("request_id").asString()).isNotBlank();
        return body.get("error").asString();
    }
}
