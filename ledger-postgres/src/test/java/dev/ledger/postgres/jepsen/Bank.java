package dev.ledger.postgres.jepsen;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * The bank workload of the fault tests (after Jepsen's "bank" test): one issuer and a few accounts; concurrent clients
 * make transfers between them with caller-chosen (seeded) transfer ids, and read every balance in one SQL statement
 * (one snapshot). Every operation and its outcome goes into a {@link History}. After the faults are healed,
 * {@link #resolve()} settles every unknown outcome by {@code findTransfer} and a retry with the same id, and
 * {@link #finalState(DataSource)} reads what the database holds for the {@link BankChecker}.
 */
public final class Bank {
    public static final String CURRENCY = "USD";
    public static final AccountId ISSUER = AccountId.of("bank");

    /** How a client records one transfer; the default makes one call. */
    @FunctionalInterface
    public interface TransferStep {
        void run(Bank bank, int client, SplittableRandom random, TransferRequest request);
    }

    private final Ledger ledger;
    private final DataSource readSource;
    private final String schema;
    private final long seed;
    private final List<AccountId> accounts = new ArrayList<>();
    private final Set<UUID> setupIds = new HashSet<>();
    private final History history = new History();
    private final long initial;
    private volatile int readPercent = 10;
    private volatile boolean readsPerAccount;

    /**
     * @param ledger the ledger under test (its store goes through the faults)
     * @param readSource the DataSource for snapshot reads (normally the same faulty path as the store)
     */
    public Bank(Ledger ledger, DataSource readSource, String schema, long seed, int accountCount, long initial) {
        this.ledger = ledger;
        this.readSource = readSource;
        this.schema = schema;
        this.seed = seed;
        this.initial = initial;
        for (int i = 0; i < accountCount; i++) {
            accounts.add(AccountId.of("acct-" + i));
        }
    }

    public Ledger ledger() {
        return ledger;
    }

    public History history() {
        return history;
    }

    public String schema() {
        return schema;
    }

    public Set<UUID> setupIds() {
        return Set.copyOf(setupIds);
    }

    public List<AccountId> accounts() {
        return List.copyOf(accounts);
    }

    public void readPercent(int percent) {
        this.readPercent = percent;
    }

    /** Opens the issuer and the accounts (each funded with {@code initial}); run before any fault. */
    public void open() {
        SplittableRandom random = new SplittableRandom(seed ^ 0x5EED);
        openRetrying(NewAccount.issuer(ISSUER, CURRENCY));
        for (AccountId id : accounts) {
            UUID funding = new UUID(random.nextLong(), random.nextLong());
            setupIds.add(funding);
            openRetrying(NewAccount.of(id, CURRENCY)
                    .withOpeningBalance(initial, ISSUER)
                    .withFundingTransferId(funding));
        }
    }

    private void openRetrying(NewAccount request) {
        for (int attempt = 1; ; attempt++) {
            try {
                ledger.open(request);
                return;
            } catch (LedgerRejectedException e) {
                if (e.reason() == RejectionReason.ACCOUNT_EXISTS && attempt > 1) {
                    return; // an earlier attempt with an unknown outcome opened it
                }
                throw e;
            } catch (LedgerUnavailableException e) {
                if (attempt >= 20) {
                    throw e;
                }
                sleep(100);
            }
        }
    }

    /**
     * Reads each account's balance with its own statements (Citus, where one statement over every account is no single
     * snapshot and cannot call the schema's functions): for the final state only, read while quiescent; the run's reads
     * should then be off ({@code readPercent(0)}).
     */
    public void readsPerAccount() {
        this.readsPerAccount = true;
    }

    /** Every balance in one statement, through the schema's own functions, so from one snapshot. */
    public Map<String, Long> snapshot(DataSource source) throws SQLException {
        String s = schema + ".";
        if (readsPerAccount) {
            return balancesOneByOne(source);
        }
        String sql = "SELECT a.id, " + s + "credits_as_of(a.id, 'infinity') - coalesce((SELECT t.source_debits FROM "
                + s + "transfer t WHERE t.source = a.id ORDER BY t.source_index DESC LIMIT 1), 0) AS balance FROM " + s
                + "account a ORDER BY a.id";
        Map<String, Long> balances = new LinkedHashMap<>();
        try (Connection c = source.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                balances.put(rs.getString(1), rs.getBigDecimal(2).longValueExact());
            }
        }
        return balances;
    }

    private Map<String, Long> balancesOneByOne(DataSource source) throws SQLException {
        String s = schema + ".";
        Map<String, Long> balances = new LinkedHashMap<>();
        try (Connection c = source.getConnection();
                Statement st = c.createStatement();
                PreparedStatement credits = c.prepareStatement("SELECT " + s + "credits_as_of(?, 'infinity')");
                PreparedStatement debits = c.prepareStatement("SELECT source_debits FROM " + s
                        + "transfer WHERE source = ?" + " ORDER BY source_index DESC LIMIT 1")) {
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT id FROM " + s + "account ORDER BY id")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            for (String id : ids) {
                credits.setString(1, id);
                debits.setString(1, id);
                long balance;
                try (ResultSet rs = credits.executeQuery()) {
                    rs.next();
                    balance = rs.getBigDecimal(1).longValueExact();
                }
                try (ResultSet rs = debits.executeQuery()) {
                    if (rs.next()) {
                        balance -= rs.getLong(1);
                    }
                }
                balances.put(id, balance);
            }
        }
        return balances;
    }

    /**
     * Runs {@code clients} clients until {@code duration} has passed and {@code enough} is true (or {@code hardLimit}
     * has passed), each with its own seeded random.
     */
    public void run(int clients, Duration duration, Duration hardLimit, BooleanSupplier enough, TransferStep step)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + client);
            futures.add(pool.submit(() -> {
                int n = 0;
                while (!stop.get()) {
                    if (random.nextInt(100) < readPercent) {
                        read(client);
                    } else {
                        AccountId from =
                                random.nextInt(20) == 0 ? ISSUER : accounts.get(random.nextInt(accounts.size()));
                        AccountId to = accounts.get(random.nextInt(accounts.size()));
                        if (from.equals(to)) {
                            continue;
                        }
                        long amount = 1 + random.nextInt((int) Math.max(1, initial / 4));
                        UUID id = new UUID(random.nextLong(), random.nextLong());
                        step.run(this, client, random, History.request(id, from, to, amount, "c" + client + "-" + n++));
                    }
                }
                return null;
            }));
        }
        long started = System.nanoTime();
        long min = started + duration.toNanos();
        long max = started + hardLimit.toNanos();
        while (System.nanoTime() < max && (System.nanoTime() < min || !enough.getAsBoolean())) {
            Thread.sleep(50);
        }
        stop.set(true);
        pool.shutdown();
        if (!pool.awaitTermination(2, TimeUnit.MINUTES)) {
            throw new AssertionError("clients did not stop within 2 minutes of the end of the run: an operation hangs");
        }
        for (Future<?> f : futures) {
            f.get();
        }
    }

    /** The default step: one call; a short pause after a failure so an outage is not a busy loop. */
    public static void once(Bank bank, int client, SplittableRandom random, TransferRequest request) {
        Op op = bank.history.transfer(client, "run", request, false, bank.ledger::transfer);
        if (op.outcome() == Op.Outcome.UNKNOWN || op.outcome() == Op.Outcome.FAILED) {
            sleep(20);
        }
    }

    /**
     * A mixed step: a third of the calls are single transfers; the others are batches of 2 to 6 (this request and more
     * drawn like it), half independent, half linked, so that faults also hit batches in flight.
     */
    public static void mixed(Bank bank, int client, SplittableRandom random, TransferRequest request) {
        int kind = random.nextInt(4);
        if (kind == 0) {
            once(bank, client, random, request);
            return;
        }
        if (kind == 3) {
            twoPhase(bank, client, random, request);
            return;
        }
        List<TransferRequest> batch = new ArrayList<>();
        batch.add(request);
        int size = 2 + random.nextInt(5);
        while (batch.size() < size) {
            AccountId from = bank.accounts.get(random.nextInt(bank.accounts.size()));
            AccountId to = bank.accounts.get(random.nextInt(bank.accounts.size()));
            if (!from.equals(to)) {
                long amount = 1 + random.nextInt((int) Math.max(1, bank.initial / 8));
                batch.add(History.request(
                        new UUID(random.nextLong(), random.nextLong()),
                        from,
                        to,
                        amount,
                        request.reference() + "-" + batch.size()));
            }
        }
        List<Op> ops = bank.history.batch(
                client,
                "run",
                batch,
                kind == 1 ? dev.ledger.core.BatchMode.INDEPENDENT : dev.ledger.core.BatchMode.LINKED,
                bank.ledger);
        Op.Outcome outcome = ops.get(0).outcome();
        if (outcome == Op.Outcome.UNKNOWN || outcome == Op.Outcome.FAILED) {
            sleep(20);
        }
    }

    /**
     * A two-phase step: the request as a pending transfer (a third of them expiring within a second), then, if it was
     * acknowledged, a post of part of it, a void, or nothing (it expires or stays held), each with its own seeded id.
     */
    public static void twoPhase(Bank bank, int client, SplittableRandom random, TransferRequest request) {
        TransferRequest pending = new TransferRequest(
                request.id(),
                request.source(),
                request.destination(),
                request.amount(),
                request.currency(),
                request.reference(),
                java.util.Map.of(),
                dev.ledger.core.TransferKind.PENDING,
                null,
                null,
                random.nextInt(3) == 0 ? Duration.ofMillis(1 + random.nextInt(1_000)) : null);
        Op held = bank.history.transfer(client, "run", pending, false, bank.ledger::transfer);
        if (held.outcome() != Op.Outcome.OK) {
            if (held.outcome() == Op.Outcome.UNKNOWN || held.outcome() == Op.Outcome.FAILED) {
                sleep(20);
            }
            return;
        }
        int next = random.nextInt(10);
        if (next >= 9) {
            return;
        }
        UUID id = new UUID(random.nextLong(), random.nextLong());
        TransferRequest resolution = next < 6
                ? TransferRequest.post(
                                held.transfer(),
                                1 + random.nextLong(held.transfer().amount()))
                        .withId(id)
                : TransferRequest.voidPending(held.transfer()).withId(id);
        Op op = bank.history.transfer(client, "run", resolution, false, bank.ledger::transfer);
        if (op.outcome() == Op.Outcome.UNKNOWN || op.outcome() == Op.Outcome.FAILED) {
            sleep(20);
        }
    }

    /**
     * Seconds from {@code backNanos} (a {@link System#nanoTime()}) until each of the first {@code clients} clients has
     * completed an operation with a definite answer; {@code limitSeconds} if they have not by then.
     */
    public double secondsUntilClientsAnswer(int clients, long backNanos, int limitSeconds) throws InterruptedException {
        long limit = backNanos + TimeUnit.SECONDS.toNanos(limitSeconds);
        while (System.nanoTime() < limit) {
            long latest = 0;
            boolean all = true;
            for (int c = 0; c < clients; c++) {
                long end = history.lastDefiniteEnd(c);
                if (end <= backNanos) {
                    all = false;
                    break;
                }
                latest = Math.max(latest, end);
            }
            if (all) {
                return (latest - backNanos) / 1e9;
            }
            Thread.sleep(20);
        }
        return limitSeconds;
    }

    /** A snapshot read, recorded in the history. */
    public void read(int client) {
        long start = System.nanoTime();
        try {
            history.read(client, "run", start, snapshot(readSource), null);
        } catch (SQLException | RuntimeException e) {
            history.read(client, "run", start, null, null);
            sleep(20);
        }
    }

    /**
     * After healing: settles every transfer id whose outcome is still unknown (an UNKNOWN and neither an OK nor a final
     * rejection): {@code findTransfer}, then a retry with the same id and content, until one is definite.
     *
     * @return the number of ids resolved
     */
    public int resolve() {
        Map<UUID, List<Op>> byId = BankChecker.transfersById(history.ops());
        int resolved = 0;
        for (Map.Entry<UUID, List<Op>> e : byId.entrySet()) {
            List<Op> ops = e.getValue();
            if (!BankChecker.unresolved(ops)) {
                continue;
            }
            Op first = BankChecker.original(ops);
            TransferRequest request = first.request() != null
                    ? first.request()
                    : History.request(
                            e.getKey(), first.source(), first.destination(), first.amount(), first.reference());
            history.find(-1, "resolve", request, ledger::findTransfer);
            for (int attempt = 1; attempt <= 50; attempt++) {
                Op op = history.transfer(-1, "resolve", request, false, ledger::transfer);
                if (op.outcome() == Op.Outcome.OK || op.outcome() == Op.Outcome.REJECTED) {
                    break;
                }
                sleep(200);
            }
            resolved++;
        }
        return resolved;
    }

    /** What the database holds now, read through {@code admin} (not the faulty path), and the ledger's balances. */
    public FinalState finalState(DataSource admin) throws SQLException {
        String s = schema + ".";
        Map<String, Boolean> issuers = new LinkedHashMap<>();
        List<Transfer> transfers = new ArrayList<>();
        long rows;
        long distinctIds;
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id, issuer FROM " + s + "account ORDER BY id")) {
                while (rs.next()) {
                    issuers.put(rs.getString(1), rs.getBoolean(2));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT id, source, source_index, destination, amount, currency,"
                    + " recorded_at, reference, kind, pending_id, expires_at FROM " + s
                    + "transfer ORDER BY recorded_at, source, source_index")) {
                while (rs.next()) {
                    java.time.OffsetDateTime expires = rs.getObject(11, java.time.OffsetDateTime.class);
                    transfers.add(new Transfer(
                            rs.getObject(1, UUID.class),
                            AccountId.of(rs.getString(2)),
                            rs.getLong(3),
                            AccountId.of(rs.getString(4)),
                            rs.getLong(5),
                            rs.getString(6),
                            rs.getObject(7, java.time.OffsetDateTime.class).toInstant(),
                            rs.getString(8),
                            java.util.Map.of(),
                            dev.ledger.core.TransferKind.values()[rs.getInt(9)],
                            rs.getObject(10, UUID.class),
                            expires == null ? null : expires.toInstant()));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT id) FROM " + s + "transfer")) {
                rs.next();
                rows = rs.getLong(1);
                distinctIds = rs.getLong(2);
            }
        }
        Map<String, Long> snapshot = snapshot(admin);
        Map<String, Long> ledgerBalances = new LinkedHashMap<>();
        Map<String, Account> opened = new LinkedHashMap<>();
        for (String id : issuers.keySet()) {
            ledgerBalances.put(id, ledger.balance(AccountId.of(id)));
            opened.put(id, ledger.account(AccountId.of(id)).orElseThrow());
        }
        return new FinalState(issuers, opened, transfers, rows, distinctIds, snapshot, ledgerBalances);
    }

    /** The database after the run. */
    public record FinalState(
            Map<String, Boolean> issuers,
            Map<String, Account> accounts,
            List<Transfer> transfers,
            long rows,
            long distinctIds,
            Map<String, Long> snapshot,
            Map<String, Long> ledgerBalances) {}

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
