package dev.ledger.examples;

import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerUnavailableException;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A guided tour of the ledger, printed as a short story: accounts, transfers, a refused overdraft, an idempotent
 * replay, balances now and in the past, a statement, and two races of 20 threads.
 *
 * <pre>
 * ./mvnw -q -Pquickstart package -pl ledger-examples -am                       # embedded PostgreSQL
 * ./mvnw -q -Pquickstart package -pl ledger-examples -am -Dquickstart.args="--in-memory"
 * ./mvnw -q -Pquickstart package -pl ledger-examples -am -Dquickstart.args="--jdbc-url jdbc:postgresql://..."
 * </pre>
 *
 * <p>Each part of the story is a sample of its own, read on its own: {@link AccountsSample} (accounts, transfers, an
 * overdraft), {@link IdempotencySample}, {@link BalancesSample} (now, as of, statements), {@link CardPaymentSample}
 * (pending transfers), {@link RacesSample}; batches and coalescing are {@link BatchExample} and
 * {@link CoalescingExample}. The ledger runs on a {@link SteppingClock} (one second per reading) so that the printed
 * times are distinct and readable; a real application keeps the default system clock.
 */
public final class Quickstart {
    static final String USAGE = """
      Usage: ./mvnw -q -Pquickstart package -pl ledger-examples -am [-Dquickstart.args="OPTION"]

      Runs a short story against the ledger and prints it.

      Options (at most one):
        (none)            start an embedded PostgreSQL (nothing to install) and use it
        --jdbc-url URL    use an existing PostgreSQL server, e.g.
                          jdbc:postgresql://localhost:5432/app?user=app&password=secret
                          (the role must be allowed to create a schema: each run creates a new one,
                          quickstart_<epoch millis>, and says how to drop it)
        --in-memory       use the in-memory store
        --help            print this help
      """;

    public static void main(String[] args) throws Exception {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs the quickstart and returns the exit status: 0; 1 when the store fails; 2 for a usage error. */
    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        QuickstartOptions options;
        try {
            options = QuickstartOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("quickstart: " + e.getMessage());
            err.println();
            err.print(USAGE);
            return 2;
        }
        if (options.help()) {
            out.print(USAGE);
            return 0;
        }
        long started = System.nanoTime();
        out.println("Ledger quickstart");
        try (StoreWarnings warnings = StoreWarnings.capture();
                QuickstartBackend backend = QuickstartBackend.start(options)) {
            out.printf("  store   %s; ready in %.1f s%n", backend.description, seconds(started));
            List<String> warned = warnings.drain();
            if (backend.server != null && !warned.isEmpty()) {
                // The embedded server is a throwaway tuned for speed; say so once instead of repeating each warning.
                out.println("  note    the store warns: "
                        + warned.stream().map(w -> w.split(":", 2)[0]).collect(Collectors.joining("; "))
                        + " (fine for this throwaway server, never for a real ledger)");
            } else {
                warned.forEach(w -> out.println("  note    the store warns: " + w));
            }
            out.println("  clock   starts " + Story.START + " and steps 1 s per reading; times below are hh:mm:ss UTC");
            Race.Conflicts conflicts = new Race.Conflicts();
            SteppingClock clock = new SteppingClock(Story.START);
            try (Ledger ledger = Ledger.builder(backend.store)
                    .clock(clock)
                    .listener(conflicts)
                    .build()) {
                tell(new Story(out, ledger, clock), conflicts);
            }
            if (backend.leftBehind != null) {
                out.println();
                out.println("The ledger's history is undeletable by design; to remove this run's schema:");
                out.println("  DROP SCHEMA " + backend.leftBehind + " CASCADE;");
            }
        } catch (SQLException | LedgerUnavailableException e) {
            err.println("quickstart: the store failed: " + e.getMessage());
            return 1;
        }
        out.printf("%nDone in %.1f s; store closed.%n", seconds(started));
        return 0;
    }

    private static void tell(Story story, Race.Conflicts conflicts) throws InterruptedException {
        Instant past = AccountsSample.run(story);
        IdempotencySample.run(story);
        BalancesSample.run(story, past);
        CardPaymentSample.run(story);
        RacesSample.run(story, conflicts);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
