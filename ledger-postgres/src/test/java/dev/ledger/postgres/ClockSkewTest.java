package dev.ledger.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import dev.ledger.core.VerificationReport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.util.PSQLException;

/**
 * Issue 9, item 4: the database bounds recorded times by its own clock plus {@code setting.max_clock_skew}, the library
 * refuses to record with a clock reading beyond it, and a bad clock cannot drag other writers' dates into the future.
 */
class ClockSkewTest {
    @RegisterExtension
    static final LedgerDatabase DB = new LedgerDatabase(6);

    private static final InstantSource YEAR_AHEAD = () -> Instant.now().plus(Duration.ofDays(365));

    @Test
    void transfer_ledgerClockYearAhead_refusedNamingBothClocksAndRecordsNothing() throws SQLException {
        PostgresLedgerStore store = DB.newStore();
        Ledger honest = Ledger.builder(store).build();
        AccountId bank = AccountId.of("bank");
        AccountId alice = AccountId.of("alice");
        honest.open(NewAccount.issuer(bank, "USD"));
        honest.open(NewAccount.of(alice, "USD").withOpeningBalance(100, bank));
        Ledger ahead = Ledger.builder(store).clock(YEAR_AHEAD).build();
        UUID id = UUID.randomUUID();
        long before = DB.queryLong("SELECT count(*) FROM " + store.schema() + ".transfer");

        LedgerUnavailableException e = assertThrows(
                LedgerUnavailableException.class,
                () -> ahead.transfer(TransferRequest.of(alice, bank, 10, "USD").withId(id)));

        assertEquals(LedgerUnavailableException.Kind.CLOCK_AHEAD, e.kind(), e.getMessage());
        assertEquals(id, e.transferId());
        String year =
                Integer.toString(Instant.now().atZone(java.time.ZoneOffset.UTC).getYear());
        String nextYear = Integer.toString(
                YEAR_AHEAD.instant().atZone(java.time.ZoneOffset.UTC).getYear());
        assertTrue(e.getMessage().contains("ledger clock reads " + nextYear), e.getMessage());
        assertTrue(e.getMessage().contains("database clock " + year), e.getMessage());
        assertTrue(e.getMessage().contains("00:01:00"), "names the allowed skew: " + e.getMessage());
        assertEquals(before, DB.queryLong("SELECT count(*) FROM " + store.schema() + ".transfer"));
        assertEquals(100, honest.balance(alice));
    }

    @Test
    void open_ledgerClockYearAhead_refusedWithAndWithoutFunding() throws SQLException {
        PostgresLedgerStore store = DB.newStore();
        Ledger honest = Ledger.builder(store).build();
        AccountId bank = AccountId.of("bank");
        honest.open(NewAccount.issuer(bank, "USD"));
        Ledger ahead = Ledger.builder(store).clock(YEAR_AHEAD).build();

        LedgerUnavailableException plain = assertThrows(
                LedgerUnavailableException.class, () -> ahead.open(NewAccount.of(AccountId.of("carol"), "USD")));
        LedgerUnavailableException funded = assertThrows(
                LedgerUnavailableException.class,
                () -> ahead.open(NewAccount.of(AccountId.of("dave"), "USD").withOpeningBalance(5, bank)));

        assertEquals(LedgerUnavailableException.Kind.CLOCK_AHEAD, plain.kind(), plain.getMessage());
        assertTrue(plain.getMessage().contains("opened_at"), plain.getMessage());
        assertEquals(LedgerUnavailableException.Kind.CLOCK_AHEAD, funded.kind(), funded.getMessage());
        assertEquals(1, DB.queryLong("SELECT count(*) FROM " + store.schema() + ".account"));
    }

    @Test
    void transfer_afterAheadClockTried_honestWritersDatedByTheirOwnClock() {
        PostgresLedgerStore store = DB.newStore();
        Ledger honest = Ledger.builder(store).build();
        Ledger ahead = Ledger.builder(store).clock(YEAR_AHEAD).build();
        AccountId bank = AccountId.of("bank");
        AccountId alice = AccountId.of("alice");
        AccountId bob = AccountId.of("bob");
        honest.open(NewAccount.issuer(bank, "USD"));
        honest.open(NewAccount.of(alice, "USD").withOpeningBalance(100, bank));
        honest.open(NewAccount.of(bob, "USD"));
        for (int i = 0; i < 3; i++) {
            assertThrows(LedgerUnavailableException.class, () -> ahead.transfer(alice, bob, 1, "USD"));
            assertThrows(LedgerUnavailableException.class, () -> ahead.transfer(bank, alice, 1, "USD"));
        }

        Instant latest = Instant.now().plus(Duration.ofMinutes(1));
        Transfer debit = honest.transfer(alice, bob, 10, "USD");
        Transfer credit = honest.transfer(bank, alice, 10, "USD");
        Transfer next = honest.transfer(alice, bob, 10, "USD");

        for (Transfer t : new Transfer[] {debit, credit, next}) {
            assertTrue(t.recordedAt().isBefore(latest), t + " is dated ahead of the honest clock");
        }
        assertEquals(
                2, honest.statement(StatementQuery.of(bob).limit(10)).lines().size());
    }

    /** Any client writes only through the schema's functions, and they refuse a time beyond the clock and skew. */
    @Test
    void appendTransfers_plainSqlCreditInYear200000_refusedByTheDatabase() throws SQLException {
        PostgresLedgerStore store = DB.newStore();
        Ledger ledger = Ledger.builder(store).build();
        AccountId bank = AccountId.of("bank");
        AccountId victim = AccountId.of("victim");
        ledger.open(NewAccount.issuer(bank, "USD"));
        ledger.open(NewAccount.of(victim, "USD"));
        String s = store.schema() + ".";
        String call = "SELECT status FROM " + s + "append_transfers(ARRAY[gen_random_uuid()], ARRAY['bank'],"
                + " ARRAY['victim'], ARRAY[1]::bigint[], ARRAY['USD'], ARRAY[NULL]::text[], %s, false)";
        try (Connection c = DB.dataSource().getConnection();
                Statement st = c.createStatement()) {
            for (String at : new String[] {"'200000-01-01 00:00:00+00'", "clock_timestamp() + interval '61 seconds'"}) {
                try (ResultSet rs = st.executeQuery(call.formatted(at))) {
                    rs.next();
                    assertEquals("CLOCK_AHEAD", rs.getString(1), at);
                }
            }
            PSQLException e = assertThrows(
                    PSQLException.class,
                    () -> st.executeQuery(
                            "SELECT * FROM " + s + "open_account('later', 'USD', '200000-01-01 00:00:00+00')"));
            assertEquals("account_time_not_future", e.getServerErrorMessage().getConstraint(), e.getMessage());
            // Within the skew is accepted (a writer's clock a little ahead of the database's).
            try (ResultSet rs = st.executeQuery(call.formatted("clock_timestamp() + interval '30 seconds'"))) {
                rs.next();
                assertEquals("OK", rs.getString(1));
            }
        }
        assertEquals(0, DB.queryLong("SELECT count(*) FROM " + s + "account WHERE id = 'later'"));
        assertEquals(1, DB.queryLong("SELECT count(*) FROM " + s + "transfer"));
        // The victim's next transfers still record and read normally (the review saw OUTCOME_UNKNOWN forever).
        Ledger behind = Ledger.builder(store).build();
        behind.transfer(bank, victim, 5, "USD");
        assertEquals(6, behind.balance(victim));
        assertTrue(behind.findTransfer(behind.transfer(victim, bank, 6, "USD").id())
                .isPresent());
    }

    @Test
    void maxClockSkew_raisedByTheSchemaOwner_allowsTheFartherClock() throws SQLException {
        PostgresLedgerStore store = DB.newStore();
        DB.sql("UPDATE " + store.schema() + ".setting SET max_clock_skew = interval '400 days'");
        Ledger ahead = Ledger.builder(store).clock(YEAR_AHEAD).build();
        AccountId bank = AccountId.of("bank");
        AccountId alice = AccountId.of("alice");
        ahead.open(NewAccount.issuer(bank, "USD"));
        ahead.open(NewAccount.of(alice, "USD").withOpeningBalance(100, bank));

        Transfer t = ahead.transfer(alice, bank, 1, "USD");

        assertTrue(
                t.recordedAt().isAfter(Instant.now().plus(Duration.ofDays(300)).truncatedTo(ChronoUnit.DAYS)));
        DB.sql("UPDATE " + store.schema() + ".setting SET max_clock_skew = interval '1 minute'");
        assertThrows(LedgerUnavailableException.class, () -> ahead.transfer(alice, bank, 1, "USD"));
    }

    @Test
    void verify_rowDatedBeyondDatabaseClockPlusSkew_reportedOutOfRange() throws SQLException {
        PostgresLedgerStore store = DB.newStore();
        Ledger ledger = Ledger.builder(store).build();
        AccountId bank = AccountId.of("bank");
        AccountId victim = AccountId.of("victim");
        ledger.open(NewAccount.issuer(bank, "USD"));
        ledger.open(NewAccount.of(victim, "USD"));
        ledger.transfer(bank, victim, 5, "USD");
        assertTrue(ledger.verify().ok(), ledger.verify().describe());

        UUID forged = Forgery.transfer(DB, store.schema(), "bank", "victim", 1, Instant.parse("2100-01-01T00:00:00Z"));

        VerificationReport report = ledger.verify();
        List<VerificationReport.Finding> out = report.findings().stream()
                .filter(f -> f.kind() == VerificationReport.Kind.TIME_OUT_OF_RANGE)
                .toList();
        assertEquals(1, out.size(), report.describe());
        assertEquals(forged, out.get(0).transferId(), report.describe());
        assertTrue(out.get(0).message().contains("2100"), report.describe());
    }
}
