package dev.ledger.jmh.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The reports rendered from two runs kept in src/test/resources/.../fixture: the output of a bench.sh --smoke run and
 * of the --citus run behind docs/benchmarks-citus.md, their JMH JSON trimmed to what the reports read. The expected
 * files are what the report code wrote for those inputs before its prose moved into templates (with the Markdown's two
 * reflow fixes since).
 */
class ReportFixtureTest {
    /** The machine the expected report was written on. */
    private static final Markdown.Machine MACHINE = new Markdown.Machine(
            "2", "23.5 GiB", "AMD EPYC", "Debian GNU/Linux 12 (bookworm), kernel 6.18.44-fc-v669 amd64");

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(ReportFixtureTest.class.getResource("fixture/" + name).toURI());
    }

    @Test
    void markdown_smokeRunFixture_isTheExpectedReport() throws Exception {
        Results r = Results.read(fixture("smoke"));
        Map<String, Double> summary = Report.summary(r);

        String markdown =
                new Markdown(r, summary, "benchmarks-throughput.png", "ledger-jmh/bench.sh --smoke", MACHINE).render();

        assertEquals(Files.readString(fixture("smoke-expected.md")), markdown);
        assertEquals(Files.readString(fixture("smoke-expected-summary.json")), Report.summaryJson(summary));
    }

    @Test
    void markdown_citusRunFixture_isTheExpectedReport() throws Exception {
        Results r = Results.read(fixture("citus"));
        CitusTrials trials = new CitusTrials(r);
        Map<String, Double> headline = CitusReport.headline(trials);

        String markdown = new CitusMarkdown(r, trials, headline, "ledger-jmh/bench.sh --citus").render();

        assertEquals(Files.readString(fixture("citus-expected.md")), markdown);
        assertEquals(
                Files.readString(fixture("citus-expected-summary.json")), CitusReport.summaryJson(trials, headline));
    }

    @Test
    void report_unknownOptionOrMissingValue_usageErrorStatus() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine report = new CommandLine(new Report()).setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));

        assertEquals(2, report.execute("--in", "x", "--bogus"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("Unknown option: '--bogus'"), err.toString());
        assertEquals(2, report.execute("--markdown"));
        assertEquals(
                2,
                new CommandLine(new CitusReport())
                        .setErr(new PrintWriter(new ByteArrayOutputStream(), true))
                        .execute("--check", "extra"));
    }
}
