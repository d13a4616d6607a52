package dev.ledger.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.StatementCursor;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferKind;
import dev.ledger.core.TransferRequest;
import dev.ledger.tck.ReferenceLedger.Prediction;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** One run of {@link ModelBasedContract}: a seeded sequence of random operations on the ledger and the model. */
final class ModelRun {
    private static final String USD = LedgerFixture.USD;
    private static final String EUR = LedgerFixture.EUR;

    /** The account names the run draws from; each has a usual currency and kind. */
    private record Name(AccountId id, String currency, boolean issuer) {}

    private static final List<Name> NAMES = List.of(
            new Name(AccountId.of("i1"), USD, true),
            new Name(AccountId.of("i2"), USD, true),
            new Name(AccountId.of("ie"), EUR, true),
            new Name(AccountId.of("a"), USD, false),
            new Name(AccountId.of("b"), USD, false),
            new Name(AccountId.of("c"), USD, false),
            new Name(AccountId.of("d"), USD, false),
            new Name(AccountId.of("x"), EUR, false),
            new Name(AccountId.of("y"), EUR, false));
    /** Never opened. */
    private static final AccountId GHOST = AccountId.of("ghost");

    /** What a call returned or threw. */
    private record Result<T>(@Nullable T value, @Nullable RuntimeException error) {}

    private final LedgerFixture f;
    private final long seed;
    private final int steps;
    private final SplittableRandom random;
    private final ReferenceLedger model = new ReferenceLedger();
    /** Every transfer id the run has put in a request, recorded or not. */
    private final List<UUID> usedIds = new ArrayList<>();

    private int step;
    private String op = "(none yet)";
    private @Nullable StatementQuery lastQuery;
    private @Nullable StatementPage lastPage;

    ModelRun(LedgerFixture fixture, long seed, int steps) {
        this.f = fixture;
        this.seed = seed;
        this.steps = steps;
        this.random = new SplittableRandom(seed);
    }

    void run() {
        f.books().context("ModelBasedContract seed=" + seed + " (after " + steps + " steps)");
        try {
            runSteps();
        } catch (AssertionError | RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("seed=" + seed)) {
                throw e;
            }
            throw new AssertionError(where() + ": " + message, e);
        }
    }

    private void runSteps() {
        for (step = 0; step < steps; step++) {
            int dice = random.nextInt(100);
            int opened = model.accounts().size();
            if (dice < (opened < 4 ? 50 : opened < 7 ? 12 : 4)) {
                open();
            } else if (dice < 41) {
                transfer();
            } else if (dice < 50) {
                twoPhase();
            } else if (dice < 58) {
                invalidTransfer();
            } else if (dice < 66) {
                replay();
            } else if (dice < 76) {
                moveClock();
            } else if (dice < 84) {
                balanceAsOf();
            } else if (dice < 94) {
                statement();
            } else {
                lookup();
            }
            checkBalances();
            if (step % 25 == 24) {
                checkAccounts();
            }
        }
        op = "final check";
        checkAccounts();
        checkStatementsAndTransfers();
    }

    private String where() {
        return "ModelBasedContract seed=" + seed + " step=" + step + " op=" + op;
    }

    // ------------------------------------------------------------------------------------------- operations

    private void open() {
        Name name = NAMES.get(random.nextInt(NAMES.size()));
        String currency = chance(10) ? other(name.currency()) : name.currency();
        boolean issuer = chance(10) != name.issuer();
        long openingBalance = 0;
        AccountId fundedBy = null;
        UUID fundingId = null;
        int kind = random.nextInt(100);
        if (kind < 45) {
            openingBalance = 1 + random.nextLong(2_000);
            fundingId = chance(10) && !usedIds.isEmpty() ? pick(usedIds) : newId();
            usedIds.add(fundingId);
        } else if (kind < 48) {
            openingBalance = -1 - random.nextLong(100);
        }
        if (openingBalance != 0) {
            fundedBy = chance(80) ? usualIssuer(currency) : anyName();
        }
        // An overdraft line now and then; rarely a limit the request refuses (positive, or on an issuer).
        long lowerLimit = issuer ? Account.NO_LOWER_LIMIT : chance(20) ? -1 - random.nextLong(500) : 0;
        if (chance(2)) {
            lowerLimit = issuer ? -100 : 1 + random.nextLong(10);
        }
        // A cap now and then (sometimes below the opening balance, or on an issuer: refused).
        long upperLimit = chance(15) ? Math.max(0, openingBalance) + random.nextLong(3_000) : Account.NO_UPPER_LIMIT;
        if (upperLimit != Account.NO_UPPER_LIMIT && chance(10)) {
            upperLimit = openingBalance > 0 ? openingBalance - 1 : -1;
        }
        AccountId id = name.id();
        long balance = openingBalance;
        long limit = lowerLimit;
        long cap = upperLimit;
        AccountId funder = fundedBy;
        UUID fundingTransferId = fundingId;
        op = "open " + id + " " + currency + (issuer ? " issuer" : "") + " opening " + balance + " from " + funder
                + " funding id " + fundingTransferId + " lower limit " + limit + " upper limit " + cap;
        Instant now = f.clock().instant();
        Optional<Account> before = model.account(id);
        Result<Account> actual = call(() ->
                f.ledger().open(new NewAccount(id, currency, issuer, balance, funder, fundingTransferId, limit, cap)));
        Prediction<Account> predicted =
                model.open(id, currency, issuer, balance, funder, fundingTransferId, limit, cap, now);
        compare(predicted, actual);
        if (predicted.isSuccess()) {
            f.books().track(Objects.requireNonNull(actual.value()));
            if (balance > 0) {
                UUID funding = Objects.requireNonNull(fundingTransferId, "a funded account has its funding id");
                assertEquals(
                        model.transfer(funding),
                        f.ledger().findTransfer(funding),
                        () -> where() + ": funding transfer");
            }
        } else {
            assertEquals(before, f.ledger().account(id), () -> where() + ": a rejected open changes no account");
        }
    }

    private void transfer() {
        if (model.accounts().isEmpty()) {
            open();
            return;
        }
        Account source = chance(95) ? pick(model.accounts()) : accountOrGhost();
        if (!source.issuer() && model.balance(source.id()) == 0 && chance(70)) {
            source = pick(model.accounts());
        }
        AccountId destination;
        if (chance(3)) {
            destination = source.id();
        } else if (chance(90)) {
            destination = counterpart(source);
        } else {
            destination = otherThan(source.id());
        }
        String currency = chance(95) ? source.currency() : other(source.currency());
        long amount;
        if (source.issuer()) {
            amount = chance(2) ? Long.MAX_VALUE - random.nextLong(4) : 1 + random.nextLong(1_000);
        } else {
            long balance = Math.max(0, model.balance(source.id()));
            if (balance > 0 && chance(10)) {
                amount = balance;
            } else {
                long cap = Math.min(balance, 3_000);
                amount = 1 + random.nextLong(cap + cap / 3 + 2);
            }
        }
        UUID id = chance(90) ? newId() : null;
        send(id, source.id(), destination, amount, currency, reference(), metadata());
    }

    /**
     * A pending transfer (sometimes expiring soon), or a post or void of one (sometimes of the wrong amount, twice).
     */
    private void twoPhase() {
        List<Transfer> pendings =
                model.transfers().stream().filter(Transfer::isPending).toList();
        if (pendings.isEmpty() || chance(40)) {
            if (model.accounts().isEmpty()) {
                open();
                return;
            }
            Account source = pick(model.accounts());
            AccountId destination = chance(95) ? counterpart(source) : otherThan(source.id());
            long available = Math.max(
                    0,
                    model.balance(source.id())
                            - model.held(source.id(), Instant.MAX, f.clock().instant(), true));
            long amount =
                    source.issuer() ? 1 + random.nextLong(1_000) : 1 + random.nextLong(Math.min(available, 2_000) + 3);
            Instant expiresAt = null;
            Duration timeout = null;
            int expiry = random.nextInt(10);
            if (expiry < 4) {
                timeout = Duration.ofNanos(1_000 * (1 + random.nextLong(4_000)));
            } else if (expiry < 6) {
                expiresAt = f.clock().instant().plus(random.nextLong(4_000) - 200, ChronoUnit.MICROS);
            }
            sendTwoPhase(
                    newId(),
                    source.id(),
                    destination,
                    amount,
                    source.currency(),
                    TransferKind.PENDING,
                    null,
                    expiresAt,
                    timeout);
            return;
        }
        Transfer pending = pick(pendings);
        boolean post = chance(60);
        long amount = post
                ? (chance(85) ? 1 + random.nextLong(pending.amount()) : pending.amount() + 1)
                : (chance(95) ? pending.amount() : pending.amount() + 1);
        AccountId destination = chance(97) ? pending.destination() : otherThan(pending.source(), pending.destination());
        UUID pendingId = chance(97) ? pending.id() : newId();
        sendTwoPhase(
                chance(95) ? newId() : pick(usedIds),
                pending.source(),
                destination,
                amount,
                pending.currency(),
                post ? TransferKind.POST : TransferKind.VOID,
                pendingId,
                null,
                null);
    }

    private void sendTwoPhase(
            UUID id,
            AccountId source,
            AccountId destination,
            long amount,
            String currency,
            TransferKind kind,
            @Nullable UUID pendingId,
            @Nullable Instant expiresAt,
            @Nullable Duration timeout) {
        op = kind + " " + id + " " + source + " -> " + destination + " " + amount + " " + currency + " pending "
                + pendingId + " expires " + expiresAt + " timeout " + timeout;
        usedIds.add(id);
        Instant now = f.clock().instant();
        Result<Transfer> actual = call(() -> f.ledger()
                .transfer(new TransferRequest(
                        id,
                        source,
                        destination,
                        amount,
                        currency,
                        null,
                        Map.of(),
                        kind,
                        pendingId,
                        expiresAt,
                        timeout)));
        compare(
                model.transfer(
                        id,
                        source,
                        destination,
                        amount,
                        currency,
                        null,
                        Map.of(),
                        kind,
                        pendingId,
                        expiresAt,
                        timeout,
                        now),
                actual);
    }

    private void invalidTransfer() {
        if (model.accounts().isEmpty()) {
            open();
            return;
        }
        Account source = pick(model.accounts());
        AccountId destination = otherThan(source.id());
        String currency = source.currency();
        long amount = 1 + random.nextLong(100);
        switch (random.nextInt(7)) {
            case 0 -> amount = 0;
            case 1 -> amount = chance(50) ? -amount : Long.MIN_VALUE;
            case 2 -> destination = source.id();
            case 3 -> destination = GHOST;
            case 4 -> currency = other(currency);
            case 5 -> {
                send(newId(), GHOST, destination, amount, currency, null, Map.of());
                return;
            }
            default -> {
                long balance = Math.max(0, model.balance(source.id()));
                amount = balance >= Long.MAX_VALUE / 2
                        ? Long.MAX_VALUE
                        : balance + 1 + random.nextLong(Long.MAX_VALUE / 2);
            }
        }
        send(newId(), source.id(), destination, amount, currency, reference(), metadata());
    }

    private void replay() {
        if (usedIds.isEmpty()) {
            transfer();
            return;
        }
        UUID id = chance(75) && !model.transfers().isEmpty()
                ? pick(model.transfers()).id()
                : pick(usedIds);
        Optional<Transfer> recorded = model.transfer(id);
        if (recorded.isEmpty()) {
            Account source = model.accounts().isEmpty() ? null : pick(model.accounts());
            if (source == null) {
                return;
            }
            send(
                    id,
                    source.id(),
                    otherThan(source.id()),
                    1 + random.nextLong(50),
                    source.currency(),
                    reference(),
                    metadata());
            return;
        }
        Transfer t = recorded.get();
        AccountId destination = t.destination();
        long amount = t.amount();
        String currency = t.currency();
        String reference = t.reference();
        Map<String, String> metadata = t.metadata();
        if (chance(40)) {
            switch (random.nextInt(5)) {
                case 0 -> amount = amount == Long.MAX_VALUE ? amount - 1 : amount + 1;
                case 1 -> destination = otherThan(t.source(), t.destination());
                case 2 -> reference = reference == null ? "changed" : null;
                case 3 -> metadata = metadata.isEmpty() ? Map.of("k", "changed") : Map.of();
                default -> currency = other(currency);
            }
        }
        send(id, t.source(), destination, amount, currency, reference, metadata);
    }

    /** Sends a transfer to both; {@code id} null lets the ledger generate one. */
    private void send(
            @Nullable UUID id,
            AccountId source,
            AccountId destination,
            long amount,
            String currency,
            @Nullable String reference,
            Map<String, String> metadata) {
        op = "transfer " + (id == null ? "(generated id)" : id) + " " + source + " -> " + destination + " " + amount
                + " " + currency + " reference " + reference + " metadata " + metadata;
        if (id != null) {
            usedIds.add(id);
        }
        Instant now = f.clock().instant();
        Result<Transfer> actual = call(() -> f.ledger()
                .transfer(new TransferRequest(id, source, destination, amount, currency, reference, metadata)));
        UUID modelId = id;
        if (modelId == null) {
            modelId = actual.value() != null ? actual.value().id() : newId();
            UUID generated = modelId;
            assertFalse(
                    model.transfer(generated).isPresent(),
                    () -> where() + ": the ledger generated a used id " + generated);
            if (actual.value() != null) {
                assertEquals(7, generated.version(), () -> where() + ": generated ids are version 7");
            }
        }
        compare(model.transfer(modelId, source, destination, amount, currency, reference, metadata, now), actual);
    }

    private void moveClock() {
        int kind = random.nextInt(10);
        if (kind < 7) {
            long micros = chance(30) ? 0 : 1 + random.nextLong(3_000);
            op = "clock forward " + micros + "us";
            f.clock().advanceMicros(micros);
        } else if (kind < 9) {
            long micros = 1 + random.nextLong(5_000);
            op = "clock back " + micros + "us";
            f.clock().advanceMicros(-micros);
        } else {
            Instant t = model.transfers().isEmpty()
                    ? LedgerStoreContractTest.START
                    : pick(model.transfers()).recordedAt().plus(random.nextLong(3) - 1, ChronoUnit.MICROS);
            op = "clock set to " + t;
            f.clock().set(t);
        }
    }

    private void balanceAsOf() {
        AccountId id = chance(90) ? anyName() : GHOST;
        Instant instant =
                chance(4) ? (chance(50) ? Instant.MAX : Instant.parse("0000-12-31T23:59:59Z")) : interestingInstant();
        op = "balanceAsOf " + id + " " + instant;
        compare(model.predictBalanceAsOf(id, instant), call(() -> f.ledger().balanceAsOf(id, instant)));
        if (model.predictBalanceAsOf(id, instant).isSuccess()) {
            op = "balancesAsOf " + id + " " + instant;
            compare(model.predictBalances(id, instant, f.clock().instant()), call(() -> f.ledger()
                    .balancesAsOf(id, instant)));
        }
    }

    private void statement() {
        StatementQuery query;
        if (lastPage != null && lastPage.next() != null && lastQuery != null && chance(50)) {
            query = lastQuery.after(lastPage.next());
        } else {
            AccountId id = chance(95) ? anyName() : GHOST;
            int limit = chance(10) ? StatementQuery.MAX_LIMIT : 1 + random.nextInt(5);
            Instant from = chance(30) ? interestingInstant() : null;
            Instant to = chance(30) ? interestingInstant() : null;
            if (from != null && to != null && !from.isBefore(to)) {
                if (from.equals(to)) {
                    to = null;
                } else {
                    Instant swap = from;
                    from = to;
                    to = swap;
                }
            }
            StatementCursor after = null;
            int cursorKind = random.nextInt(100);
            if (cursorKind < 25 && !model.transfers().isEmpty()) {
                after = StatementCursor.of(pick(model.transfers()));
            } else if (cursorKind < 35) {
                after = new StatementCursor(interestingInstant().truncatedTo(ChronoUnit.MICROS), newId());
            }
            query = new StatementQuery(
                    id,
                    from,
                    to,
                    after,
                    limit,
                    chance(50) ? StatementQuery.Direction.FORWARD : StatementQuery.Direction.BACKWARD);
        }
        StatementQuery q = query;
        op = "statement " + q;
        Result<StatementPage> actual = call(() -> f.ledger().statement(q));
        compare(model.predictStatement(q, f.clock().instant()), actual);
        lastQuery = q;
        lastPage = actual.value();
    }

    private void lookup() {
        switch (random.nextInt(3)) {
            case 0 -> {
                AccountId id = chance(85) ? anyName() : GHOST;
                op = "account " + id;
                assertEquals(model.account(id), f.ledger().account(id), this::where);
            }
            case 1 -> {
                UUID id = usedIds.isEmpty() || chance(15) ? newId() : pick(usedIds);
                op = "findTransfer " + id;
                assertEquals(model.transfer(id), f.ledger().findTransfer(id), this::where);
            }
            default -> {
                AccountId id = chance(85) ? anyName() : GHOST;
                op = "balance " + id;
                compare(model.predictBalance(id), call(() -> f.ledger().balance(id)));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ checks

    private <T> Result<T> call(Supplier<T> action) {
        try {
            return new Result<>(action.get(), null);
        } catch (RuntimeException e) {
            return new Result<>(null, e);
        }
    }

    private <T> void compare(Prediction<T> predicted, Result<T> actual) {
        if (predicted.isSuccess()) {
            if (actual.error() != null) {
                fail(
                        where() + ": expected " + predicted.value() + " but the call threw " + actual.error(),
                        actual.error());
            }
            assertEquals(predicted.value(), actual.value(), this::where);
            return;
        }
        if (actual.error() == null) {
            fail(where() + ": expected a rejection with one of " + predicted.reasons() + " but got " + actual.value());
        }
        if (!(actual.error() instanceof LedgerRejectedException rejected)) {
            fail(
                    where() + ": expected a rejection with one of " + predicted.reasons() + " but the call threw "
                            + actual.error(),
                    actual.error());
            return;
        }
        assertTrue(
                predicted.reasons().contains(rejected.reason()),
                () -> where() + ": expected a rejection with one of " + predicted.reasons() + " but got "
                        + rejected.getMessage());
        assertTrue(
                String.valueOf(rejected.getMessage()).contains(rejected.reason().name()),
                () -> where() + ": message names the reason: " + rejected.getMessage());
    }

    private void checkBalances() {
        for (Account account : model.accounts()) {
            long expected = model.balance(account.id());
            assertEquals(expected, f.ledger().balance(account.id()), () -> where() + ": balance of " + account.id());
            assertEquals(
                    model.predictBalances(account.id(), null, f.clock().instant())
                            .value(),
                    f.ledger().balances(account.id()),
                    () -> where() + ": balances of " + account.id());
        }
    }

    private void checkAccounts() {
        for (Name name : NAMES) {
            assertEquals(
                    model.account(name.id()), f.ledger().account(name.id()), () -> where() + ": account " + name.id());
        }
        assertEquals(Optional.empty(), f.ledger().account(GHOST), this::where);
    }

    private void checkStatementsAndTransfers() {
        for (Account account : model.accounts()) {
            StatementQuery all = StatementQuery.of(account.id()).limit(StatementQuery.MAX_LIMIT);
            List<StatementLine> expected = new ArrayList<>();
            StatementPage page = model.statement(all, f.clock().instant());
            expected.addAll(page.lines());
            assertEquals(null, page.next(), this::where);
            assertEquals(
                    expected,
                    f.readAll(StatementQuery.of(account.id()).limit(3)),
                    () -> where() + ": statement of " + account.id());
            List<StatementLine> backward = new ArrayList<>(expected);
            Collections.reverse(backward);
            assertEquals(
                    backward,
                    f.readAll(StatementQuery.of(account.id()).limit(4).backward()),
                    () -> where() + ": backward statement of " + account.id());
        }
        for (Transfer t : model.transfers()) {
            assertEquals(Optional.of(t), f.ledger().findTransfer(t.id()), () -> where() + ": findTransfer " + t.id());
        }
    }

    // -------------------------------------------------------------------------------------------- randomness

    private boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private UUID newId() {
        return new UUID(random.nextLong(), random.nextLong());
    }

    private static String other(String currency) {
        return currency.equals(USD) ? EUR : USD;
    }

    private AccountId anyName() {
        return NAMES.get(random.nextInt(NAMES.size())).id();
    }

    private Account accountOrGhost() {
        return new Account(GHOST, USD, false, f.clock().instant());
    }

    private AccountId otherThan(AccountId... excluded) {
        while (true) {
            AccountId id = chance(95) ? anyName() : GHOST;
            if (!List.of(excluded).contains(id)) {
                return id;
            }
        }
    }

    /** An opened account other than {@code source} in its currency, if there is one; otherwise any other name. */
    private AccountId counterpart(Account source) {
        List<AccountId> candidates = new ArrayList<>();
        for (Account account : model.accounts()) {
            if (!account.id().equals(source.id()) && account.currency().equals(source.currency())) {
                candidates.add(account.id());
            }
        }
        return candidates.isEmpty() ? otherThan(source.id()) : pick(candidates);
    }

    private AccountId usualIssuer(String currency) {
        return currency.equals(EUR) ? AccountId.of("ie") : AccountId.of(chance(50) ? "i1" : "i2");
    }

    /** Mostly none; else one to three entries from a small pool (so replays sometimes repeat them). */
    private Map<String, String> metadata() {
        if (!chance(30)) {
            return Map.of();
        }
        Map<String, String> m = new java.util.HashMap<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            m.put(pick(List.of("order.id", "k", "note_1")), pick(List.of("", "v", "caf\u00e9 \"q\" \\ \ud83d\ude00")));
        }
        return m;
    }

    private @Nullable String reference() {
        return switch (random.nextInt(8)) {
            case 0, 1, 2, 3 -> null;
            case 4 -> "";
            case 5 -> "caf\u00e9 \u2603 \ud83d\ude00";
            default -> "ref-" + random.nextInt(5);
        };
    }

    /** An instant worth asking about: a transfer's time or just around it, the start, now, or far away. */
    private Instant interestingInstant() {
        List<Transfer> transfers = model.transfers();
        int kind = random.nextInt(10);
        if (kind < 6 && !transfers.isEmpty()) {
            Instant t = pick(transfers).recordedAt();
            return switch (random.nextInt(5)) {
                case 0 -> t.minus(1, ChronoUnit.MICROS);
                case 1 -> t.plus(1, ChronoUnit.MICROS);
                case 2 -> t.minusNanos(1);
                case 3 -> t.plusNanos(999);
                default -> t;
            };
        }
        return switch (kind) {
            case 6 -> LedgerStoreContractTest.START.minus(Duration.ofDays(1));
            case 7 -> f.clock().instant();
            case 8 -> Instant.parse("9999-12-31T23:59:59.999999Z");
            default -> f.clock().instant().minus(random.nextLong(10_000), ChronoUnit.MICROS);
        };
    }
}
