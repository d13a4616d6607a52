package dev.ledger.service;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.http.MediaType;
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

  @GetMapping(path = "/redoc", produces = MediaType.TEXT_HTML_VALUE)
  ResponseEntity<String> redoc() {
    return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body(REDOC);
  }
}
