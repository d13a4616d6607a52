package dev.ledger.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The JSON shapes of the API, for its OpenAPI description only: requests are read field by field ({@link Json}) so that
 * each malformed one gets a message naming the field.
 */
final class ApiSchemas {
    private ApiSchemas() {}

    @Schema(name = "NewAccount")
    record NewAccount(
            @JsonProperty("account_id") @Schema(requiredMode = Schema.RequiredMode.REQUIRED)
            UUID accountId,

            @Schema(
                    requiredMode = Schema.RequiredMode.REQUIRED,
                    example = "1000000",
                    description = "opening balance, ≥ 0, at most ledger.service.scale decimal places;"
                            + " transferred from the service account")
            BigDecimal balance) {}

    @Schema(name = "NewTransfer")
    record NewTransfer(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED)
            UUID source,

            @Schema(requiredMode = Schema.RequiredMode.REQUIRED)
            UUID destination,

            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "1.00")
            BigDecimal amount,

            @Schema(
                    description =
                            "optional: at most 16 entries, keys of a-z 0-9 _ . - (1 to 64), string values of at most"
                                    + " 256 characters; recorded with the transfer")
            @Nullable
            Map<String, String> metadata) {}

    @Schema(name = "Balance")
    record Balance(
            @JsonProperty("account_id") UUID accountId,
            BigDecimal balance,

            @JsonProperty("as_of") @Schema(description = "present when asked for") @Nullable
            String asOf) {}

    @Schema(name = "Transfer")
    record Transfer(
            @JsonProperty("transfer_id") UUID transferId,
            UUID source,
            @JsonProperty("source_index") long sourceIndex,
            UUID destination,
            BigDecimal amount,
            @JsonProperty("recorded_at") String recordedAt,
            @Nullable String reference,
            Map<String, String> metadata) {}

    @Schema(name = "StatementLine")
    record StatementLine(
            @JsonProperty("transfer_id") UUID transferId,
            UUID source,
            @JsonProperty("source_index") long sourceIndex,
            UUID destination,
            BigDecimal amount,
            @JsonProperty("recorded_at") String recordedAt,
            @Nullable String reference,
            Map<String, String> metadata,
            @Schema(description = "negative for a debit") BigDecimal change,
            @JsonProperty("balance_after") BigDecimal balanceAfter) {}

    @Schema(name = "Statement")
    record Statement(
            @JsonProperty("account_id") UUID accountId,
            List<StatementLine> lines,

            @JsonProperty("next_cursor")
            @Schema(description = "pass as ?cursor= for the next page; null on the last")
            @Nullable
            String nextCursor) {}

    @Schema(name = "Error")
    record Error(@JsonProperty("request_id") String requestId, String error) {}
}
