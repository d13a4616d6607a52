package dev.ledger.postgres;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Balances;
import dev.ledger.core.BatchMode;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.PendingStatus;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.StatementCursor;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferKind;
import dev.ledger.core.spi.AppendResult;
import dev.ledger.core.spi.OpenResult;
import dev.ledger.core.spi.TransferDraft;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The store's SQL, all of it in the resources {@code sql/*.sql} beside this class, run with plain JDBC. Writes go
 * through the schema's functions (R__4_writes.sql), the only writers of the tables; reads select. Every value is a
 * bound parameter; the only text formatted into SQL is the schema name, validated as an identifier by the builder.
 */
final class TransferStatements {
    /**
     * The advisory lock class of transfer ids ({@code 0x4C454449}, "LEDI"): the ledger uses only the two-integer form
     * of PostgreSQL's advisory locks, which never meets the one-bigint form applications usually use.
     */
    static final int ID_LOCK_CLASS = 0x4C454449;

    private final DataSource dataSource;
    private final NamedSql appendSql;
    private final NamedSql balancesSql;
    private final NamedSql openAccountSql;
    private final NamedSql openIssuerSql;
    private final NamedSql findAccountSql;
    private final NamedSql findTransferSql;
    private final NamedSql awaitTransferSql;
    private final NamedSql balanceSql;
    private final NamedSql balanceAsOfSql;
    private final NamedSql statementForwardSql;
    private final NamedSql statementBackwardSql;

    TransferStatements(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.appendSql = NamedSql.load("append_transfers", schema);
        this.balancesSql = NamedSql.load("balances", schema);
        this.openAccountSql = NamedSql.load("open_account", schema);
        this.openIssuerSql = NamedSql.load("open_issuer", schema);
        this.findAccountSql = NamedSql.load("find_account", schema);
        this.findTransferSql = NamedSql.load("find_transfer", schema);
        this.awaitTransferSql = NamedSql.load("await_transfer", schema);
        this.balanceSql = NamedSql.load("balance", schema);
        this.balanceAsOfSql = NamedSql.load("balance_as_of", schema);
        this.statementForwardSql = NamedSql.load("statement_forward", schema);
        this.statementBackwardSql = NamedSql.load("statement_backward", schema);
    }

    // ------------------------------------------------------------------------------------------------- writes

    /** A connection for a write; failing to get one is STORE_UNAVAILABLE, since nothing was sent. */
    private Connection connect(String action, @Nullable UUID transferId) {
        try {
            return dataSource.getConnection();
        } catch (SQLException | RuntimeException e) {
            SQLException sql = Errors.sqlException(e);
            throw new LedgerUnavailableException(
                    LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                    action + " failed: no" + " connection (" + (sql != null ? Errors.serverMessage(sql) : e.toString())
                            + "); nothing was sent",
                    transferId,
                    e);
        }
    }

    AppendResult append(TransferDraft draft) {
        List<TransferDraft> one = List.of(draft);
        List<AppendResult> results = appendAll(one, BatchMode.INDEPENDENT, true);
        return results.get(0);
    }

    List<AppendResult> appendBatch(List<TransferDraft> drafts, BatchMode mode) {
        return appendAll(drafts, mode, false);
    }

    /**
     * One call of append_transfers, in its own transaction; once more with the exclusive credit lock when the function
     * asks for it. {@code single}: the port's {@code append}, where an id recorded with other content is
     * {@link AppendResult.AlreadyRecorded} (the Ledger compares), and a concurrent commit of the same id is read.
     */
    private List<AppendResult> appendAll(List<TransferDraft> drafts, BatchMode mode, boolean single) {
        UUID firstId = drafts.get(0).id();
        boolean exclusive = false;
        while (true) {
            try (Connection c = connect("recording transfer " + firstId, firstId)) {
                // The call commits only in auto-commit mode. A connection without it (a pool reconfigured after
                // build(), or one joined to someone else's transaction) would leave the rows to whoever ends that
                // transaction, and a pool rolls them back: refuse before writing, and never switch it on (that would
                // commit the other work of a transaction we do not own). A local call in pgjdbc and HikariCP.
                if (!c.getAutoCommit()) {
                    throw autoCommitOff("recording transfer " + firstId, firstId);
                }
                return callAppend(c, drafts, mode, single, exclusive);
            } catch (LedgerUnavailableException e) {
                throw e;
            } catch (SQLException | RuntimeException e) {
                SQLException sql = Errors.sqlException(e);
                String state = Errors.sqlState(sql);
                String constraint = Errors.constraint(sql);
                if (!exclusive && creditsContended(state, constraint)) {
                    exclusive = true; // nothing was written: call again, now waiting for every credit in flight
                    continue;
                }
                LedgerUnavailableException isolation = isolationRefused(e, sql, state, constraint, firstId);
                if (isolation != null) {
                    throw isolation;
                }
                if (sql != null
                        && Errors.UNIQUE_VIOLATION.equals(state)
                        && "transfer_id_key".equals(constraint)
                        && single) {
                    // A concurrent attempt with the same id committed while we waited on the unique index: read it now.
                    Optional<Transfer> existing = findTransfer(firstId);
                    if (existing.isPresent()) {
                        return List.of(new AppendResult.AlreadyRecorded(existing.get()));
                    }
                }
                if (sql != null && (Errors.isRetryable(state) || Errors.UNIQUE_VIOLATION.equals(state))) {
                    // Nothing of the call was written (one transaction): every item is retried.
                    String detail = "the database reported SQLSTATE " + state + ": " + Errors.serverMessage(sql);
                    List<AppendResult> all = new ArrayList<>(drafts.size());
                    for (int i = 0; i < drafts.size(); i++) {
                        all.add(new AppendResult.Conflict(detail));
                    }
                    return all;
                }
                throw Errors.unavailable(
                        e,
                        drafts.size() == 1
                                ? "recording transfer " + firstId
                                : "recording a batch of " + drafts.size() + " transfers (first id " + firstId + ")",
                        true,
                        firstId);
            }
        }
    }

    private List<AppendResult> callAppend(
            Connection c, List<TransferDraft> drafts, BatchMode mode, boolean single, boolean exclusive)
            throws SQLException {
        int n = drafts.size();
        Object[] ids = new Object[n];
        Object[] sources = new Object[n];
        Object[] destinations = new Object[n];
        Object[] amounts = new Object[n];
        Object[] currencies = new Object[n];
        Object[] references = new Object[n];
        Object[] metadata = null;
        Object[] kinds = null;
        Object[] pendingIds = null;
        Object[] expires = null;
        Object[] timeouts = null;
        Instant notBefore = drafts.get(0).notBefore();
        for (int i = 0; i < n; i++) {
            TransferDraft d = drafts.get(i);
            ids[i] = d.id();
            sources[i] = d.source().value();
            destinations[i] = d.destination().value();
            amounts[i] = d.amount();
            currencies[i] = d.currency();
            references[i] = d.reference();
            if (!d.metadata().isEmpty()) {
                if (metadata == null) {
                    metadata = new Object[n];
                }
                metadata[i] = Rows.json(d.metadata());
            }
            if (d.kind() != TransferKind.IMMEDIATE) {
                if (kinds == null || pendingIds == null || expires == null || timeouts == null) {
                    kinds = new Object[n];
                    java.util.Arrays.fill(kinds, (short) 0);
                    pendingIds = new Object[n];
                    expires = new Object[n];
                    timeouts = new Object[n];
                }
                kinds[i] = Rows.code(d.kind());
                pendingIds[i] = d.pendingId();
                expires[i] = d.expiresAt() == null ? null : Rows.bind(d.expiresAt());
                timeouts[i] = d.timeout() == null ? null : d.timeout().toNanos() / 1_000 + " microseconds";
            }
            if (d.notBefore().isAfter(notBefore)) {
                notBefore = d.notBefore();
            }
        }
        Map<String, Object> values = new HashMap<>(16);
        values.put("ids", c.createArrayOf("uuid", ids));
        values.put("sources", c.createArrayOf("text", sources));
        values.put("destinations", c.createArrayOf("text", destinations));
        values.put("amounts", c.createArrayOf("int8", amounts));
        values.put("currencies", c.createArrayOf("text", currencies));
        values.put("references", c.createArrayOf("text", references));
        values.put("not_before", Rows.bind(notBefore));
        values.put("linked", mode == BatchMode.LINKED);
        values.put("exclusive", exclusive);
        values.put("metadata", metadata == null ? null : c.createArrayOf("text", metadata));
        values.put("kinds", kinds == null ? null : c.createArrayOf("int2", kinds));
        values.put("pending_ids", pendingIds == null ? null : c.createArrayOf("uuid", pendingIds));
        values.put("expires", expires == null ? null : c.createArrayOf("timestamptz", expires));
        values.put("timeouts", timeouts == null ? null : c.createArrayOf("text", timeouts));
        List<AppendResult> results = new ArrayList<>(n);
        try (PreparedStatement ps = c.prepareStatement(appendSql.sql())) {
            appendSql.bind(ps, values);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String status = rs.getString("status");
                    if ("CLOCK_AHEAD".equals(status)) {
                        throw clockAhead(rs.getString("detail"), drafts.get(0).id());
                    }
                    TransferDraft draft = drafts.get(results.size());
                    results.add(outcome(rs, status, draft, single));
                }
            }
        } finally {
            for (Object value : values.values()) {
                if (value instanceof Array array) {
                    array.free();
                }
            }
        }
        if (results.size() != n) {
            throw new IllegalStateException(
                    "append_transfers answered " + results.size() + " rows for " + n + " items");
        }
        return results;
    }

    private static AppendResult outcome(ResultSet rs, String status, TransferDraft draft, boolean single)
            throws SQLException {
        String detail = rs.getString("detail");
        switch (status) {
            case "OK":
                return new AppendResult.Recorded(new Transfer(
                        draft.id(),
                        draft.source(),
                        rs.getLong("source_index"),
                        draft.destination(),
                        draft.amount(),
                        draft.currency(),
                        Rows.instant(rs, "recorded_at"),
                        draft.reference(),
                        draft.metadata(),
                        draft.kind(),
                        draft.pendingId(),
                        Rows.nullableInstant(rs, "expires_at")));
            case "EXISTING":
                return new AppendResult.AlreadyRecorded(Rows.transfer(rs, "e_"));
            case "ID_REUSED":
                return single
                        ? new AppendResult.AlreadyRecorded(Rows.transfer(rs, "e_"))
                        : new AppendResult.Rejected(RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT, detail);
            case "ABORTED":
                return new AppendResult.Aborted("another item of the linked batch failed; nothing of it was recorded");
            case "TIME_NOT_FUTURE":
                throw clockAhead(detail, draft.id());
            default:
                return new AppendResult.Rejected(reason(status), detail);
        }
    }

    /** append_transfers asked to be called again with the exclusive credit lock (docs/design.md, "Credit overflow"). */
    private static boolean creditsContended(@Nullable String state, @Nullable String constraint) {
        return Errors.SERIALIZATION_FAILURE.equals(state) && "transfer_credits_contended".equals(constraint);
    }

    /** The rejection reason of an append_transfers status. */
    private static RejectionReason reason(String status) {
        return switch (status) {
            case "SOURCE_NOT_FOUND" -> RejectionReason.SOURCE_NOT_FOUND;
            case "DESTINATION_NOT_FOUND" -> RejectionReason.DESTINATION_NOT_FOUND;
            case "FUNDING_ACCOUNT_NOT_ISSUER" -> RejectionReason.FUNDING_ACCOUNT_NOT_ISSUER;
            case "CURRENCY_MISMATCH" -> RejectionReason.CURRENCY_MISMATCH;
            case "INSUFFICIENT_FUNDS" -> RejectionReason.INSUFFICIENT_FUNDS;
            case "UPPER_LIMIT_EXCEEDED" -> RejectionReason.UPPER_LIMIT_EXCEEDED;
            case "DEBITS_OVERFLOW", "CREDITS_OVERFLOW" -> RejectionReason.BALANCE_OVERFLOW;
            case "INVALID_INSTANT" -> RejectionReason.INVALID_INSTANT;
            case "EXISTING", "ID_REUSED" -> RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT;
            case "INVALID_EXPIRY" -> RejectionReason.INVALID_EXPIRY;
            case "PENDING_NOT_FOUND" -> RejectionReason.PENDING_NOT_FOUND;
            case "PENDING_MISMATCH" -> RejectionReason.PENDING_MISMATCH;
            case "POST_EXCEEDS_PENDING" -> RejectionReason.POST_EXCEEDS_PENDING;
            case "PENDING_ALREADY_POSTED" -> RejectionReason.PENDING_ALREADY_POSTED;
            case "PENDING_ALREADY_VOIDED" -> RejectionReason.PENDING_ALREADY_VOIDED;
            case "PENDING_EXPIRED" -> RejectionReason.PENDING_EXPIRED;
            default -> throw new IllegalStateException("unexpected append_transfers status " + status);
        };
    }

    /** The refusal of a write on a connection with auto-commit off: nothing was sent. */
    private static LedgerUnavailableException autoCommitOff(String action, @Nullable UUID transferId) {
        return new LedgerUnavailableException(
                LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                action + " refused:"
                        + " the DataSource gave a connection with auto-commit off, so the ledger could not commit the write"
                        + " itself; nothing was recorded. Give the store auto-commit connections"
                        + " (HikariConfig.setAutoCommit(true))",
                transferId,
                null);
    }

    /**
     * The exception for append_transfers' refusal of a transfer outside READ COMMITTED (the connection's isolation was
     * changed from the server's or pool's default after build() checked it); null for any other failure. The function
     * raised before any row was written, so nothing was recorded: STORE_UNAVAILABLE, not OUTCOME_UNKNOWN.
     */
    private static @Nullable LedgerUnavailableException isolationRefused(
            Exception e,
            @Nullable SQLException sql,
            @Nullable String state,
            @Nullable String constraint,
            UUID transferId) {
        if (sql == null
                || !Errors.INVALID_TRANSACTION_STATE.equals(state)
                || !"transfer_read_committed".equals(constraint)) {
            return null;
        }
        return new LedgerUnavailableException(
                LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                "recording transfer " + transferId + " refused: the connection's isolation level is not READ COMMITTED"
                        + " (the database said: " + Errors.serverMessage(sql)
                        + "); the ledger records transfers under READ"
                        + " COMMITTED: configure the pool's connections with it (HikariConfig.setTransactionIsolation unset or"
                        + " TRANSACTION_READ_COMMITTED) and the role's default (ALTER ROLE ... SET"
                        + " default_transaction_isolation = 'read committed'); nothing was recorded",
                transferId,
                e);
    }

    private static LedgerUnavailableException clockAhead(String message, @Nullable UUID transferId) {
        return new LedgerUnavailableException(LedgerUnavailableException.Kind.CLOCK_AHEAD, message, transferId, null);
    }

    OpenResult open(Account account, @Nullable TransferDraft funding) {
        @Nullable UUID fundingId = funding == null ? null : funding.id();
        boolean exclusive = false;
        while (true) {
            try (Connection c = connect("opening account " + account.id(), fundingId)) {
                if (!c.getAutoCommit()) {
                    throw autoCommitOff("opening account " + account.id(), fundingId);
                }
                return openIn(c, account, funding, exclusive);
            } catch (LedgerUnavailableException e) {
                throw e;
            } catch (SQLException | RuntimeException e) {
                SQLException sql = Errors.sqlException(e);
                String state = Errors.sqlState(sql);
                String constraint = Errors.constraint(sql);
                if (!exclusive && creditsContended(state, constraint)) {
                    exclusive = true; // nothing was written: call again, now waiting for every credit in flight
                    continue;
                }
                if (Errors.UNIQUE_VIOLATION.equals(state) && "account_pkey".equals(constraint)) {
                    return new OpenResult.Rejected(
                            RejectionReason.ACCOUNT_EXISTS, "account " + account.id() + " already exists");
                }
                if (Errors.CHECK_VIOLATION.equals(state)
                        && "account_time_not_future".equals(constraint)
                        && sql != null) {
                    throw clockAhead(Errors.serverMessage(sql) + "; nothing was recorded", fundingId);
                }
                if (Errors.FUNDING_REFUSED.equals(state) && sql != null && funding != null) {
                    String status = Errors.hint(sql);
                    if ("CLOCK_AHEAD".equals(status) || "TIME_NOT_FUTURE".equals(status)) {
                        throw clockAhead(Errors.serverMessage(sql), fundingId);
                    }
                    return new OpenResult.Rejected(reason(String.valueOf(status)), Errors.serverMessage(sql));
                }
                if (funding != null) {
                    LedgerUnavailableException isolation = isolationRefused(e, sql, state, constraint, funding.id());
                    if (isolation != null) {
                        throw isolation;
                    }
                    if (Errors.UNIQUE_VIOLATION.equals(state) && "transfer_id_key".equals(constraint)) {
                        return new OpenResult.Rejected(
                                RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
                                "funding transfer id " + funding.id()
                                        + " was recorded concurrently by another request");
                    }
                }
                if (Errors.isRetryable(state) && sql != null) {
                    return new OpenResult.Conflict(
                            "the database reported SQLSTATE " + state + ": " + Errors.serverMessage(sql));
                }
                throw Errors.unavailable(e, "opening account " + account.id(), true, fundingId);
            }
        }
    }

    private OpenResult openIn(Connection c, Account account, @Nullable TransferDraft funding, boolean exclusive)
            throws SQLException {
        Map<String, Object> values = new HashMap<>(16);
        values.put("id", account.id().value());
        values.put("currency", account.currency());
        values.put("opened_at", Rows.bind(account.openedAt()));
        values.put("funding_id", funding == null ? null : funding.id());
        values.put("funded_by", funding == null ? null : funding.source().value());
        values.put("amount", funding == null ? null : funding.amount());
        values.put("reference", funding == null ? null : funding.reference());
        values.put("exclusive", exclusive);
        values.put("lower_limit", account.issuer() ? null : account.lowerLimit());
        values.put("upper_limit", account.hasUpperLimit() ? account.upperLimit() : null);
        NamedSql sql = account.issuer() ? openIssuerSql : openAccountSql;
        try (PreparedStatement ps = c.prepareStatement(sql.sql())) {
            sql.bind(ps, values);
            try (ResultSet rs = ps.executeQuery()) {
                if (funding == null || !rs.next()) {
                    return new OpenResult.Opened(account, Optional.empty());
                }
                return new OpenResult.Opened(
                        account,
                        Optional.of(new Transfer(
                                funding.id(),
                                funding.source(),
                                rs.getLong("source_index"),
                                account.id(),
                                funding.amount(),
                                funding.currency(),
                                Rows.instant(rs, "recorded_at"),
                                funding.reference())));
            }
        }
    }

    // -------------------------------------------------------------------------------------------------- reads

    Optional<Account> findAccount(AccountId id) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(findAccountSql.sql())) {
            findAccountSql.bind(ps, Map.of("id", id.value()));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Rows.account(rs)) : Optional.empty();
            }
        } catch (SQLException | RuntimeException e) {
            throw Errors.unavailable(e, "reading account " + id, false, null);
        }
    }

    /**
     * The transfer with this id. When it is not visible, waits for any attempt recording it right now (each attempt
     * holds a shared advisory lock on the id until it commits or rolls back) and looks again.
     */
    Optional<Transfer> findTransfer(UUID id) {
        try (Connection c = dataSource.getConnection()) {
            Optional<Transfer> found = selectTransfer(c, findTransferSql, id);
            if (found.isPresent()) {
                return found;
            }
            boolean autoCommit = c.getAutoCommit();
            if (autoCommit) {
                c.setAutoCommit(false);
            }
            try {
                try (PreparedStatement ps = c.prepareStatement(awaitTransferSql.sql())) {
                    awaitTransferSql.bind(ps, Map.of("id", id));
                    ps.executeQuery().close();
                }
                found = selectTransfer(c, findTransferSql, id);
                if (autoCommit) {
                    c.commit();
                }
                return found;
            } finally {
                if (autoCommit) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
            }
        } catch (SQLException | RuntimeException e) {
            throw Errors.unavailable(e, "reading transfer " + id, false, id);
        }
    }

    private static Optional<Transfer> selectTransfer(Connection c, NamedSql sql, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.sql())) {
            sql.bind(ps, Map.of("id", id));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Rows.transfer(rs, "")) : Optional.empty();
            }
        }
    }

    OptionalLong balance(AccountId id, @Nullable Instant asOf) {
        NamedSql sql = asOf == null ? balanceSql : balanceAsOfSql;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.sql())) {
            sql.bind(
                    ps,
                    asOf == null
                            ? Map.of("id", id.value())
                            : Map.of("id", id.value(), "as_of", Rows.floorMicros(asOf)));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean("present")
                        ? OptionalLong.of(rs.getBigDecimal("balance").longValueExact())
                        : OptionalLong.empty();
            }
        } catch (SQLException | RuntimeException e) {
            throw Errors.unavailable(e, "reading the balance of " + id, false, null);
        }
    }

    Optional<Balances> balances(AccountId id, @Nullable Instant asOf, Instant now) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(balancesSql.sql())) {
            Map<String, Object> values = new HashMap<>(4);
            values.put("id", id.value());
            values.put("through", asOf == null ? null : Rows.floorMicros(asOf));
            values.put("expired_by", Rows.floorMicros(asOf == null ? now : asOf));
            balancesSql.bind(ps, values);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean("present")) {
                    return Optional.empty();
                }
                return Optional.of(new Balances(
                        rs.getBigDecimal("posted").longValueExact(), rs.getLong("held"), rs.getLong("pending")));
            }
        } catch (SQLException | RuntimeException e) {
            throw Errors.unavailable(e, "reading the balances of " + id, false, null);
        }
    }

    /** A pending transfer's status from its resolution's kind (resolved_kind: 2 post, 3 void, null: none) and now. */
    private static @Nullable PendingStatus pendingStatus(Transfer t, ResultSet rs, Instant now) throws SQLException {
        if (!t.isPending()) {
            return null;
        }
        int resolved = rs.getInt("resolved_kind");
        if (!rs.wasNull()) {
            return resolved == 2 ? PendingStatus.POSTED : PendingStatus.VOIDED;
        }
        return t.expiresAt() != null && !now.isBefore(t.expiresAt()) ? PendingStatus.EXPIRED : PendingStatus.PENDING;
    }

    StatementPage statement(StatementQuery q, Instant now) {
        boolean forward = q.direction() == StatementQuery.Direction.FORWARD;
        NamedSql sql = forward ? statementForwardSql : statementBackwardSql;
        Map<String, Object> values = new HashMap<>(8);
        values.put("account", q.account().value());
        values.put("n", q.limit() + 1);
        values.put("from", q.from() == null ? null : Rows.ceilMicros(q.from()));
        values.put("to", q.to() == null ? null : Rows.ceilMicros(q.to()));
        values.put("after_at", q.after() == null ? null : Rows.bind(q.after().recordedAt()));
        values.put("after_id", q.after() == null ? null : q.after().transferId());
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.sql())) {
            sql.bind(ps, values);
            List<StatementLine> lines = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Transfer t = Rows.transfer(rs, "");
                    // Until withRunningBalances: the balance just after the page's first line, the same on every row.
                    lines.add(new StatementLine(
                            t,
                            t.source().equals(q.account()) ? -t.postedAmount() : t.postedAmount(),
                            rs.getBigDecimal("first_balance").longValueExact(),
                            pendingStatus(t, rs, now)));
                }
            }
            StatementCursor next = null;
            if (lines.size() > q.limit()) {
                lines = new ArrayList<>(lines.subList(0, q.limit()));
                next = lines.get(lines.size() - 1).cursor();
            }
            return new StatementPage(withRunningBalances(lines, forward), next);
        } catch (SQLException | RuntimeException e) {
            throw Errors.unavailable(e, "reading the statement of " + q.account(), false, null);
        }
    }

    /**
     * The running balance after each line, from the balance after the page's first line: reading forward each line adds
     * its change; reading backward each older line's balance is the newer one's minus the newer change.
     */
    private static List<StatementLine> withRunningBalances(List<StatementLine> lines, boolean forward) {
        List<StatementLine> out = new ArrayList<>(lines.size());
        long balance = 0;
        for (int i = 0; i < lines.size(); i++) {
            StatementLine line = lines.get(i);
            if (i == 0) {
                balance = line.balanceAfter();
            } else if (forward) {
                balance = Math.addExact(balance, line.change());
            } else {
                balance = Math.subtractExact(balance, lines.get(i - 1).change());
            }
            out.add(new StatementLine(line.transfer(), line.change(), balance, line.pendingStatus()));
        }
        return out;
    }
}
