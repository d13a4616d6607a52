package dev.ledger.service;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Request bodies read field by field, so that a malformed one gets a 400 naming the field and the rule (and decimals
 * are read exactly, never through {@code double}); responses written with the same mapper.
 */
final class Json {
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final ObjectNode node;

    private Json(ObjectNode node) {
        this.node = node;
    }

    /** The largest request body read. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    /**
     * The request's body as one JSON object, whatever its declared content type (as the seed's clients send it).
     *
     * @throws ApiException 400 unless it is one JSON object; 413 when it exceeds {@link #MAX_BODY_BYTES}
     */
    static Json object(HttpServletRequest request) {
        byte[] bytes;
        try (InputStream in = request.getInputStream()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw ApiException.badRequest("the request body could not be read");
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "the request body exceeds " + MAX_BODY_BYTES + " bytes");
        }
        return object(new String(bytes, StandardCharsets.UTF_8));
    }

    /** @throws ApiException 400 unless the body is one JSON object */
    static Json object(@Nullable String body) {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest("the request body must be a JSON object");
        }
        JsonNode parsed;
        try {
            parsed = MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(parsed instanceof ObjectNode object)) {
            throw ApiException.badRequest("the request body must be a JSON object");
        }
        return new Json(object);
    }

    /** A required field holding a UUID string. */
    UUID uuid(String field) {
        JsonNode value = required(field);
        if (!value.isString()) {
            throw ApiException.badRequest(field + " must be a UUID string, not " + value);
        }
        return uuid(field, value.asString());
    }

    /** A required field holding a decimal number (or a string holding one, as the seed accepted). */
    BigDecimal decimal(String field) {
        JsonNode value = required(field);
        if (value.isNumber()) {
            return value.decimalValue();
        }
        if (value.isString()) {
            try {
                return new BigDecimal(value.asString().strip());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw ApiException.badRequest(field + " must be a decimal number, not " + value);
    }

    /**
     * An optional field holding an object of strings (absent or null: empty). Its keys and values are checked by the
     * ledger's rules when the request is built.
     */
    java.util.Map<String, String> strings(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return java.util.Map.of();
        }
        if (!(value instanceof ObjectNode object)) {
            throw ApiException.badRequest(field + " must be an object of strings, not " + abbreviate(value.toString()));
        }
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (java.util.Map.Entry<String, JsonNode> e : object.properties()) {
            if (!e.getValue().isString()) {
                throw ApiException.badRequest(field + "." + abbreviate(e.getKey()) + " must be a string, not "
                        + abbreviate(e.getValue().toString()));
            }
            out.put(e.getKey(), e.getValue().asString());
        }
        return out;
    }

    private JsonNode required(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw ApiException.badRequest(field + " is required");
        }
        return value;
    }

    /** A UUID in its canonical 36-character form (the lenient forms {@link UUID#fromString} takes are refused). */
    static UUID uuid(String what, String text) {
        if (!CANONICAL_UUID.matcher(text).matches()) {
            throw ApiException.badRequest(
                    what + " must be a UUID like 123e4567-e89b-12d3-a456-426614174000: '" + abbreviate(text) + "'");
        }
        return UUID.fromString(text);
    }

    static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }

    static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }
}
