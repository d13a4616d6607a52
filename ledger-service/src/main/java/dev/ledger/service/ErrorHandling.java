package dev.ledger.service;

import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.LedgerUnavailableException;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Errors as the seed's clients expect them: {@code {"request_id", "error"}} with a message that says what is wrong
 * (4xx); 503 with {@code Retry-After} when the ledger or its database is unavailable; 500 "Internal Server Error" with
 * nothing internal for anything unexpected (logged with the request id).
 */
@RestControllerAdvice
final class ErrorHandling {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorHandling.class);
    static final String RETRY_AFTER_SECONDS = "1";

    @ExceptionHandler(ApiException.class)
    ResponseEntity<String> refused(ApiException e) {
        return error(e.status(), e.getMessage());
    }

    @ExceptionHandler(LedgerRejectedException.class)
    ResponseEntity<String> rejected(LedgerRejectedException e) {
        return error(400, e.getMessage());
    }

    @ExceptionHandler({
        LedgerUnavailableException.class,
        DataAccessResourceFailureException.class,
        TransientDataAccessException.class
    })
    ResponseEntity<String> unavailable(RuntimeException e) {
        LOG.warn("request {}: ledger unavailable: {}", ErrorBodies.requestId(), e.toString());
        return ResponseEntity.status(503)
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .contentType(MediaType.APPLICATION_JSON)
                .body(ErrorBodies.body("the ledger is unavailable: retry later"
                        + " (a POST retried with the same Idempotency-Key is applied at most once)"));
    }

    /**
     * Spring's own 4xx (unknown path, wrong method or media type, missing parameter) get their status and its plain
     * name; anything else is a 500 with nothing internal in it.
     */
    @ExceptionHandler(Exception.class)
    ResponseEntity<String> unexpected(Exception e) {
        if (e instanceof ErrorResponse response && response.getStatusCode().is4xxClientError()) {
            return error(
                    response.getStatusCode().value(),
                    reason(response.getStatusCode().value()));
        }
        LOG.error("request {} failed", ErrorBodies.requestId(), e);
        return error(500, "Internal Server Error");
    }

    static String reason(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return status >= 500
                ? "Internal Server Error"
                : known == null ? "request refused" : known.getReasonPhrase().toLowerCase(Locale.ROOT);
    }

    static ResponseEntity<String> error(int status, String message) {
        return Outcome.error(status, message).toResponse(false);
    }

    /** Errors that never reach a controller (a malformed URL, an error in a filter): same body, no internals. */
    @RestController
    static final class ErrorPage implements org.springframework.boot.webmvc.error.ErrorController {
        @RequestMapping("/error")
        ResponseEntity<String> error(HttpServletRequest request) {
            Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
            int status = code instanceof Integer i && i >= 400 ? i : 500;
            return ErrorHandling.error(status, reason(status));
        }
    }
}
