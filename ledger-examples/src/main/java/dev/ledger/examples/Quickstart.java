package dev.ledger.examples;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerListener;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.postgres.PostgresLedgerStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A guided tour of the ledger, printed as a short story: accounts, transfers, a refused overdraft, an
 * idempotent replay, balances now and in the past, a statement, and two races of 20 threads.
 *
 * <pre>
 * ./mvnw -q -Pquickstart package -pl ledger-examples -am                       # embedded PostgreSQL
 * ./mvnw -q -Pquickstart package -pl ledger-examples -am -Dquickstart.args="--in-memory"
 * ./mvnw -q -Pquickstart package -pl ledger-examples -am -Dquickstart.args="--jdbc-url jdbc:postgresql://..."
 * </pre>
 *
 * <p>The ledger runs on a {@link SteppingClock} (one second per reading) so that the printed times are distinct
 * and readable; a real application keeps the default system clock.
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

  private static final String CURRENCY = "USD";
  private static final Instant START = Instant.parse("2026-01-01T09:00:00Z");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final int RACERS = 20;

  private static final AccountId BANK = AccountId.of("bank");
  private static final AccountId ALICE = AccountId.of("alice");
  private static final AccountId BOB = AccountId.of("bob");
  private static final AccountId SHOP = AccountId.of("shop");

  private final PrintStream out;
  private final Ledger ledger;
  private final ConflictCounter conflicts;
  private final SteppingClock clock;

  private Quickstart(PrintStream out, Ledger ledger, ConflictCounter conflicts, SteppingClock clock) {
    this.out = out;
    this.ledger = ledger;
    this.conflicts = conflicts;
    this.clock = clock;
  }

  /**
   * Counts the attempts that lost their index slot to a concurrent debit (which the ledger then retried): the
   * races print the count to show that races happen and are absorbed. Thread-safe.
   */
  private static final class ConflictCounter implements LedgerListener {
    private final AtomicLong conflicts = new AtomicLong();

    @Override
    public void conflict(Operation operation, int attempt, String detail) {
      conflicts.incrementAndGet();
    }

    /** Conflicts reported since the last call, and resets the count. */
    long take() {
      return conflicts.getAndSet(0);
    }
  }

  public static void main(String[] args) throws Exception {
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** Runs the quickstart and returns the exit status: 0; 1 when the store fails; 2 for a usage error. */
  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("quickstart: " + e.getMessage());
      err.println();
      err.print(USAGE);
      return 2;
    }
    if (options.help) {
      out.print(USAGE);
      return 0;
    }
    long started = System.nanoTime();
    out.println("Ledger quickstart");
    try (StoreWarnings warnings = StoreWarnings.capture();
        Backend backend = Backend.start(options)) {
      out.printf("  store   %s; ready in %.1f s%n", backend.description, seconds(started));
      List<String> warned = warnings.drain();
      if (backend.server != null && !warned.isEmpty()) {
        // The embedded server is a throwaway tuned for speed; say so once instead of repeating each warning.
        out.println("  note    the store warns: " + warned.stream().map(w -> w.split(":", 2)[0])
            .collect(Collectors.joining("; ")) + " (fine for this throwaway server, never for a real ledger)");
      } else {
        warned.forEach(w -> out.println("  note    the store warns: " + w));
      }
      out.println("  clock   starts " + START + " and steps 1 s per reading; times below are hh:mm:ss UTC");
      ConflictCounter conflicts = new ConflictCounter();
      SteppingClock clock = new SteppingClock(START);
      try (Ledger ledger = Ledger.builder(backend.store).clock(clock).listener(conflicts).build()) {
        new Quickstart(out, ledger, conflicts, clock).tell();
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

  private void tell() throws InterruptedException {
    openAccounts();
    Instant checkpoint = transfers();
    overdraft();
    replay();
    balances(checkpoint);
    statement();
    cardPayment();
    races();
  }

  /** A card payment: a hold, a partial capture, and a hold that expires (CardHoldExample), with the balances. */
  private void cardPayment() {
    section("Card payment  (a two-phase transfer: hold, capture part, release the rest; a hold that expires)");
    out.printf("  %-26s  %9s  %9s  %9s%n", "card-4242 after", "posted", "pending", "available");
    CardHoldExample.run(ledger, clock, BANK).forEach((step, b) -> out.printf("  %-26s  %9s  %9s  %9s%n", step,
        money(b.posted()), money(b.pendingDebits()), money(b.available())));
  }

  private void openAccounts() {
    section("Accounts");
    Account bank = ledger.open(NewAccount.issuer(BANK, CURRENCY));
    Account alice = ledger.open(NewAccount.of(ALICE, CURRENCY).withOpeningBalance(100_00, BANK));
    Account bob = ledger.open(NewAccount.of(BOB, CURRENCY));
    out.printf("  %-6s %-8s  %-3s  opened %s  (money enters the ledger through issuers)%n",
        bank.id(), "issuer", bank.currency(), time(bank.openedAt()));
    out.printf("  %-6s %-8s  %-3s  opened %s  with %s funded by %s%n",
        alice.id(), "ordinary", alice.currency(), time(alice.openedAt()), money(100_00), BANK);
    out.printf("  %-6s %-8s  %-3s  opened %s%n", bob.id(), "ordinary", bob.currency(), time(bob.openedAt()));
  }

  /** Records three transfers; returns the time of the second, for a balance in the past. */
  private Instant transfers() {
    section("Transfers  (index: the transfer's position among its source's debits, 0, 1, 2, ...)");
    out.printf("  %-8s  %-6s  %5s  %-11s  %8s  %s%n", "time", "source", "index", "destination", "amount",
        "reference");
    transferLine(ledger.transfer(TransferRequest.of(ALICE, BOB, 25_00, CURRENCY).withReference("lunch")));
    Transfer change = ledger.transfer(TransferRequest.of(BOB, ALICE, 5_00, CURRENCY).withReference("change"));
    transferLine(change);
    transferLine(ledger.transfer(TransferRequest.of(ALICE, BOB, 30_00, CURRENCY).withReference("rent share")));
    return change.recordedAt();
  }

  private void transferLine(Transfer t) {
    out.printf("  %-8s  %-6s  %5d  %-11s  %8s  %s%n", time(t.recordedAt()), t.source(), t.sourceIndex(),
        t.destination(), money(t.amount()), Objects.toString(t.reference(), ""));
  }

  private void overdraft() {
    section("Overdraft  (the message gives amounts in minor units, i.e. cents)");
    try {
      ledger.transfer(TransferRequest.of(BOB, ALICE, 500_00, CURRENCY));
      out.println("  bob -> alice " + money(500_00) + "  recorded?! (this should not happen)");
    } catch (LedgerRejectedException e) {
      out.println("  bob -> alice " + money(500_00) + ": refused with " + e.reason() + "; nothing recorded");
      out.println("  message: " + e.getMessage());
    }
  }

  private void replay() {
    UUID id = UUID.nameUUIDFromBytes("order-1042".getBytes(StandardCharsets.UTF_8));
    section("Idempotent replay  (transfer id " + id + ", chosen by the caller)");
    TransferRequest coffee = TransferRequest.of(ALICE, BOB, 2_50, CURRENCY).withId(id).withReference("coffee");
    Transfer first = ledger.transfer(coffee);
    Transfer second = ledger.transfer(coffee);
    out.printf("  1st call  alice index %d at %s  recorded%n", first.sourceIndex(), time(first.recordedAt()));
    out.printf("  2nd call  alice index %d at %s  %s%n", second.sourceIndex(), time(second.recordedAt()),
        second.equals(first) ? "the same transfer, returned again" : "A DIFFERENT TRANSFER?!");
    long lines = allLines(ALICE).stream().filter(l -> l.transfer().id().equals(id)).count();
    out.println("  recorded " + (lines == 1 ? "once" : lines + " times")
        + ": alice's statement has " + lines + " line with this id");
    try {
      ledger.transfer(TransferRequest.of(ALICE, BOB, 3_00, CURRENCY).withId(id).withReference("coffee"));
      out.println("  same id, amount 3.00: recorded?! (this should not happen)");
    } catch (LedgerRejectedException e) {
      out.println("  same id, amount " + money(3_00) + ": refused with " + e.reason());
    }
  }

  private void balances(Instant checkpoint) {
    section("Balances");
    String past = "as of " + time(checkpoint);
    out.printf("  %-6s  %9s  %14s%n", "", "now", past);
    for (AccountId id : List.of(BANK, ALICE, BOB)) {
      out.printf("  %-6s  %9s  %14s%n", id, money(ledger.balance(id)), money(ledger.balanceAsOf(id, checkpoint)));
    }
  }

  private void statement() {
    section("Statement of alice  (pages of 3, oldest first)");
    StatementQuery query = StatementQuery.of(ALICE).limit(3);
    for (int page = 1; ; page++) {
      StatementPage p = ledger.statement(query);
      out.println("  page " + page + (page > 1 ? "  (after the cursor of the line above)" : ""));
      for (StatementLine line : p.lines()) {
        Transfer t = line.transfer();
        String other = line.isDebit() ? "to " + t.destination() : "from " + t.source();
        out.printf("    %s  %8s  %-10s  %s%n", time(t.recordedAt()),
            (line.change() > 0 ? "+" : "") + money(line.change()), other, Objects.toString(t.reference(), ""));
      }
      if (!p.hasNext()) {
        break;
      }
      query = query.after(p.next());
    }
  }

  private void races() throws InterruptedException {
    AccountId three = AccountId.of("race-3");
    AccountId hundred = AccountId.of("race-100");
    ledger.open(NewAccount.of(SHOP, CURRENCY));
    ledger.open(NewAccount.of(three, CURRENCY).withOpeningBalance(3, BANK));
    ledger.open(NewAccount.of(hundred, CURRENCY).withOpeningBalance(100, BANK));

    section("Race 1: " + RACERS + " threads at once each debit " + money(1) + " from race-3, which holds "
        + money(3));
    Race first = race(three);
    out.printf("  %d succeeded, %d refused with INSUFFICIENT_FUNDS, %d other%n", first.succeeded(),
        first.count(RejectionReason.INSUFFICIENT_FUNDS.name()), first.othersThan(RejectionReason.INSUFFICIENT_FUNDS.name()));
    first.printDetails();

    section("Race 2: the same from race-100, which holds " + money(100));
    Race second = race(hundred);
    out.printf("  %d succeeded, %d conflicts surfaced%s%n", second.succeeded(), second.count("RETRIES_EXHAUSTED"),
        second.othersThan("RETRIES_EXHAUSTED") > 0 ? ", " + second.othersThan("RETRIES_EXHAUSTED") + " other" : "");
    second.printDetails();
  }

  private Race race(AccountId source) throws InterruptedException {
    conflicts.take();
    Race race = new Race();
    CountDownLatch ready = new CountDownLatch(RACERS);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) {
      Thread thread = new Thread(() -> {
        ready.countDown();
        try {
          go.await();
          race.succeed(ledger.transfer(source, SHOP, 1, CURRENCY));
        } catch (LedgerRejectedException e) {
          race.fail(e.reason().name(), String.valueOf(e.getMessage()));
        } catch (LedgerUnavailableException e) {
          race.fail(e.kind().name(), String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          race.fail("INTERRUPTED", "interrupted before the start");
        } catch (RuntimeException e) {
          race.fail(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
        }
      }, "racer-" + i);
      threads.add(thread);
      thread.start();
    }
    ready.await();
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    race.conflictsRetried = conflicts.take();
    race.balance = ledger.balance(source);
    race.source = source;
    return race;
  }

  /** The outcome of one race. */
  private final class Race {
    final List<Transfer> recorded = Collections.synchronizedList(new ArrayList<>());
    final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    final Map<String, String> examples = new ConcurrentHashMap<>();
    long conflictsRetried;
    long balance;
    @Nullable AccountId source;

    void succeed(Transfer t) {
      recorded.add(t);
    }

    void fail(String kind, String message) {
      failures.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
      examples.putIfAbsent(kind, message);
    }

    int succeeded() {
      return recorded.size();
    }

    int count(String kind) {
      AtomicInteger n = failures.get(kind);
      return n == null ? 0 : n.get();
    }

    /** Failures of any kind but the given ones. */
    int othersThan(String kind) {
      return RACERS - succeeded() - count(kind);
    }

    void printDetails() {
      List<Long> indices = recorded.stream().map(Transfer::sourceIndex).sorted().toList();
      boolean contiguous = true;
      for (int i = 0; i < indices.size(); i++) {
        contiguous &= indices.get(i) == i;
      }
      String taken = indices.isEmpty() ? "none"
          : indices.size() <= 4 ? indices.toString().replaceAll("[\\[\\]]", "")
          : indices.get(0) + " to " + indices.get(indices.size() - 1);
      out.printf("  %s balance now %s; its debits hold indices %s%s%n", source, money(balance), taken,
          contiguous ? ", without gaps" : " (GAPS?!)");
      out.printf("  %d time%s an attempt lost its index slot to a concurrent debit; the ledger re-read and"
          + " retried%n", conflictsRetried, conflictsRetried == 1 ? "" : "s");
      examples.forEach((kind, message) -> {
        if (!kind.equals(RejectionReason.INSUFFICIENT_FUNDS.name())) {
          out.println("  e.g. " + message);
        }
      });
    }
  }

  private List<StatementLine> allLines(AccountId account) {
    List<StatementLine> lines = new ArrayList<>();
    StatementQuery query = StatementQuery.of(account).limit(StatementQuery.MAX_LIMIT);
    while (true) {
      StatementPage page = ledger.statement(query);
      lines.addAll(page.lines());
      if (!page.hasNext()) {
        return lines;
      }
      query = query.after(page.next());
    }
  }

  private void section(String title) {
    out.println();
    out.println(title);
  }

  private static String time(Instant instant) {
    return TIME.format(instant);
  }

  /** Minor units of USD as dollars and cents. */
  static String money(long minor) {
    long abs = Math.abs(minor);
    return (minor < 0 ? "-" : "") + abs / 100 + "." + (abs % 100 < 10 ? "0" : "") + abs % 100;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** The command line. */
  private record Options(boolean help, boolean inMemory, @Nullable String jdbcUrl) {
    static Options parse(String[] args) {
      boolean help = false;
      boolean inMemory = false;
      String jdbcUrl = null;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--help") || arg.equals("-h")) {
          help = true;
        } else if (arg.equals("--in-memory")) {
          inMemory = true;
        } else if (arg.equals("--jdbc-url")) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--jdbc-url needs a URL");
          }
          jdbcUrl = args[++i];
        } else if (arg.startsWith("--jdbc-url=")) {
          jdbcUrl = arg.substring("--jdbc-url=".length());
        } else {
          throw new IllegalArgumentException("unknown argument '" + arg + "'");
        }
      }
      if (inMemory && jdbcUrl != null) {
        throw new IllegalArgumentException("--in-memory and --jdbc-url exclude each other");
      }
      if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException("--jdbc-url must start with jdbc:postgresql:");
      }
      return new Options(help, inMemory, jdbcUrl);
    }
  }

  /** The store the story runs on, and the embedded server behind it, if any. */
  private static final class Backend implements AutoCloseable {
    final LedgerStore store;
    final String description;
    final @Nullable EmbeddedPostgres server;
    /** The schema this run created on an existing server, which the user may want to drop. */
    final @Nullable String leftBehind;

    private Backend(LedgerStore store, String description, @Nullable EmbeddedPostgres server,
        @Nullable String leftBehind) {
      this.store = store;
      this.description = description;
      this.server = server;
      this.leftBehind = leftBehind;
    }

    static Backend start(Options options) throws IOException, SQLException {
      if (options.inMemory) {
        return new Backend(new InMemoryLedgerStore(), "in memory (InMemoryLedgerStore; gone when the JVM exits)",
            null, null);
      }
      if (options.jdbcUrl != null) {
        String url = options.jdbcUrl;
        String version;
        try (Connection c = DriverManager.getConnection(url)) {
          version = serverVersion(c);
        }
        // Each run gets its own schema: accounts and transfers can never be deleted, only dropped wholesale.
        String schema = "quickstart_" + Instant.now().toEpochMilli();
        PostgresLedgerStore store = PostgresLedgerStore.builder().jdbcUrl(url).schema(schema).migrateOnStart(true)
            .build();
        return new Backend(store, "PostgreSQL " + version + " at " + redact(url) + ", schema " + schema
            + " created and migrated", null, schema);
      }
      EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
      try {
        String version;
        try (Connection c = pg.getPostgresDatabase().getConnection()) {
          version = serverVersion(c);
        }
        PostgresLedgerStore store = PostgresLedgerStore.builder()
            .dataSource(pg.getPostgresDatabase())
            .migrateOnStart(true)
            .build();
        return new Backend(store, "embedded PostgreSQL " + version + " on port " + pg.getPort() + ", schema "
            + store.schema() + " migrated on start", pg, null);
      } catch (SQLException | RuntimeException e) {
        pg.close();
        throw e;
      }
    }

    private static String serverVersion(Connection c) throws SQLException {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW server_version")) {
        rs.next();
        return rs.getString(1).split(" ", 2)[0];
      }
    }

    private static String redact(String url) {
      int q = url.indexOf('?');
      return q < 0 ? url : url.substring(0, q);
    }

    @Override
    public void close() throws IOException {
      try {
        store.close();
      } finally {
        if (server != null) {
          server.close();
        }
      }
    }
  }

  /**
   * For the run: silences java.util.logging (the JDBC driver logs there) and turns the PostgreSQL store's
   * start-up warnings, which it logs through {@link System.Logger}, into one line each in the story.
   */
  private static final class StoreWarnings implements AutoCloseable {
    private static final String STORE_LOGGER = PostgresLedgerStore.class.getName();

    private final Logger root = Logger.getLogger("");
    private final Logger storeLogger = Logger.getLogger(STORE_LOGGER);
    private final @Nullable Level rootLevel = root.getLevel();
    private final @Nullable Level storeLevel = storeLogger.getLevel();
    private final boolean storeUsedParents = storeLogger.getUseParentHandlers();
    private final List<String> messages = Collections.synchronizedList(new ArrayList<>());
    private final Handler handler = new Handler() {
      private final SimpleFormatter formatter = new SimpleFormatter();

      @Override
      public void publish(LogRecord record) {
        messages.add(formatter.formatMessage(record));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };

    static StoreWarnings capture() {
      StoreWarnings w = new StoreWarnings();
      w.root.setLevel(Level.OFF);
      w.storeLogger.setLevel(Level.WARNING);
      w.storeLogger.setUseParentHandlers(false);
      w.storeLogger.addHandler(w.handler);
      return w;
    }

    List<String> drain() {
      synchronized (messages) {
        List<String> copy = List.copyOf(messages);
        messages.clear();
        return copy;
      }
    }

    @Override
    public void close() {
      storeLogger.removeHandler(handler);
      storeLogger.setUseParentHandlers(storeUsedParents);
      storeLogger.setLevel(storeLevel);
      root.setLevel(rootLevel);
    }
  }
}
