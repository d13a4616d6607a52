package dev.ledger.service;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Test-only: an endpoint that fails unexpectedly, with a secret in its exception, to see what the client gets. */
@RestController
final class FailingEndpoint {
    static final String SECRET = "password=hunter2 at jdbc:postgresql://10.0.0.7/ledger";

    @GetMapping("/test-only/fail")
    String fail() {
        throw new IllegalStateException(SECRET);
    }
}
