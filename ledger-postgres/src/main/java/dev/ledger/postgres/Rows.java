package dev.ledger.postgres;

import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferKind;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
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
        boolean issuer = rs.getBoolean("issuer");
        long lowerLimit = rs.getLong("lower_limit");
        long upperLimit = rs.getLong("upper_limit");
        boolean uncapped = rs.wasNull();
        return new Account(
                AccountId.of(rs.getString("id")),
                rs.getString("currency"),
                issuer,
                instant(rs, "opened_at"),
                issuer ? Account.NO_LOWER_LIMIT : lowerLimit,
                uncapped ? Account.NO_UPPER_LIMIT : upperLimit);
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
                rs.getString(prefix + "reference"),
                metadata(rs, prefix + "metadata"),
                kind(rs.getInt(prefix + "kind")),
                rs.getObject(prefix + "pending_id", UUID.class),
                nullableInstant(rs, prefix + "expires_at"));
    }

    /** The kind of a transfer row: 0 immediate, 1 pending, 2 post, 3 void. */
    static TransferKind kind(int code) {
        return switch (code) {
            case 0 -> TransferKind.IMMEDIATE;
            case 1 -> TransferKind.PENDING;
            case 2 -> TransferKind.POST;
            case 3 -> TransferKind.VOID;
            default -> throw new IllegalStateException("unknown transfer kind " + code + " in the database");
        };
    }

    /** The code of a kind, as stored. */
    static short code(TransferKind kind) {
        return (short) kind.ordinal();
    }

    /** Metadata from a column of metadata_pairs (keys and values alternating; null when none). */
    static Map<String, String> metadata(ResultSet rs, String column) throws SQLException {
        Array array = rs.getArray(column);
        if (array == null) {
            return Map.of();
        }
        try {
            Object[] pairs = (Object[]) array.getArray();
            Map<String, String> metadata = new TreeMap<>();
            for (int i = 0; i + 1 < pairs.length; i += 2) {
                metadata.put((String) pairs[i], (String) pairs[i + 1]);
            }
            return metadata;
        } finally {
            array.free();
        }
    }

    /** Metadata as the JSON object append_transfers takes: keys and values as JSON strings. */
    static String json(Map<String, String> metadata) {
        StringBuilder out = new StringBuilder(16 + 32 * metadata.size()).append('{');
        String sep = "";
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            out.append(sep);
            jsonString(out, e.getKey());
            out.append(':');
            jsonString(out, e.getValue());
            sep = ",";
        }
        return out.append('}').toString();
    }

    private static void jsonString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
