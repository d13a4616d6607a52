package dev.ledger.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * With its database gone, the service answers 503 with {@code Retry-After} (never a 500, never a hang), and an
 * Idempotency-Key retried after the database is back is applied once. Always on an embedded PostgreSQL of its own,
 * since the test stops it.
 */
class LedgerServiceUnavailableTest {
    @Test
    void databaseDown_503WithRetryAfter_thenKeyedRetryAppliedOnce() throws Exception {
        Path data = Files.createTempDirectory("ledger-service-down");
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .start();
        int pgPort = postgres.getPort();
        String url = "jdbc:postgresql://localhost:" + pgPort + "/postgres?user=postgres";
        try (LedgerService.Running service = LedgerService.start(LedgerService.Options.parse(
                "--port",
                "0",
                "--jdbc-url",
                url,
                "--spring.datasource.hikari.connection-timeout=1000",
                "--ledger.summarizer.enabled=false"))) {
            ServiceClient client = new ServiceClient(service.url());
            UUID alice = client.open("10");
            UUID bob = client.open("0");

            postgres.close();
            String key = "down-" + UUID.randomUUID();
            HttpResponse<String> transfer = client.transfer(alice, bob, "1", "Idempotency-Key", key);
            assertThat(transfer.statusCode()).as(transfer.body()).isEqualTo(503);
            assertThat(transfer.headers().firstValue("Retry-After")).contains("1");
            JsonNode body = ServiceClient.json(transfer);
            assertThat(body.get("error").asString()).startsWith("the ledger is unavailable");
            assertThat(transfer.body()).doesNotContain("jdbc", "Exception", "postgres");
            HttpResponse<String> balance = client.get("/accounts/" + alice + "/balance");
            assertThat(balance.statusCode()).as(balance.body()).isEqualTo(503);
            assertThat(client.transfer(alice, bob, "1").statusCode()).isEqualTo(503);

            postgres = EmbeddedPostgres.builder()
                    .setPort(pgPort)
                    .setDataDirectory(data)
                    .setCleanDataDirectory(false)
                    .start();
            // Back: the keyed retry is applied, once, however many times it is sent.
            assertThat(client.transfer(alice, bob, "1", "Idempotency-Key", key).statusCode())
                    .isEqualTo(204);
            assertThat(client.transfer(alice, bob, "1", "Idempotency-Key", key).statusCode())
                    .isEqualTo(204);
            assertThat(client.balance(bob)).isEqualTo("1.00");
        } finally {
            postgres.close();
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
