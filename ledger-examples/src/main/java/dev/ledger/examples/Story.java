package dev.ledger.examples;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * What the quickstart's samples share: where they print, the ledger, its clock, the story's accounts and the formats of
 * times and amounts. Each sample ({@link AccountsSample}, {@link IdempotencySample}, {@link BalancesSample},
 * {@link CardPaymentSample}, {@link RacesSample}) prints one section or two of the story.
 *
 * @param out where the story is printed
 * @param ledger the ledger the story runs on
 * @param clock the ledger's clock: one second per reading, so that printed times are distinct
 */
record Story(PrintStream out, Ledger ledger, SteppingClock clock) {
    static final String CURRENCY = "USD";
    static final Instant START = Instant.parse("2026-01-01T09:00:00Z");
    static final AccountId BANK = AccountId.of("bank");
    static final AccountId ALICE = AccountId.of("alice");
    static final AccountId BOB = AccountId.of("bob");
    static final AccountId SHOP = AccountId.of("shop");

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /** A blank line and a title. */
    void section(String title) {
        out.println();
        out.println(title);
    }

    /** Every line of an account's statement, oldest first, page after page. */
    List<StatementLine> allLines(AccountId account) {
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

    /** An instant as hh:mm:ss UTC. */
    static String time(Instant instant) {
        return TIME.format(instant);
    }

    /** Minor units of USD as dollars and cents. */
    static String money(long minor) {
        long abs = Math.abs(minor);
        return (minor < 0 ? "-" : "") + abs / 100 + "." + (abs % 100 < 10 ? "0" : "") + abs % 100;
    }
}
