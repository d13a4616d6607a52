package dev.ledger.postgres;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.StatementCursor;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.spi.AppendResult;
import dev.ledger.core.spi.OpenResult;
import dev.ledger.core.spi.TransferDraft;
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
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.NoTemplateEngine;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of the store. Every statement is prepared text with bound parameters; the only value formatted into
 * SQL text is the schema name, validated as an identifier by the builder.
 */
final class TransferStatements {
  /**
   * The advisory lock class of transfer ids ({@code 0x4C454449}, "LEDI"): the ledger uses only the two-integer
   * form of PostgreSQL's advisory locks, which never meets the one-bigint form applications usually use.
   */
  static final int ID_LOCK_CLASS = 0x4C454449;

  private final Jdbi jdbi;
  private final DataSource dataSource;
  private final NamedSql appendSql;
  private final String findTransferSql;
  private final String balanceSql;
  private final String balanceAsOfSql;
  private final String findAccountSql;
  private final String insertAccountSql;
  private final String schema;

  TransferStatements(DataSource dataSource, String schema) {
    this.schema = schema;
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource);
    jdbi.setTemplateEngine(new NoTemplateEngine());
    String s = schema + ".";
    this.appendSql = NamedSql.parse("""
        WITH id_lock AS (SELECT pg_advisory_xact_lock_shared(%2$d, :id_lock) IS NULL AS held),
        existing AS (
            SELECT t.id, t.source, t.source_index, t.destination, t.amount, t.currency, t.recorded_at, t.reference
              FROM %1$stransfer t WHERE t.id = :id),
        src AS (SELECT a.currency, a.issuer FROM %1$saccount a WHERE a.id = :source),
        dst AS (SELECT a.currency FROM %1$saccount a WHERE a.id = :destination),
        head AS (SELECT t.source_index, t.source_debits, t.recorded_at FROM %1$stransfer t
                  WHERE t.source = :source ORDER BY t.source_index DESC LIMIT 1),
        seal AS (SELECT max(s.sealed_through) AS through FROM %1$sseal s),
        clock AS (SELECT clock_timestamp() AS now,
                         coalesce((SELECT s.max_clock_skew FROM %1$ssetting s), interval '1 minute') AS skew),
        cp AS (SELECT c.credits, c.through FROM %1$scredit_checkpoint c
                WHERE c.account = :source ORDER BY c.through DESC LIMIT 1),
        credit AS (SELECT coalesce((SELECT cp.credits FROM cp), 0) + coalesce(sum(t.amount), 0) AS total,
                          max(t.recorded_at) AS latest
                     FROM %1$stransfer t
                    WHERE t.destination = :source
                      AND t.recorded_at > coalesce((SELECT cp.through FROM cp), '-infinity')),
        plan AS (
            SELECT CASE
                     WHEN EXISTS (SELECT 1 FROM existing) THEN 'EXISTING'
                     WHEN :not_before > clock.now + clock.skew THEN 'CLOCK_AHEAD'
                     WHEN src.currency IS NULL THEN 'SOURCE_NOT_FOUND'
                     WHEN :funding AND NOT src.issuer THEN 'FUNDING_ACCOUNT_NOT_ISSUER'
                     WHEN dst.currency IS NULL THEN 'DESTINATION_NOT_FOUND'
                     WHEN src.currency <> :currency OR dst.currency <> :currency THEN 'CURRENCY_MISMATCH'
                     WHEN NOT src.issuer AND credit.total - coalesce(head.source_debits, 0) < :amount
                       THEN 'INSUFFICIENT_FUNDS'
                     WHEN coalesce(head.source_debits, 0)::numeric + :amount > 9223372036854775807
                       THEN 'BALANCE_OVERFLOW'
                     ELSE 'OK'
                   END AS status,
                   src.currency AS source_currency,
                   dst.currency AS destination_currency,
                   coalesce(head.source_index + 1, 0) AS next_index,
                   coalesce(head.source_debits, 0) AS debits,
                   credit.total - coalesce(head.source_debits, 0) AS balance,
                   -- after every credit counted, so that no debit sorts before a credit it spends
                   greatest(:not_before, head.recorded_at, credit.latest + interval '1 microsecond',
                            (SELECT seal.through FROM seal) + interval '1 microsecond') AS at,
                   clock.now AS database_now,
                   clock.skew AS allowed_skew
              FROM id_lock
              CROSS JOIN clock
              LEFT JOIN src ON true
              LEFT JOIN dst ON true
              LEFT JOIN head ON true
              CROSS JOIN credit),
        ins AS (
            INSERT INTO %1$stransfer
                   (source, source_index, id, destination, amount, currency, recorded_at, reference, source_debits)
            SELECT :source, p.next_index, :id, :destination, :amount, :currency, p.at, :reference, p.debits + :amount
              FROM plan p WHERE p.status = 'OK'
            RETURNING source_index, recorded_at)
        SELECT p.status, p.source_currency, p.destination_currency, p.debits, p.balance, p.database_now,
               p.allowed_skew::text AS allowed_skew,
               i.source_index AS new_index, i.recorded_at AS new_recorded_at,
               e.id AS e_id, e.source AS e_source, e.source_index AS e_source_index, e.destination AS e_destination,
               e.amount AS e_amount, e.currency AS e_currency, e.recorded_at AS e_recorded_at,
               e.reference AS e_reference
          FROM plan p LEFT JOIN ins i ON true LEFT JOIN existing e ON true
        """.formatted(s, ID_LOCK_CLASS));
    this.findTransferSql = "SELECT id, source, source_index, destination, amount, currency, recorded_at, reference"
        + " FROM " + s + "transfer WHERE id = :id";
    this.balanceSql = "SELECT EXISTS (SELECT 1 FROM " + s + "account WHERE id = :id) AS present, "
        + creditsSql(s, ":id", null) + " - coalesce((SELECT source_debits FROM " + s + "transfer WHERE source = :id"
        + " ORDER BY source_index DESC LIMIT 1), 0) AS balance";
    this.balanceAsOfSql = "SELECT EXISTS (SELECT 1 FROM " + s + "account WHERE id = :id) AS present, "
        + balanceThroughSql(s, ":id", ":as_of", null) + " AS balance";
    this.findAccountSql = "SELECT id, currency, issuer, opened_at FROM " + s + "account WHERE id = :id";
    this.insertAccountSql = "INSERT INTO " + s + "account (id, currency, issuer, opened_at)"
        + " VALUES (:id, :currency, :issuer, :opened_at)";
  }

  /**
   * SQL for an account's cumulative credits over the transfers recorded at or before {@code t} (all, when
   * {@code t} is null): its newest checkpoint through {@code t}, plus the credits recorded after the checkpoint.
   * Written out rather than calling the schema's {@code credits_as_of}: PostgreSQL never inlines a SQL
   * function with sub-selects and would plan its body again on every call, while this text is part of a
   * prepared statement whose plan is cached.
   */
  static String creditsSql(String s, String account, @Nullable String t) {
    String upTo = t == null ? "" : " AND c.through <= " + t;
    String checkpoint = "(SELECT c.%s FROM " + s + "credit_checkpoint c WHERE c.account = " + account + upTo
        + " ORDER BY c.through DESC LIMIT 1)";
    return "(coalesce(" + checkpoint.formatted("credits") + ", 0) + coalesce((SELECT sum(x.amount) FROM " + s
        + "transfer x WHERE x.destination = " + account + (t == null ? "" : " AND x.recorded_at <= " + t)
        + " AND x.recorded_at > coalesce(" + checkpoint.formatted("through") + ", '-infinity')), 0))";
  }

  /**
   * SQL for an account's balance just after the statement line {@code (t, line)}: over its transfers ordered at
   * or before it by (recorded_at, id); with {@code line} null, over those recorded at or before {@code t}.
   */
  static String balanceThroughSql(String s, String account, String t, @Nullable String line) {
    String debits = "coalesce((SELECT x.source_debits FROM " + s + "transfer x WHERE x.source = " + account
        + " AND x.recorded_at <= " + t + " ORDER BY x.recorded_at DESC, x.source_debits DESC LIMIT 1), 0)";
    String sql = "(" + creditsSql(s, account, t) + " - " + debits;
    if (line != null) {
      // Lines at the same microsecond ordered after this one are not yet in the balance.
      String later = "coalesce((SELECT sum(x.amount) FROM " + s + "transfer x WHERE x.%s = " + account
          + " AND x.recorded_at = " + t + " AND x.id > " + line + "), 0)";
      sql += " - " + later.formatted("destination") + " + " + later.formatted("source");
    }
    return sql + ")";
  }

  AppendResult append(TransferDraft draft) {
    try {
      try (Connection c = dataSource.getConnection()) {
        // The statement commits only in auto-commit mode. A connection without it (a pool reconfigured after
        // build(), or one joined to someone else's transaction) would leave the row to whoever ends that
        // transaction, and a pool rolls it back: refuse before writing, and never switch it on (that would
        // commit the other work of a transaction we do not own). A local call in pgjdbc and HikariCP.
        if (!c.getAutoCommit()) {
          throw autoCommitOff("recording transfer " + draft.id(), draft.id());
        }
        return appendIn(c, draft, false);
      }
    } catch (LedgerUnavailableException e) {
      throw e;
    } catch (SQLException | RuntimeException e) {
      return appendFailed(e, draft);
    }
  }

  /** The refusal of a write on a connection with auto-commit off: nothing was sent. */
  private static LedgerUnavailableException autoCommitOff(String action, @Nullable UUID transferId) {
    return new LedgerUnavailableException(LedgerUnavailableException.Kind.STORE_UNAVAILABLE, action + " refused:"
        + " the DataSource gave a connection with auto-commit off, so the ledger could not commit the write"
        + " itself; nothing was recorded. Give the store auto-commit connections"
        + " (HikariConfig.setAutoCommit(true))", transferId, null);
  }

  private AppendResult appendFailed(Exception e, TransferDraft draft) {
    SQLException sql = Errors.sqlException(e);
    String state = Errors.sqlState(sql);
    String constraint = Errors.constraint(sql);
    LedgerUnavailableException isolation = isolationRefused(e, sql, state, constraint, draft.id());
    if (isolation != null) {
      throw isolation;
    }
    if (Errors.UNIQUE_VIOLATION.equals(state) && "transfer_id_key".equals(constraint)) {
      // A concurrent attempt with the same id committed while we waited on the unique index: read it now.
      Optional<Transfer> existing = findTransfer(draft.id());
      if (existing.isPresent()) {
        return new AppendResult.AlreadyRecorded(existing.get());
      }
      return new AppendResult.Conflict("transfer id " + draft.id() + " was being recorded concurrently");
    }
    AppendResult mapped = mapViolation(sql, state, constraint, draft);
    if (mapped != null) {
      return mapped;
    }
    throw Errors.unavailable(e, "recording transfer " + draft.id(), true, draft.id());
  }

  /**
   * The exception for the guard's refusal of a transfer outside READ COMMITTED (the connection's isolation was
   * changed from the server's or pool's default after build() checked it); null for any other failure. The guard
   * raised before the row was written, so nothing was recorded: STORE_UNAVAILABLE, not OUTCOME_UNKNOWN.
   */
  private static @Nullable LedgerUnavailableException isolationRefused(Exception e, @Nullable SQLException sql,
      @Nullable String state, @Nullable String constraint, UUID transferId) {
    if (sql == null || !Errors.INVALID_TRANSACTION_STATE.equals(state)
        || !"transfer_read_committed".equals(constraint)) {
      return null;
    }
    return new LedgerUnavailableException(LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
        "recording transfer " + transferId + " refused: the connection's isolation level is not READ COMMITTED"
            + " (the database said: " + Errors.serverMessage(sql) + "); the ledger records transfers under READ"
            + " COMMITTED: configure the pool's connections with it (HikariConfig.setTransactionIsolation unset or"
            + " TRANSACTION_READ_COMMITTED) and the role's default (ALTER ROLE ... SET"
            + " default_transaction_isolation = 'read committed'); nothing was recorded", transferId, e);
  }

  /** The port's result for a constraint violation or retryable failure; null when it is neither. */
  private static @Nullable AppendResult mapViolation(@Nullable SQLException sql, @Nullable String state,
      @Nullable String constraint, TransferDraft draft) {
    if (sql == null || state == null) {
      return null;
    }
    if (Errors.UNIQUE_VIOLATION.equals(state) && "transfer_pkey".equals(constraint)) {
      return new AppendResult.Conflict("the next index of source " + draft.source()
          + " was taken by a concurrent debit");
    }
    if (Errors.isRetryable(state)) {
      return new AppendResult.Conflict("the database reported SQLSTATE " + state + ": " + Errors.serverMessage(sql));
    }
    if (constraint == null) {
      return null;
    }
    String message = Errors.serverMessage(sql);
    return switch (constraint) {
      case "transfer_funds_sufficient" -> new AppendResult.Rejected(RejectionReason.INSUFFICIENT_FUNDS, message);
      case "transfer_credits_in_range" -> new AppendResult.Rejected(RejectionReason.BALANCE_OVERFLOW, message);
      case "transfer_currency_matches" -> new AppendResult.Rejected(RejectionReason.CURRENCY_MISMATCH, message);
      case "transfer_source_exists" -> new AppendResult.Rejected(RejectionReason.SOURCE_NOT_FOUND, message);
      case "transfer_destination_exists" -> new AppendResult.Rejected(RejectionReason.DESTINATION_NOT_FOUND, message);
      case "transfer_time_in_range" -> new AppendResult.Rejected(RejectionReason.INVALID_INSTANT, message);
      case "transfer_time_not_future" -> throw clockAhead(message, draft.id());
      // The statement read index and debits from one snapshot; these mean a concurrent change: re-read.
      case "transfer_index_contiguous", "transfer_debits_cumulative", "transfer_time_monotonic",
          "transfer_after_seal" ->
          new AppendResult.Conflict(message);
      default -> null;
    };
  }

  /** The append statement on {@code c}, in its current transaction (auto-commit: its own). */
  private AppendResult appendIn(Connection c, TransferDraft draft, boolean funding) throws SQLException {
    Map<String, Object> values = new HashMap<>(16);
    values.put("id", draft.id());
    values.put("id_lock", idLock(draft.id()));
    values.put("source", draft.source().value());
    values.put("destination", draft.destination().value());
    values.put("amount", draft.amount());
    values.put("currency", draft.currency());
    values.put("reference", draft.reference());
    values.put("not_before", Rows.bind(draft.notBefore()));
    values.put("funding", funding);
    try (PreparedStatement ps = c.prepareStatement(appendSql.sql())) {
      appendSql.bind(ps, values);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return appendOutcome(rs, draft);
      }
    }
  }

  private static AppendResult appendOutcome(ResultSet rs, TransferDraft draft) throws SQLException {
    String status = rs.getString("status");
    switch (status) {
      case "CLOCK_AHEAD":
        throw clockAhead("the ledger clock reads " + draft.notBefore() + ", later than the database clock "
            + Rows.instant(rs, "database_now") + " plus the allowed skew " + rs.getString("allowed_skew")
            + " (setting.max_clock_skew); nothing was recorded", draft.id());
      case "OK":
        return new AppendResult.Recorded(new Transfer(draft.id(), draft.source(), rs.getLong("new_index"),
            draft.destination(), draft.amount(), draft.currency(), Rows.instant(rs, "new_recorded_at"),
            draft.reference()));
      case "EXISTING":
        return new AppendResult.AlreadyRecorded(Rows.transfer(rs, "e_"));
      case "SOURCE_NOT_FOUND":
        return new AppendResult.Rejected(RejectionReason.SOURCE_NOT_FOUND,
            "source account " + draft.source() + " does not exist");
      case "DESTINATION_NOT_FOUND":
        return new AppendResult.Rejected(RejectionReason.DESTINATION_NOT_FOUND,
            "destination account " + draft.destination() + " does not exist");
      case "FUNDING_ACCOUNT_NOT_ISSUER":
        return new AppendResult.Rejected(RejectionReason.FUNDING_ACCOUNT_NOT_ISSUER,
            "account " + draft.source() + " funds the opening balance of " + draft.destination()
                + " but is not an issuer");
      case "CURRENCY_MISMATCH":
        return new AppendResult.Rejected(RejectionReason.CURRENCY_MISMATCH,
            "transfer in " + draft.currency() + " from " + draft.source() + " (" + rs.getString("source_currency")
                + ") to " + draft.destination() + " (" + rs.getString("destination_currency") + ")");
      case "INSUFFICIENT_FUNDS":
        return new AppendResult.Rejected(RejectionReason.INSUFFICIENT_FUNDS,
            "account " + draft.source() + " has balance " + rs.getBigDecimal("balance").toPlainString()
                + ", less than the amount " + draft.amount());
      case "BALANCE_OVERFLOW":
        return new AppendResult.Rejected(RejectionReason.BALANCE_OVERFLOW,
            "cumulative debits of " + draft.source() + " are " + rs.getLong("debits") + "; adding "
                + draft.amount() + " overflows");
      default:
        throw new IllegalStateException("unexpected append status " + status);
    }
  }

  private static LedgerUnavailableException clockAhead(String message, @Nullable UUID transferId) {
    return new LedgerUnavailableException(LedgerUnavailableException.Kind.CLOCK_AHEAD, message, transferId, null);
  }

  OpenResult open(Account account, @Nullable TransferDraft funding) {
    try (Handle handle = jdbi.open()) {
      // Jdbi joins a transaction already open on the connection (auto-commit off) instead of committing its
      // own: the account would be left to whoever ends it, and a pool rolls it back. Refuse, as append does.
      if (!handle.getConnection().getAutoCommit()) {
        throw autoCommitOff("opening account " + account.id(), funding == null ? null : funding.id());
      }
      return handle.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
        h.createUpdate(insertAccountSql)
            .bind("id", account.id().value())
            .bind("currency", account.currency())
            .bind("issuer", account.issuer())
            .bind("opened_at", Rows.bind(account.openedAt()))
            .execute();
        if (funding == null) {
          return new OpenResult.Opened(account, Optional.empty());
        }
        AppendResult result = appendIn(h.getConnection(), funding, true);
        if (result instanceof AppendResult.Recorded recorded) {
          return new OpenResult.Opened(account, Optional.of(recorded.transfer()));
        }
        h.rollback();
        if (result instanceof AppendResult.Rejected rejected) {
          return new OpenResult.Rejected(rejected.reason(), rejected.detail());
        }
        Transfer existing = ((AppendResult.AlreadyRecorded) result).existing();
        return new OpenResult.Rejected(RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
            "funding transfer id " + funding.id() + " is already recorded, for " + existing.source() + " -> "
                + existing.destination());
      });
    } catch (LedgerUnavailableException e) {
      throw e;
    } catch (SQLException | RuntimeException e) {
      SQLException sql = Errors.sqlException(e);
      String state = Errors.sqlState(sql);
      String constraint = Errors.constraint(sql);
      if (Errors.UNIQUE_VIOLATION.equals(state) && "account_pkey".equals(constraint)) {
        return new OpenResult.Rejected(RejectionReason.ACCOUNT_EXISTS, "account " + account.id() + " already exists");
      }
      if (Errors.CHECK_VIOLATION.equals(state) && "account_time_not_future".equals(constraint) && sql != null) {
        throw clockAhead(Errors.serverMessage(sql) + "; nothing was recorded", funding == null ? null : funding.id());
      }
      if (funding != null) {
        LedgerUnavailableException isolation = isolationRefused(e, sql, state, constraint, funding.id());
        if (isolation != null) {
          throw isolation;
        }
        if (Errors.UNIQUE_VIOLATION.equals(state) && "transfer_id_key".equals(constraint)) {
          return new OpenResult.Rejected(RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT,
              "funding transfer id " + funding.id() + " was recorded concurrently by another request");
        }
        AppendResult mapped = mapViolation(sql, state, constraint, funding);
        if (mapped instanceof AppendResult.Conflict conflict) {
          return new OpenResult.Conflict(conflict.detail());
        }
        if (mapped instanceof AppendResult.Rejected rejected) {
          return new OpenResult.Rejected(rejected.reason(), rejected.detail());
        }
      } else if (Errors.isRetryable(state)) {
        return new OpenResult.Conflict("the database reported SQLSTATE " + state);
      }
      throw Errors.unavailable(e, "opening account " + account.id(), true, funding == null ? null : funding.id());
    }
  }

  Optional<Account> findAccount(AccountId id) {
    try {
      return jdbi.withHandle(h -> h.createQuery(findAccountSql).bind("id", id.value())
          .map((rs, ctx) -> Rows.account(rs)).findOne());
    } catch (RuntimeException e) {
      throw Errors.unavailable(e, "reading account " + id, false, null);
    }
  }

  /**
   * The transfer with this id. When it is not visible, waits for any attempt recording it right now (each
   * attempt holds a shared advisory lock on the id until it commits or rolls back) and looks again.
   */
  Optional<Transfer> findTransfer(UUID id) {
    try {
      Optional<Transfer> found = jdbi.withHandle(h -> selectTransfer(h, id));
      if (found.isPresent()) {
        return found;
      }
      return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
        h.createQuery("SELECT pg_advisory_xact_lock(" + ID_LOCK_CLASS + ", :id_lock) IS NULL").bind("id_lock", idLock(id))
            .mapTo(Boolean.class).one();
        return selectTransfer(h, id);
      });
    } catch (RuntimeException e) {
      throw Errors.unavailable(e, "reading transfer " + id, false, id);
    }
  }

  private Optional<Transfer> selectTransfer(Handle h, UUID id) {
    return h.createQuery(findTransferSql)
        .bind("id", id)
        .map((rs, ctx) -> Rows.transfer(rs, ""))
        .findOne();
  }

  /**
   * The advisory lock key of a transfer id within {@link #ID_LOCK_CLASS}: its 128 bits folded to 32 (collisions
   * only cost a needless wait).
   */
  static int idLock(UUID id) {
    long folded = id.getMostSignificantBits() ^ id.getLeastSignificantBits();
    return (int) (folded ^ (folded >>> 32));
  }

  OptionalLong balance(AccountId id, @Nullable Instant asOf) {
    try {
      return jdbi.withHandle(h -> {
        Query query = h.createQuery(asOf == null ? balanceSql : balanceAsOfSql).bind("id", id.value());
        if (asOf != null) {
          query.bind("as_of", Rows.floorMicros(asOf));
        }
        return query.map((rs, ctx) -> rs.getBoolean("present")
                ? OptionalLong.of(rs.getBigDecimal("balance").longValueExact())
                : OptionalLong.empty())
            .one();
      });
    } catch (RuntimeException e) {
      throw Errors.unavailable(e, "reading the balance of " + id, false, null);
    }
  }

  StatementPage statement(StatementQuery q) {
    boolean forward = q.direction() == StatementQuery.Direction.FORWARD;
    String sql = statementSql(q, forward);
    try {
      List<StatementLine> lines = jdbi.withHandle(h -> {
        Query query = h.createQuery(sql)
            .bind("account", q.account().value())
            .bind("n", q.limit() + 1);
        if (q.from() != null) {
          query.bind("from", Rows.ceilMicros(q.from()));
        }
        if (q.to() != null) {
          query.bind("to", Rows.ceilMicros(q.to()));
        }
        if (q.after() != null) {
          query.bind("after_at", Rows.bind(q.after().recordedAt())).bind("after_id", q.after().transferId());
        }
        return query.map((rs, ctx) -> {
          Transfer t = Rows.transfer(rs, "");
          // Until withRunningBalances: the balance just after the page's first line, the same on every row.
          return new StatementLine(t, t.source().equals(q.account()) ? -t.amount() : t.amount(),
              rs.getBigDecimal("first_balance").longValueExact());
        }).list();
      });
      StatementCursor next = null;
      if (lines.size() > q.limit()) {
        lines = new ArrayList<>(lines.subList(0, q.limit()));
        next = lines.get(lines.size() - 1).cursor();
      }
      return new StatementPage(withRunningBalances(lines, forward), next);
    } catch (RuntimeException e) {
      throw Errors.unavailable(e, "reading the statement of " + q.account(), false, null);
    }
  }

  /**
   * The running balance after each line, from the balance after the page's first line: reading forward each
   * line adds its change; reading backward each older line's balance is the newer one's minus the newer change.
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
      out.add(new StatementLine(line.transfer(), line.change(), balance));
    }
    return out;
  }

  private String statementSql(StatementQuery q, boolean forward) {
    StringBuilder where = new StringBuilder();
    if (q.from() != null) {
      where.append(" AND recorded_at >= :from");
    }
    if (q.to() != null) {
      where.append(" AND recorded_at < :to");
    }
    if (q.after() != null) {
      where.append(forward ? " AND (recorded_at, id) > (:after_at, :after_id)"
          : " AND (recorded_at, id) < (:after_at, :after_id)");
    }
    String order = forward ? " ORDER BY recorded_at, id" : " ORDER BY recorded_at DESC, id DESC";
    String columns = "id, source, source_index, destination, amount, currency, recorded_at, reference";
    String side = "(SELECT " + columns + " FROM " + schema + ".transfer WHERE %s = :account" + where + order
        + " LIMIT :n)";
    // One snapshot: the page, and the balance just after its first line (computed once, not per line).
    return "WITH lines AS (SELECT * FROM (" + side.formatted("source") + " UNION ALL " + side.formatted("destination")
        + ") both_sides" + order + " LIMIT :n), first AS (SELECT recorded_at, id FROM lines" + order + " LIMIT 1)"
        + " SELECT lines.*, (SELECT " + balanceThroughSql(schema + ".", ":account", "first.recorded_at", "first.id")
        + " FROM first) AS first_balance FROM lines" + order;
  }
}
