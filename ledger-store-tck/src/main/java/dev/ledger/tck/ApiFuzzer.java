package dev.ledger.tck;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.VerificationReport;
import dev.ledger.core.spi.LedgerStore;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Drives a {@link Ledger} with seeded random and malformed input through its public API and checks the rules of the
 * API: every call returns or throws {@link LedgerRejectedException} (never anything else), a rejection's message is
 * non-empty and ends with its rule, a rejected call records nothing (the balances and statements of every account are
 * unchanged), and recorded references round-trip exactly, hostile ones included. Part of the store TCK, so every store
 * can run it.
 */
@SuppressWarnings("NullAway") // feeds null to the public API on purpose
public final class ApiFuzzer {
    /** Strings a caller should never be able to hurt a store with; all valid references. */
    public static final List<String> HOSTILE = List.of(
            "'); DROP TABLE x; --",
            "\"; DROP SCHEMA ledger CASCADE; --",
            "' OR '1'='1",
            "$$; SELECT pg_sleep(10); $$",
            ":id",
            "?",
            "%s%n%d",
            "\\",
            "\\x00",
            "${flyway:defaultSchema}",
            "<b>&amp;</b>",
            "\u202e\u0000".substring(0, 1),
            "ünïcödé € 日本語 😀 𝄞",
            "tab\tnewline\nreturn\rbell\u0007del\u007f",
            " ",
            "");

    private static final List<String> VALID_IDS =
            List.of("bank", "mint", "alice", "bob", "carol", "A.b_c:d-9", "z".repeat(64), "9lives");
    private static final List<String> CURRENCIES = List.of("USD", "EUR");

    private final Random random;
    private final long seed;
    private final Ledger ledger;
    private final List<UUID> usedIds = new ArrayList<>();
    /** Transfers recorded by this run, by id, to check what the store returns. */
    private final Map<UUID, Transfer> recorded = new HashMap<>();

    private final FuzzClock clock;
    private int accepted;
    private int rejected;
    /** Whether this call draws only well-formed values (half of them), so that transfers get recorded too. */
    private boolean benign;

    /** A ledger on {@code store}, whose clock the fuzzer controls. */
    public ApiFuzzer(LedgerStore store, long seed) {
        this.seed = seed;
        this.random = new Random(seed);
        this.clock = new FuzzClock(random);
        this.ledger = Ledger.builder(store).clock(clock).build();
    }

    public Ledger ledger() {
        return ledger;
    }

    public int accepted() {
        return accepted;
    }

    public int rejected() {
        return rejected;
    }

    /** Distinct transfers recorded (opening balances included). */
    public int recordedTransfers() {
        return recorded.size();
    }

    /** Runs {@code operations} random calls; throws AssertionError naming the seed on the first broken rule. */
    public void run(int operations) {
        // The benign calls fund accounts from these issuers: open them first, so that no seed can leave the run
        // without a working issuer (a hostile early call could otherwise open "bank" as an ordinary account).
        for (String[] issuer : new String[][] {{"bank", "USD"}, {"mint", "EUR"}}) {
            for (int attempt = 0; ledger.account(AccountId.of(issuer[0])).isEmpty(); attempt++) {
                try {
                    ledger.open(NewAccount.issuer(AccountId.of(issuer[0]), issuer[1]));
                } catch (LedgerRejectedException e) {
                    // The fuzzed clock read out of range (INVALID_INSTANT): read it again.
                    if (e.reason() != RejectionReason.INVALID_INSTANT || attempt > 100) {
                        throw e;
                    }
                }
            }
        }
        for (int i = 0; i < operations; i++) {
            Map<String, Object> before = snapshot();
            String[] description = {"?"};
            try {
                Object result = step(description);
                accepted++;
                check(result, description[0], i);
            } catch (LedgerRejectedException e) {
                rejected++;
                String message = e.getMessage();
                if (message == null
                        || message.isBlank()
                        || !message.endsWith("(rule: " + e.reason().rule() + ")")
                        || !message.startsWith(e.reason().name() + ": ")) {
                    fail(i, description[0], "rejection message does not name reason and rule: " + message, e);
                }
                Map<String, Object> after = snapshot();
                if (!before.equals(after)) {
                    fail(
                            i,
                            description[0],
                            "a rejected call changed the ledger:\n before " + before + "\n after  " + after,
                            e);
                }
            } catch (RuntimeException | Error e) {
                fail(i, description[0], "threw " + e, e);
            }
        }
        VerificationReport report = ledger.verify();
        if (!report.ok()) {
            fail(operations, "verify", "the fuzzed ledger does not verify: " + report.describe(), null);
        }
    }

    private void fail(int op, String description, String what, Throwable cause) {
        AssertionError error = new AssertionError("operation #" + op + " " + description + ": " + what + " (seed "
                + seed + ", replay with -Dledger.test.seed=" + seed + ")");
        if (cause != null) {
            error.initCause(cause);
        }
        throw error;
    }

    /** Balance and full statement of every account id the fuzzer may create. */
    private Map<String, Object> snapshot() {
        Map<String, Object> state = new HashMap<>();
        for (String id : VALID_IDS) {
            AccountId account = AccountId.of(id);
            Optional<Account> found = ledger.account(account);
            if (found.isPresent()) {
                List<StatementLine> lines = new ArrayList<>();
                StatementPage page = ledger.statement(StatementQuery.of(account).limit(1000));
                lines.addAll(page.lines());
                while (page.next() != null) {
                    page = ledger.statement(
                            StatementQuery.of(account).limit(1000).after(page.next()));
                    lines.addAll(page.lines());
                }
                state.put(id, List.of(found.get(), ledger.balance(account), lines));
            }
        }
        return state;
    }

    private void check(Object result, String description, int op) {
        if (result instanceof Transfer t) {
            Transfer previous = recorded.putIfAbsent(t.id(), t);
            if (previous != null && !previous.equals(t)) {
                fail(op, description, "transfer " + t.id() + " came back as " + t + ", recorded as " + previous, null);
            }
            Transfer stored = ledger.findTransfer(t.id()).orElse(null);
            if (!t.equals(stored)) {
                fail(op, description, "findTransfer returned " + stored + " for recorded " + t, null);
            }
        }
    }

    private Object step(String[] description) {
        benign = random.nextBoolean();
        switch (random.nextInt(10)) {
            case 0, 1: {
                NewAccount request = newAccount(description);
                description[0] = "open(" + request + ")";
                return ledger.open(request);
            }
            case 2, 3, 4, 5: {
                TransferRequest request = transferRequest(description);
                description[0] = "transfer(" + request + ")";
                return ledger.transfer(request);
            }
            case 6: {
                AccountId id = accountId();
                description[0] = "balance(" + id + ")";
                return ledger.balance(id);
            }
            case 7: {
                AccountId id = accountId();
                Instant at = instant();
                description[0] = "balanceAsOf(" + id + ", " + at + ")";
                return ledger.balanceAsOf(id, at);
            }
            case 8: {
                description[0] = "statement";
                StatementQuery query = StatementQuery.of(accountId()).limit(limit());
                if (random.nextInt(3) == 0) {
                    query = query.from(instant());
                }
                if (random.nextInt(3) == 0) {
                    query = query.to(instant());
                }
                if (random.nextInt(4) == 0) {
                    query = query.backward();
                }
                description[0] = "statement(" + query + ")";
                return ledger.statement(query);
            }
            default: {
                UUID id = uuid();
                description[0] = "findTransfer(" + id + ")";
                Optional<Transfer> found = ledger.findTransfer(id);
                if (found.isPresent()
                        && recorded.containsKey(id)
                        && !found.get().equals(recorded.get(id))) {
                    throw new AssertionError(
                            "findTransfer(" + id + ") returned " + found.get() + ", recorded " + recorded.get(id));
                }
                return found;
            }
        }
    }

    private NewAccount newAccount(String[] description) {
        description[0] = "building a NewAccount";
        AccountId id = accountId();
        String currency = currency();
        boolean issuer = benign ? id.value().equals("bank") || id.value().equals("mint") : random.nextInt(4) == 0;
        NewAccount request = issuer ? NewAccount.issuer(id, currency) : NewAccount.of(id, currency);
        if (!issuer && random.nextBoolean()) {
            AccountId issuer2 = random.nextInt(8) == 0 && !benign
                    ? null
                    : benign ? AccountId.of(pick(List.of("bank", "mint"))) : accountId();
            request = request.withOpeningBalance(benign ? 1_000 + random.nextInt(1_000) : amount(), issuer2);
            if (random.nextInt(3) == 0) {
                request = request.withFundingTransferId(uuid());
            }
        }
        return request;
    }

    private TransferRequest transferRequest(String[] description) {
        description[0] = "building a TransferRequest";
        TransferRequest request = TransferRequest.of(accountId(), accountId(), amount(), currency());
        if (random.nextInt(3) != 0) {
            request = request.withId(uuid());
        }
        if (random.nextBoolean()) {
            request = request.withReference(string());
        }
        return request;
    }

    private AccountId accountId() {
        int k = benign ? random.nextInt(14) : random.nextInt(20);
        if (k < 14) {
            return AccountId.of(VALID_IDS.get(random.nextInt(VALID_IDS.size())));
        }
        if (k < 15) {
            return null;
        }
        return AccountId.of(string()); // mostly invalid: rejected by the constructor
    }

    private String currency() {
        if (benign) {
            return "USD";
        }
        int k = random.nextInt(12);
        if (k < 9) {
            return CURRENCIES.get(k % 2);
        }
        if (k == 9) {
            return null;
        }
        return pick(List.of("usd", "US", "U$D", "A".repeat(17), "GOLD_OZ", "'); DROP TABLE x; --", "USD\u0000", "ÜSD"));
    }

    private long amount() {
        int k = benign ? 0 : random.nextInt(10);
        if (k < 6) {
            return 1 + random.nextInt(200);
        }
        return pick(List.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE / 2 + 1, 1_000_000_000_000L));
    }

    private UUID uuid() {
        if (!usedIds.isEmpty() && random.nextInt(3) == 0) {
            return usedIds.get(random.nextInt(usedIds.size())); // reuse: replay or ID_REUSED_WITH_DIFFERENT_CONTENT
        }
        if (!benign && random.nextInt(15) == 0) {
            return null;
        }
        UUID id = new UUID(random.nextLong(), random.nextLong());
        usedIds.add(id);
        return id;
    }

    private int limit() {
        return pick(List.of(1, 2, 10, 1000, 0, -1, 1001, Integer.MAX_VALUE, Integer.MIN_VALUE));
    }

    private Instant instant() {
        return pick(Objects.requireNonNull(FuzzClock.EXTREMES));
    }

    /** Null, empty, huge, unicode, control characters, NUL, unpaired surrogates, hostile SQL, near-valid ids. */
    String string() {
        int k = benign ? 11 : random.nextInt(14);
        return switch (k) {
            case 0 -> null;
            case 1 -> "";
            case 2 -> "x".repeat(256 + random.nextInt(2)); // at and just over the reference limit
            case 3 -> "y".repeat(100_000);
            case 4 -> "a\u0000b";
            case 5 -> "lone \ud800 high";
            case 6 -> "lone \udc00 low";
            case 7 -> "z".repeat(65); // one over the account id limit
            case 8 -> "-starts-with-dash";
            case 9 -> "has space";
            case 10 -> "😀".repeat(128); // 256 chars: 128 supplementary code points
            default -> pick(HOSTILE);
        };
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** Mostly the system clock; sometimes extreme, sometimes out of range (every call then is INVALID_INSTANT). */
    static final class FuzzClock implements InstantSource {
        static final List<Instant> EXTREMES = new ArrayList<>(List.of(
                Instant.parse("0001-01-01T00:00:00Z"),
                Instant.parse("1969-12-31T23:59:59.999999Z"),
                Instant.EPOCH,
                Instant.parse("9999-12-31T23:59:59.999999Z"),
                Instant.MIN,
                Instant.MAX,
                Instant.parse("0000-12-31T23:59:59.999999Z"),
                Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("2030-01-01T00:00:00.000000001Z")));

        static {
            EXTREMES.add(null);
        }

        private final Random random;
        private final Supplier<Instant> system = Instant::now;

        FuzzClock(Random random) {
            this.random = random;
        }

        @Override
        public Instant instant() {
            int k = random.nextInt(40);
            if (k == 0) {
                return Instant.parse("+10000-01-01T00:00:00Z");
            }
            if (k == 1) {
                return Instant.parse("0000-06-01T00:00:00Z");
            }
            return system.get();
        }
    }
}
