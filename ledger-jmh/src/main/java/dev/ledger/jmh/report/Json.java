package dev.ledger.jmh.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Lenient navigation in the JSON trees (Jackson's) of JMH's result files and the side files: a path of member names and
 * array indexes leads to a value, or to nothing when a step is missing or has the wrong type. JSON null counts as
 * missing. JMH writes non-finite numbers as the strings "NaN" and "Infinity"; {@link #num} reads those as NaN.
 */
final class Json {
    private Json() {}

    /** The value at a path of member names ({@code String}) and indexes ({@code Integer}), or null. */
    static @Nullable JsonNode at(@Nullable JsonNode root, Object... path) {
        JsonNode cur = root;
        for (Object key : path) {
            if (cur == null) {
                return null;
            }
            if (cur.isObject() && key instanceof String k) {
                cur = cur.get(k);
            } else if (cur.isArray() && key instanceof Integer n) {
                cur = cur.get(n);
            } else {
                return null;
            }
        }
        return cur == null || cur.isNull() || cur.isMissingNode() ? null : cur;
    }

    /** A number at a path; NaN when absent, null, or not a number (JMH's "NaN"). */
    static double num(@Nullable JsonNode root, Object... path) {
        JsonNode v = at(root, path);
        if (v == null) {
            return Double.NaN;
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.textValue());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    /** Text at a path: a string as it is, a whole number without a fraction, other values as JSON; null if absent. */
    static @Nullable String str(@Nullable JsonNode root, Object... path) {
        JsonNode v = at(root, path);
        if (v == null) {
            return null;
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isNumber()) {
            double d = v.doubleValue();
            return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d);
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }

    /** Whether the value at a path is {@code true}; false when absent or anything else. */
    static boolean isTrue(@Nullable JsonNode root, Object... path) {
        JsonNode v = at(root, path);
        return v != null && v.isBoolean() && v.booleanValue();
    }

    /** Whether the value at a path is {@code false}; false when absent or anything else. */
    static boolean isFalse(@Nullable JsonNode root, Object... path) {
        JsonNode v = at(root, path);
        return v != null && v.isBoolean() && !v.booleanValue();
    }

    /** The members of the object at a path, in order (JSON null values kept); empty if absent or not an object. */
    static Map<String, JsonNode> members(@Nullable JsonNode root, Object... path) {
        JsonNode v = at(root, path);
        Map<String, JsonNode> m = new LinkedHashMap<>();
        if (v != null && v.isObject()) {
            v.properties().forEach(e -> m.put(e.getKey(), e.getValue()));
        }
        return m;
    }

    /** The elements of the array at a path; empty if absent or not an array. */
    static List<JsonNode> list(@Nullable JsonNode root, Object... path) {
        JsonNode v = at(root, path);
        List<JsonNode> l = new ArrayList<>();
        if (v != null && v.isArray()) {
            v.elements().forEachRemaining(l::add);
        }
        return l;
    }
}
