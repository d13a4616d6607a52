package dev.ledger.service;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * A response as the idempotency store keeps it: status, JSON body (none for 204) and the Location header.
 *
 * @param status the HTTP status
 * @param body the JSON body, or {@code null}
 * @param location the Location header, or {@code null}
 */
record Outcome(int status, @Nullable String body, @Nullable String location) {
    static Outcome noContent(@Nullable String location) {
        return new Outcome(204, null, location);
    }

    static Outcome json(int status, String body) {
        return new Outcome(status, body, null);
    }

    /** An error: {@code {"request_id", "error"}} with the id of the request being served. */
    static Outcome error(int status, String message) {
        return json(status, ErrorBodies.body(message));
    }

    ResponseEntity<String> toResponse(boolean replayed) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(status);
        if (location != null) {
            response.header(HttpHeaders.LOCATION, location);
        }
        if (replayed) {
            response.header("Idempotent-Replayed", "true");
        }
        if (body == null) {
            return response.build();
        }
        return response.contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
