package dev.ledger.postgres;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Transfer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Conversions between rows and values. Instants are bound as timestamptz with offset, never as local time. */
final class Rows {
  private Rows() {}

  static OffsetDateTime bind(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value.toInstant();
  }

  static @Nullable Instant nullableInstant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  static Account account(ResultSet rs) throws SQLException {
    return new Account(AccountId.of(rs.getString("id")), rs.getString("currency"), rs.getBoolean("issuer"),
        instant(rs, "opened_at"));
  }

  /** A transfer from columns named {@code prefix + column}. */
  static Transfer transfer(ResultSet rs, String prefix) throws SQLException {
    return new Transfer(
        rs.getObject(prefix + "id", UUID.class),
        AccountId.of(rs.getString(prefix + "source")),
        rs.getLong(prefix + "source_index"),
        AccountId.of(rs.getString(prefix + "destination")),
        rs.getLong(prefix + "amount"),
        rs.getString(prefix + "currency"),
        instant(rs, prefix + "recorded_at"),
        rs.getString(prefix + "reference"));
  }
}
