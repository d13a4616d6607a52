package dev.ledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's usage snippet works, and it and the "Exactly once" snippet are exactly the tagged regions of
 * {@link ReadmeExample} and {@link ExactlyOnceExample} (which {@code ExactlyOnceExampleTest} runs).
 */
class ReadmeExampleTest {
    @Test
    void run_recordsRefusesAndReportsBalances() {
        ReadmeExample.Result r = ReadmeExample.run();

        assertEquals(25_00, r.recorded().amount());
        assertEquals(0, r.recorded().sourceIndex(), "alice's first debit");
        assertEquals("lunch", r.recorded().reference());
        assertEquals(java.util.Map.of("order.id", "ord_42"), r.recorded().metadata());
        assertEquals(r.recorded(), r.replayed(), "a replay returns the transfer recorded the first time");
        assertEquals(75_00, r.now());
        assertEquals(100_00, r.atOpening());
        assertEquals("declined: insufficient funds", r.outcome());
    }

    @Test
    void readme_showsExactlyTheTaggedRegion() throws IOException {
        assertShowsTaggedRegion("usage", "ReadmeExample.java");
    }

    @Test
    void readme_exactlyOnceShowsExactlyTheTaggedRegion() throws IOException {
        assertShowsTaggedRegion("exactly-once", "ExactlyOnceExample.java");
    }

    @Test
    void readme_batchesShowsExactlyTheTaggedRegion() throws IOException {
        assertShowsTaggedRegion("batches", "BatchExample.java");
        assertShowsTaggedRegion("limits", "LimitsExample.java");
        assertShowsTaggedRegion("card", "CardHoldExample.java");
    }

    @Test
    void readme_coalescingShowsExactlyTheTaggedRegions() throws IOException {
        assertShowsTaggedRegion("coalescing", "CoalescingExample.java");
        assertShowsTaggedRegion("async", "CoalescingExample.java");
    }

    @Test
    void readme_metricsShowsExactlyTheTaggedRegion() throws IOException {
        assertShowsTaggedRegion("metrics", "MetricsExample.java");
    }

    @Test
    void readme_storeTckShowsExactlyTheTaggedRegion() throws IOException {
        assertShowsTaggedRegion(
                "tck", moduleDir().resolve("src/test/java/com/example/store/AuditedStoreContractTest.java"));
    }

    @Test
    void metricsExample_onEmbeddedPostgres_metersTheTransferAndThePool() throws Exception {
        try (io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg =
                io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start()) {
            dev.ledger.postgres.PostgresLedgerStore.migrate(pg.getPostgresDatabase(), "ledger");
            io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

            java.util.concurrent.atomic.AtomicBoolean poolMetered = new java.util.concurrent.atomic.AtomicBoolean();

            MetricsExample.run(
                    pg.getJdbcUrl("postgres", "postgres"),
                    registry,
                    () -> poolMetered.set(
                            !registry.find("hikaricp.connections").gauges().isEmpty()));

            assertEquals(
                    1.0,
                    registry.get("ledger.transfers")
                            .tag("outcome", "recorded")
                            .counter()
                            .count());
            assertTrue(poolMetered.get(), "the owned pool's meters while it was open");
        }
    }

    /**
     * The README block between {@code <!-- snippet:NAME -->} and {@code <!-- /snippet:NAME -->} is exactly the region
     * of {@code sourceFile} between {@code // tag::NAME[]} and {@code // end::NAME[]}.
     */
    private static void assertShowsTaggedRegion(String name, String sourceFile) throws IOException {
        assertShowsTaggedRegion(name, moduleDir().resolve("src/main/java/dev/ledger/examples/" + sourceFile));
    }

    private static void assertShowsTaggedRegion(String name, Path source) throws IOException {
        Path readme = moduleDir().getParent().resolve("README.md");

        List<String> tagged = between(read(source), "// tag::" + name + "[]", "// end::" + name + "[]", source);
        List<String> block =
                between(read(readme), "<!-- snippet:" + name + " -->", "<!-- /snippet:" + name + " -->", readme);
        assertTrue(
                block.size() >= 2
                        && block.get(0).strip().equals("```java")
                        && block.get(block.size() - 1).strip().equals("```"),
                readme + ": the snippet markers must enclose exactly one ```java block");

        List<String> shown = dedent(block.subList(1, block.size() - 1));
        List<String> compiled = dedent(tagged);
        assertFalse(compiled.isEmpty(), "the tagged region is empty");
        assertEquals(
                String.join("\n", compiled),
                String.join("\n", shown),
                "README.md's " + name + " snippet differs from the tagged region of " + source + "; copy it over");
    }

    /** The module directory: Maven runs tests there; an IDE may run them from the repository root. */
    private static Path moduleDir() {
        Path dir = Path.of("").toAbsolutePath();
        return Files.isDirectory(dir.resolve("ledger-examples")) ? dir.resolve("ledger-examples") : dir;
    }

    private static List<String> read(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    /** The lines strictly between the single line containing {@code start} and the next containing {@code end}. */
    private static List<String> between(List<String> lines, String start, String end, Path file) {
        int from = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(start)) {
                assertEquals(-1, from, file + " has more than one " + start);
                from = i;
            }
        }
        assertTrue(from >= 0, file + " lacks " + start);
        for (int i = from + 1; i < lines.size(); i++) {
            if (lines.get(i).contains(end)) {
                return lines.subList(from + 1, i);
            }
        }
        throw new AssertionError(file + " lacks " + end + " after " + start);
    }

    /** Strips trailing blanks, leading and trailing empty lines, and the indentation common to all lines. */
    static List<String> dedent(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.stripTrailing());
        }
        while (!out.isEmpty() && out.get(0).isEmpty()) {
            out.remove(0);
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        int indent = Integer.MAX_VALUE;
        for (String line : out) {
            if (!line.isEmpty()) {
                indent = Math.min(indent, line.length() - line.stripLeading().length());
            }
        }
        List<String> result = new ArrayList<>();
        for (String line : out) {
            result.add(line.isEmpty() ? line : line.substring(indent));
        }
        return result;
    }
}
