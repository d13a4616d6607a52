package dev.ledger.cli;

import dev.ledger.core.ChainHead;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.VerificationReport;
import dev.ledger.postgres.PostgresLedgerStore;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Verifies a PostgreSQL ledger from the command line and prints a readable report; the main class of the
 * {@code ledger-cli} jar:
 *
 * <pre>
 *   java -jar ledger-cli.jar --jdbc-url URL [--schema S] [--heads FILE] [--export-heads FILE]
 * </pre>
 *
 * {@code --heads} checks the chain heads exported earlier (one {@code source index hash} per line);
 * {@code --export-heads} writes the heads seen by this verification, for the next one. Exit status: 0 the ledger is
 * intact, 1 problems were found, 2 usage error, 3 the verification could not run (database unreachable, schema missing
 * or not current). Needs only SELECT on the schema.
 */
@Command(
        name = "java -jar ledger-cli.jar",
        sortOptions = false,
        sortSynopsis = false,
        usageHelpAutoWidth = true,
        description = "Verifies a PostgreSQL ledger and prints a readable report. Needs only SELECT on the schema.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:intact",
            "1:problems found",
            "2:usage error",
            "3:could not verify (database unreachable, schema missing or not current)"
        })
public final class VerifyCommand implements Callable<Integer> {
    static final int OK = 0;
    static final int PROBLEMS = 1;
    static final int USAGE = 2;
    static final int CANNOT_RUN = 3;

    // Required: picocli refuses a command line without it before call() runs.
    @Option(
            names = "--jdbc-url",
            required = true,
            paramLabel = "URL",
            description = "jdbc:postgresql://host:port/db?user=...&password=... (a role with SELECT suffices)")
    private String url = "";

    @Option(names = "--schema", paramLabel = "S", description = "the ledger schema (default: ${DEFAULT-VALUE})")
    private String schema = PostgresLedgerStore.DEFAULT_SCHEMA;

    @Option(
            names = "--heads",
            paramLabel = "FILE",
            description = "chain heads exported earlier: check each is still recorded with the same hash")
    private @Nullable Path heads;

    @Option(
            names = "--export-heads",
            paramLabel = "FILE",
            description = "write the chain heads seen now (keep them outside the database)")
    private @Nullable Path export;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "print this help and exit")
    private boolean help;

    private final PrintStream out;
    private final PrintStream err;

    private VerifyCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the command and exits with its status.
     *
     * @param args the command line (see the class description)
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        // A repeated option takes its last value, as the command always did.
        int status = new CommandLine(new VerifyCommand(out, err))
                .setOverwrittenOptionsAllowed(true)
                .setOut(outWriter)
                .setErr(errWriter)
                .execute(args);
        outWriter.flush();
        errWriter.flush();
        return status;
    }

    @Override
    public Integer call() {
        Path heads = this.heads;
        List<ChainHead> trusted = new ArrayList<>();
        if (heads != null) {
            try {
                int lineNumber = 0;
                for (String line : Files.readAllLines(heads, StandardCharsets.UTF_8)) {
                    lineNumber++;
                    if (!line.isBlank() && !line.startsWith("#")) {
                        try {
                            trusted.add(ChainHead.parseLine(line));
                        } catch (LedgerRejectedException e) {
                            err.println(heads + " line " + lineNumber + ": " + e.getMessage());
                            return USAGE;
                        }
                    }
                }
            } catch (IOException e) {
                err.println("cannot read --heads " + heads + ": " + e);
                return USAGE;
            }
        }
        PostgresLedgerStore.Verification result;
        try (PostgresLedgerStore store = PostgresLedgerStore.builder()
                .jdbcUrl(url)
                .schema(schema)
                .maximumPoolSize(1)
                .summarizeEvery(Duration.ZERO)
                .build()) {
            result = store.verifyWithHeads(trusted);
        } catch (IllegalArgumentException | IllegalStateException | LedgerUnavailableException e) {
            err.println("cannot verify: " + e.getMessage());
            return e instanceof IllegalArgumentException ? USAGE : CANNOT_RUN;
        }
        VerificationReport report = result.report();
        out.print(report.describe());
        if (heads != null) {
            out.println(trusted.size() + " trusted chain head(s) checked from " + heads);
        }
        Path export = this.export;
        if (export != null) {
            StringBuilder text =
                    new StringBuilder("# ledger chain heads of schema " + schema + ": source index sha256\n");
            result.heads().forEach(h -> text.append(h.toLine()).append('\n'));
            try {
                Files.writeString(export, text, StandardCharsets.UTF_8);
                out.println(result.heads().size() + " chain head(s) written to " + export);
            } catch (IOException e) {
                err.println("cannot write --export-heads " + export + ": " + e);
                return CANNOT_RUN;
            }
        }
        return report.ok() ? OK : PROBLEMS;
    }
}
