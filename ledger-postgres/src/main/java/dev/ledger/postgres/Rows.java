package dev.ledger.postgres;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Transfer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Conversions between rows and values. Instants are bound as timestamptz with offset, never as local time. */
final class Rows {
  private Rows() {}

  /**
   * An instant as a timestamptz parameter. PostgreSQL keeps microseconds and would round a finer instant to the
   * nearest one, so finer instants are never sent: callers round them down ({@link #floorMicros}) or up
   * ({@link #ceilMicros}) as their comparison needs. Stored instants are whole microseconds already.
   */
  static OffsetDateTime bind(Instant instant) {
    if (instant.getNano() % 1_000 != 0) {
      throw new IllegalArgumentException("instant finer than a microsecond: " + instant);
    }
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  /** The last whole microsecond at or before {@code instant}: {@code t <= instant} iff {@code t <= floor}. */
  static OffsetDateTime floorMicros(Instant instant) {
    return bind(instant.truncatedTo(ChronoUnit.MICROS));
  }

  /** The first whole microsecond at or after {@code instant}: {@code t < instant} iff {@code t < ceil}. */
  static OffsetDateTime ceilMicros(Instant instant) {
    Instant floor = instant.truncatedTo(ChronoUnit.MICROS);
    return bind(floor.equals(instant) ? floor : floor.plus(1, ChronoUnit.MICROS));
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
