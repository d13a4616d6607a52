package dev.ledger.service;

import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** ReDoc at the seed's {@code /redoc} (springdoc serves {@code /openapi.json} and Swagger UI at {@code /docs}). */
@Hidden
@RestController
final class ApiDocs {
    private static final String REDOC = """
      <!DOCTYPE html>
      <html>
      <head>
        <title>Ledger service - ReDoc</title>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1">
      </head>
      <body>
        <redoc spec-url="/openapi.json"></redoc>
        <script src="https://cdn.redoc.ly/redoc/v2.5.1/bundles/redoc.standalone.js"></script>
      </body>
      </html>
      """;

    /** The responses every keyed POST can give, added to each operation that takes an Idempotency-Key. */
    @Bean
    static OperationCustomizer keyedPostResponses() {
        return (operation, handler) -> {
            boolean keyed = operation.getParameters() != null
                    && operation.getParameters().stream()
                            .anyMatch(p -> TransferApi.IDEMPOTENCY_KEY.equals(p.getName()));
            if (keyed) {
                operation
                        .getResponses()
                        .addApiResponse(
                                "409",
                                error("Idempotency-Key reused for a different request, or its request is still"
                                        + " running"))
                        .addApiResponse(
                                "503",
                                error("ledger unavailable: retry after Retry-After (with the same key, safely)"));
            }
            return operation;
        };
    }

    private static ApiResponse error(String description) {
        return new ApiResponse()
                .description(description)
                .content(new Content()
                        .addMediaType(
                                "application/json",
                                new MediaType().schema(new Schema<>().$ref("#/components/schemas/Error"))));
    }

    @GetMapping(path = "/redoc", produces = org.springframework.http.MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> redoc() {
        return ResponseEntity.ok()
                .contentType(org.springframework.http.MediaType.TEXT_HTML)
                .body(REDOC);
    }
}
