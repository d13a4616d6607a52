package dev.ledger.service;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The {@code Idempotency-Key} header of a POST: the first request under a key runs and its outcome (a 2xx or 4xx) is
 * kept in the service's own table; a retry with the same request gets that outcome again, a different request under the
 * key gets 409. A 5xx is not kept: the retry runs again, which is safe because the ledger's ids are derived from the
 * key (a transfer already recorded under it is returned, not recorded twice). A key whose first request died mid-way (a
 * crashed process) is taken over after {@link #TAKE_OVER_AFTER}.
 */
final class Idempotency {
    static final Duration TAKE_OVER_AFTER = Duration.ofSeconds(30);
    static final String SCHEMA = "ledger_service";

    private final JdbcTemplate jdbc;

    Idempotency(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void createTable() {
        jdbc.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
        jdbc.execute("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".idempotency_key ("
                + " key text COLLATE \"C\" PRIMARY KEY,"
                + " fingerprint text NOT NULL,"
                + " status int,"
                + " body text,"
                + " location text,"
                + " started_at timestamptz NOT NULL DEFAULT clock_timestamp())");
    }

    /** The 409 for a key already used by a different request. */
    static ApiException reused(String key) {
        return ApiException.conflict(
                "Idempotency-Key '" + Json.abbreviate(key) + "' was already used for a different request");
    }

    /** @throws ApiException 400 when the key is malformed */
    static void check(String key) {
        if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw ApiException.badRequest(
                    "Idempotency-Key must be 1 to 255 visible ASCII characters: '" + Json.abbreviate(key) + "'");
        }
    }

    /**
     * Runs {@code action} once per key and fingerprint; without a key, just runs it.
     *
     * @param fingerprint what the request asks, normalised (the same request must give the same string)
     */
    ResponseEntity<String> run(@Nullable String key, String fingerprint, Supplier<Outcome> action) {
        if (key == null) {
            return outcome(action).toResponse(false);
        }
        check(key);
        while (true) {
            if (jdbc.update(
                            "INSERT INTO " + SCHEMA + ".idempotency_key (key, fingerprint) VALUES (?, ?)"
                                    + " ON CONFLICT (key) DO NOTHING",
                            key,
                            fingerprint)
                    == 1) {
                return runAndKeep(key, action);
            }
            List<Stored> rows = jdbc.query(
                    "SELECT fingerprint, status, body, location, started_at FROM " + SCHEMA
                            + ".idempotency_key WHERE key = ?",
                    (rs, i) -> new Stored(
                            rs.getString(1),
                            rs.getObject(2) == null ? null : rs.getInt(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getTimestamp(5)),
                    key);
            if (rows.isEmpty()) {
                continue; // its first request failed with a 5xx and let go of the key: try to take it
            }
            Stored stored = rows.get(0);
            if (!stored.fingerprint().equals(fingerprint)) {
                throw reused(key);
            }
            if (stored.status() != null) {
                return new Outcome(stored.status(), stored.body(), stored.location()).toResponse(true);
            }
            if (jdbc.update(
                            "UPDATE " + SCHEMA + ".idempotency_key SET started_at = clock_timestamp()"
                                    + " WHERE key = ? AND status IS NULL AND started_at = ? AND started_at < clock_timestamp() - ?::interval",
                            key,
                            stored.startedAt(),
                            TAKE_OVER_AFTER.toSeconds() + " seconds")
                    == 1) {
                return runAndKeep(key, action);
            }
            throw ApiException.conflict(
                    "a request with Idempotency-Key '" + Json.abbreviate(key) + "' is still in progress: retry later");
        }
    }

    private ResponseEntity<String> runAndKeep(String key, Supplier<Outcome> action) {
        Outcome outcome;
        try {
            outcome = outcome(action);
        } catch (RuntimeException e) {
            release(key);
            throw e;
        }
        if (outcome.status() >= 500) {
            release(key);
        } else {
            jdbc.update(
                    "UPDATE " + SCHEMA + ".idempotency_key SET status = ?, body = ?, location = ? WHERE key = ?",
                    outcome.status(),
                    outcome.body(),
                    outcome.location(),
                    key);
        }
        return outcome.toResponse(false);
    }

    private void release(String key) {
        try {
            jdbc.update("DELETE FROM " + SCHEMA + ".idempotency_key WHERE key = ? AND status IS NULL", key);
        } catch (RuntimeException ignored) {
            // the database is gone too: the key is taken over after TAKE_OVER_AFTER
        }
    }

    private static Outcome outcome(Supplier<Outcome> action) {
        try {
            return action.get();
        } catch (ApiException e) {
            return Outcome.error(e.status(), e.getMessage());
        }
    }

    private record Stored(
            String fingerprint,
            @Nullable Integer status,
            @Nullable String body,
            @Nullable String location,
            Timestamp startedAt) {}
}
