package dev.ledger.service;

import static dev.ledger.service.ServiceConfiguration.SERVICE_ACCOUNT;

import dev.ledger.core.AccountId;
import dev.ledger.core.Ledger;
import dev.ledger.core.LedgerRejectedException;
import dev.ledger.core.NewAccount;
import dev.ledger.core.RejectionReason;
import dev.ledger.core.StatementCursor;
import dev.ledger.core.StatementLine;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.TransferRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The seed's API (health, accounts, balances, transfers, with its error texts and their order) and what a production
 * service adds: Idempotency-Key, balances as of an instant, statements, transfer lookup.
 */
@RestController
final class TransferApi {
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final Ledger ledger;
    private final Money money;
    private final Idempotency idempotency;
    private final String currency;

    TransferApi(Ledger ledger, Money money, Idempotency idempotency, ServiceProperties properties) {
        this.ledger = ledger;
        this.money = money;
        this.idempotency = idempotency;
        this.currency = properties.currency();
        try {
            ledger.open(NewAccount.issuer(SERVICE_ACCOUNT, currency));
        } catch (LedgerRejectedException e) {
            if (e.reason() != RejectionReason.ACCOUNT_EXISTS) {
                throw e;
            }
        }
    }

    @Operation(summary = "Liveness: 204, no body (the database's health is under /actuator/health)")
    @ApiResponse(responseCode = "204", description = "alive")
    @GetMapping("/health")
    ResponseEntity<Void> health() {
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Open an account, its opening balance transferred from the service account")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = ApiSchemas.NewAccount.class)))
    @ApiResponse(responseCode = "204", description = "opened")
    @ApiResponse(
            responseCode = "400",
            description = "balance below 0, account already exists, malformed body",
            content = @Content(schema = @Schema(implementation = ApiSchemas.Error.class)))
    @PostMapping("/accounts")
    ResponseEntity<String> openAccount(
            @Parameter(hidden = true) HttpServletRequest body,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String key) {
        Json json = Json.object(body);
        UUID id = json.uuid("account_id");
        BigDecimal balance = json.decimal("balance");
        if (balance.signum() < 0) {
            throw ApiException.badRequest("a new account balance should be greater or equal to 0");
        }
        long opening = money.toMinor(balance, "balance");
        return idempotency.run(key, "POST /accounts " + id + " " + opening, () -> {
            AccountId account = AccountId.of(id.toString());
            NewAccount request = NewAccount.of(account, currency);
            UUID fundingId = null;
            if (opening > 0) {
                fundingId = key == null ? UUID.randomUUID() : derivedId("account", key);
                request = request.withOpeningBalance(opening, SERVICE_ACCOUNT).withFundingTransferId(fundingId);
            }
            try {
                ledger.open(request);
            } catch (LedgerRejectedException e) {
                if (e.reason() == RejectionReason.ID_REUSED_WITH_DIFFERENT_CONTENT && key != null) {
                    // This key's earlier attempt (whose outcome was lost) funded another account: the key's other
                    // request.
                    throw Idempotency.reused(key);
                }
                if (e.reason() != RejectionReason.ACCOUNT_EXISTS) {
                    throw e;
                }
                // Opened by this key's earlier attempt (its process died before keeping the outcome)?
                UUID funding = fundingId;
                boolean ours = key != null
                        && funding != null
                        && ledger.findTransfer(funding)
                                .filter(t -> t.destination().equals(account) && t.amount() == opening)
                                .isPresent();
                if (!ours) {
                    throw ApiException.badRequest("account already exists");
                }
            }
            return Outcome.noContent(null);
        });
    }

    @Operation(summary = "An account's balance, now or as of an instant (?as_of=2026-01-31T12:00:00Z)")
    @ApiResponse(
            responseCode = "200",
            description = "the balance",
            content = @Content(schema = @Schema(implementation = ApiSchemas.Balance.class)))
    @ApiResponse(
            responseCode = "400",
            description = "malformed id or as_of",
            content = @Content(schema = @Schema(implementation = ApiSchemas.Error.class)))
    @ApiResponse(
            responseCode = "404",
            description = "account not found",
            content = @Content(schema = @Schema(implementation = ApiSchemas.Error.class)))
    @GetMapping("/accounts/{id}/balance")
    ResponseEntity<String> balance(
            @PathVariable("id") String rawId,
            @RequestParam(name = "as_of", required = false) @Nullable String rawAsOf) {
        UUID id = Json.uuid("account id", rawId);
        Instant asOf = rawAsOf == null ? null : instant("as_of", rawAsOf);
        AccountId account = AccountId.of(id.toString());
        long balance;
        try {
            balance = asOf == null ? ledger.balance(account) : ledger.balanceAsOf(account, asOf);
        } catch (LedgerRejectedException e) {
            throw notFoundIfNoAccount(e);
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("account_id", id.toString());
        response.put("balance", money.toDecimal(balance));
        if (asOf != null) {
            response.put("as_of", asOf.toString());
        }
        return Outcome.json(200, Json.write(response)).toResponse(false);
    }

    @Operation(
            summary = "An account's transfers with the balance after each, a page at a time"
                    + " (?limit=1..1000, ?order=asc|desc, ?cursor=next_cursor)")
    @ApiResponse(
            responseCode = "200",
            description = "a page",
            content = @Content(schema = @Schema(implementation = ApiSchemas.Statement.class)))
    @ApiResponse(
            responseCode = "400",
            description = "malformed id, limit, order or cursor",
            content = @Content(schema = @Schema(implementation = ApiSchemas.Error.class)))
    @ApiResponse(
            responseCode = "404",
            description = "account not found",
            content = @Content(schema = @Schema(implementation = ApiSchemas.Error.class)))
    @GetMapping("/accounts/{id}/statement")
    ResponseEntity<String> statement(
            @PathVariable("id") String rawId,
            @RequestParam(name = "limit", required = false) @Nullable String rawLimit,
            @RequestParam(name = "cursor", required = false) @Nullable String rawCursor,
            @RequestParam(name = "order", required = false) @Nullable String rawOrder) {
        UUID id = Json.uuid("account id", rawId);
        int limit = limit(rawLimit);
        boolean newestFirst = order(rawOrder);
        StatementQuery query = StatementQuery.of(AccountId.of(id.toString())).limit(limit);
        if (newestFirst) {
            query = query.backward();
        }
        if (rawCursor != null) {
            query = query.after(cursor(rawCursor));
        }
        StatementPage page;
        try {
            page = ledger.statement(query);
        } catch (LedgerRejectedException e) {
            throw notFoundIfNoAccount(e);
        }
        List<Map<String, Object>> lines = new ArrayList<>();
        for (StatementLine line : page.lines()) {
            Map<String, Object> out = transfer(line.transfer());
            out.put("change", money.toDecimal(line.change()));
            out.put("balance_after", money.toDecimal(line.balanceAfter()));
            lines.add(out);
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("account_id", id.toString());
        response.put("lines", lines);
        StatementCursor next = page.next();
        response.put("next_cursor", next == null ? null : encode(next));
        return Outcome.json(200, Json.write(response)).toResponse(false);
    }

    @Operation(summary = "Transfer an amount between two accounts")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = ApiSchemas.NewTransfer.class)))
    @ApiResponse(responseCode = "204", description = "recorded; Location names the transfer")
    @ApiResponse(
            responseCode = "400",
            description =
                    "amount not above 0, service account as source, same accounts, account not found, not enough funds, malformed body",
            content = @Content(schema = @Schema(implementation = ApiSchemas.Error.class)))
    @PostMapping("/transfers")
    ResponseEntity<String> transfer(
            @Parameter(hidden = true) HttpServletRequest body,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String key) {
        Json json = Json.object(body);
        UUID source = json.uuid("source");
        UUID destination = json.uuid("destination");
        BigDecimal amount = json.decimal("amount");
        java.util.Map<String, String> metadata = json.strings("metadata");
        // The seed's checks, in the seed's order and words.
        if (amount.signum() <= 0) {
            throw ApiException.badRequest("transfer amount must be greater than 0");
        }
        long minor = money.toMinor(amount, "amount");
        AccountId from = AccountId.of(source.toString());
        AccountId to = AccountId.of(destination.toString());
        if (from.equals(SERVICE_ACCOUNT)) {
            throw ApiException.badRequest("the service account cannot be use as a source account");
        }
        if (source.equals(destination)) {
            throw ApiException.badRequest("source account must not be equal to the destination account");
        }
        // Beyond the seed: metadata, checked by the ledger's rules here (a 400 naming the entry and the rule).
        TransferRequest request = TransferRequest.of(from, to, minor, currency).withMetadata(metadata);
        return idempotency.run(
                key,
                "POST /transfers " + source + " " + destination + " " + minor
                        + (metadata.isEmpty() ? "" : " " + Json.write(request.metadata())),
                () -> {
                    UUID transferId = key == null ? UUID.randomUUID() : derivedId("transfer", key);
                    Transfer recorded;
                    try {
                        recorded = ledger.transfer(request.withId(transferId));
                    } catch (LedgerRejectedException e) {
                        throw switch (e.reason()) {
                            case DESTINATION_NOT_FOUND -> ApiException.badRequest("destination account not found");
                            case SOURCE_NOT_FOUND ->
                                ApiException.badRequest(
                                        ledger.account(to).isEmpty()
                                                ? "destination account not found"
                                                : "source account not found");
                            case INSUFFICIENT_FUNDS ->
                                ApiException.badRequest("not enough funds on the source account");
                            case ID_REUSED_WITH_DIFFERENT_CONTENT -> Idempotency.reused(String.valueOf(key));
                            default -> e;
                        };
                    }
                    return Outcome.noContent("/transfers/" + recorded.id());
                });
    }

    @Operation(summary = "A recorded transfer")
    @ApiResponse(
            responseCode = "200",
            description = "the transfer",
            content = @Content(schema = @Schema(implementation = ApiSchemas.Transfer.class)))
    @ApiResponse(
            responseCode = "400",
            description = "malformed id",
            content = @Content(schema = @Schema(implementation = ApiSchemas.Error.class)))
    @ApiResponse(
            responseCode = "404",
            description = "transfer not found",
            content = @Content(schema = @Schema(implementation = ApiSchemas.Error.class)))
    @GetMapping("/transfers/{id}")
    ResponseEntity<String> findTransfer(@PathVariable("id") String rawId) {
        UUID id = Json.uuid("transfer id", rawId);
        Transfer transfer = ledger.findTransfer(id).orElseThrow(() -> ApiException.notFound("transfer not found"));
        return Outcome.json(200, Json.write(transfer(transfer))).toResponse(false);
    }

    private Map<String, Object> transfer(Transfer transfer) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("transfer_id", transfer.id().toString());
        out.put("source", transfer.source().value());
        out.put("source_index", transfer.sourceIndex());
        out.put("destination", transfer.destination().value());
        out.put("amount", money.toDecimal(transfer.amount()));
        out.put("recorded_at", transfer.recordedAt().toString());
        out.put("reference", transfer.reference());
        out.put("metadata", transfer.metadata());
        return out;
    }

    /** A read's refusal for an unknown account as the seed's 404; any other refusal as it is. */
    private static RuntimeException notFoundIfNoAccount(LedgerRejectedException e) {
        return e.reason() == RejectionReason.ACCOUNT_NOT_FOUND ? ApiException.notFound("account not found") : e;
    }

    /** The ledger id for a request under an Idempotency-Key: the same key always gives the same id. */
    static UUID derivedId(String kind, String key) {
        return UUID.nameUUIDFromBytes(("ledger-service:" + kind + ":" + key).getBytes(StandardCharsets.UTF_8));
    }

    private static Instant instant(String what, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(
                    what + " must be an ISO-8601 instant like 2026-01-31T12:00:00Z: '" + Json.abbreviate(text) + "'");
        }
    }

    private static int limit(@Nullable String text) {
        if (text == null) {
            return StatementQuery.DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= StatementQuery.MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest("limit must be a whole number from 1 to " + StatementQuery.MAX_LIMIT + ": '"
                + Json.abbreviate(text) + "'");
    }

    private static boolean order(@Nullable String text) {
        if (text == null || text.equals("asc")) {
            return false;
        }
        if (text.equals("desc")) {
            return true;
        }
        throw ApiException.badRequest(
                "order must be asc (oldest first) or desc (newest first): '" + Json.abbreviate(text) + "'");
    }

    private static String encode(StatementCursor cursor) {
        String raw = cursor.recordedAt() + "|" + cursor.transferId();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static StatementCursor cursor(String text) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int bar = raw.indexOf('|');
            return new StatementCursor(Instant.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
        } catch (RuntimeException e) {
            throw ApiException.badRequest(
                    "cursor must be a next_cursor returned by this endpoint: '" + Json.abbreviate(text) + "'");
        }
    }
}
