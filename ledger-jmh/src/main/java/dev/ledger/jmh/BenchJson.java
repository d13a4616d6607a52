package dev.ledger.jmh;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The suite's JSON, through Jackson: the runners' {@code run.json} and side files, the reports' {@code summary.json},
 * and reading them (and JMH's own JSON) back as trees. Values are maps, collections, numbers, booleans, strings and
 * null; a number that is not finite (NaN, an infinity) is written as {@code null}, so that every file is strict JSON.
 */
public final class BenchJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new SimpleModule("finite-numbers")
                    .addSerializer(Double.class, new FiniteSerializer<>())
                    .addSerializer(double.class, new FiniteSerializer<>())
                    .addSerializer(Float.class, new FiniteSerializer<>())
                    .addSerializer(float.class, new FiniteSerializer<>()));

    private BenchJson() {}

    /** {@code value} as JSON text on one line. */
    public static String compact(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * {@code value} as JSON text with one object member a line, nested objects indented by two spaces.
     *
     * @param spaceAfterColon whether a space follows the colon of each member ({@code "key": 1} or {@code "key":1})
     */
    public static String pretty(Object value, boolean spaceAfterColon) {
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(spaceAfterColon ? Separators.Spacing.AFTER : Separators.Spacing.NONE);
        DefaultPrettyPrinter printer = new MembersPerLine(separators);
        try {
            return MAPPER.writer(printer).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Writes {@code value} as JSON and a newline to {@code file} (the runners' {@code run.json}). */
    static void write(Path file, Object value) throws IOException {
        Files.writeString(file, compact(value) + "\n");
    }

    /** The JSON tree of a file. */
    public static JsonNode read(Path file) throws IOException {
        return MAPPER.readTree(file.toFile());
    }

    /** Writes a number, or {@code null} when it is not finite. */
    private static final class FiniteSerializer<T extends Number> extends JsonSerializer<T> {
        @Override
        public void serialize(T value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            double d = value.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                gen.writeNull();
            } else {
                gen.writeNumber(d);
            }
        }
    }

    /**
     * Objects with a member a line and two spaces of indentation a level, empty objects as {@code {}}; arrays on one
     * line without spaces.
     */
    private static final class MembersPerLine extends DefaultPrettyPrinter {
        private static final long serialVersionUID = 1L;

        MembersPerLine(Separators separators) {
            super(separators);
            indentObjectsWith(new DefaultIndenter("  ", "\n"));
            indentArraysWith(NopIndenter.instance);
        }

        MembersPerLine(MembersPerLine base) {
            super(base);
        }

        @Override
        public DefaultPrettyPrinter createInstance() {
            return new MembersPerLine(this);
        }

        @Override
        public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
            if (nrOfEntries == 0) {
                g.writeRaw('}');
                return;
            }
            super.writeEndObject(g, nrOfEntries);
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(',');
        }

        @Override
        public void writeStartArray(JsonGenerator g) throws IOException {
            g.writeRaw('[');
        }

        @Override
        public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
            g.writeRaw(']');
        }
    }
}
