package dev.ledger.postgres;

import dev.ledger.core.ChainHead;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.VerificationReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies a PostgreSQL ledger from the command line and prints a readable report:
 * <pre>
 *   VerifyCommand --jdbc-url URL [--schema S] [--heads FILE] [--export-heads FILE]
 * </pre>
 * {@code --heads} checks the chain heads exported earlier (one {@code source index hash} per line);
 * {@code --export-heads} writes the heads seen by this verification, for the next one. Exit status: 0 the
 * ledger is intact, 1 problems were found, 2 usage error, 3 the verification could not run (database
 * unreachable, schema missing or not current). Needs only SELECT on the schema.
 */
public final class VerifyCommand {
  static final int OK = 0;
  static final int PROBLEMS = 1;
  static final int USAGE = 2;
  static final int CANNOT_RUN = 3;

  private static final String USAGE_TEXT = """
      usage: VerifyCommand --jdbc-url URL [--schema S] [--heads FILE] [--export-heads FILE]
        --jdbc-url URL        jdbc:postgresql://host:port/db?user=...&password=... (a role with SELECT suffices)
        --schema S            the ledger schema (default: ledger)
        --heads FILE          chain heads exported earlier: check each is still recorded with the same hash
        --export-heads FILE   write the chain heads seen now (keep them outside the database)
      exit status: 0 intact, 1 problems found, 2 usage error, 3 could not verify""";

  private VerifyCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    String url = null;
    String schema = PostgresLedgerStore.DEFAULT_SCHEMA;
    Path heads = null;
    Path export = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        out.println(USAGE_TEXT);
        return OK;
      }
      if (i + 1 >= args.length || !List.of("--jdbc-url", "--schema", "--heads", "--export-heads").contains(arg)) {
        err.println("unknown or incomplete option '" + arg + "'");
        err.println(USAGE_TEXT);
        return USAGE;
      }
      String value = args[++i];
      switch (arg) {
        case "--jdbc-url" -> url = value;
        case "--schema" -> schema = value;
        case "--heads" -> heads = Path.of(value);
        default -> export = Path.of(value);
      }
    }
    if (url == null) {
      err.println("--jdbc-url is required");
      err.println(USAGE_TEXT);
      return USAGE;
    }
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
    PostgresVerifier.Result result;
    try (PostgresLedgerStore store = PostgresLedgerStore.builder().jdbcUrl(url).schema(schema).maximumPoolSize(1)
        .summarizeEvery(Duration.ZERO).build()) {
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
    if (export != null) {
      StringBuilder text = new StringBuilder("# ledger chain heads of schema " + schema + ": source index sha256\n");
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
