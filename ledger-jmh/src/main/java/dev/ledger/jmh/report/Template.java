package dev.ledger.jmh.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The prose of a report, in a resource file of named parts with {@code {{name}}} placeholders; the report's code
 * gives the values (numbers already formatted, tables as lines).
 *
 * <p>A line {@code @@ NAME} starts the part NAME, which holds the lines up to the next line starting with
 * {@code @@} (blank lines included); a line starting with {@code @@#} is a comment. A placeholder alone on its
 * line takes a block: whole lines, each ending with a newline, or nothing, and then its line goes too. Elsewhere a
 * placeholder takes text without a newline. Filling is strict: a placeholder without a value, a value without a
 * placeholder, an unknown part or a {@code {{} that is not a placeholder all fail with an exception naming them.
 */
final class Template {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z0-9_]+)}}");
    private static final Pattern BLOCK = Pattern.compile("^\\{\\{([a-z0-9_]+)}}\n", Pattern.MULTILINE);

    private final String name;
    private final Map<String, String> parts;

    private Template(String name, Map<String, String> parts) {
        this.name = name;
        this.parts = parts;
    }

    /** The template in the resource {@code name} beside this class. */
    static Template load(String name) {
        try (InputStream in = Template.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException(
                        "no template resource " + name + " beside " + Template.class.getName());
            }
            return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read template " + name, e);
        }
    }

    /** The template of {@code text}; {@code name} names it in messages. */
    static Template parse(String name, String text) {
        Map<String, String> parts = new LinkedHashMap<>();
        String current = null;
        StringBuilder body = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("@@#")) {
                continue;
            }
            if (line.startsWith("@@")) {
                if (!line.startsWith("@@ ") || line.substring(3).isBlank()) {
                    throw new IllegalArgumentException(name + ": a part starts with \"@@ NAME\", got \"" + line + "\"");
                }
                if (current != null) {
                    parts.put(current, body.toString());
                }
                current = line.substring(3).strip();
                if (parts.containsKey(current)) {
                    throw new IllegalArgumentException(name + ": part '" + current + "' is defined twice");
                }
                body.setLength(0);
            } else if (current != null) {
                body.append(line).append('\n');
            } else if (!line.isBlank()) {
                throw new IllegalArgumentException(name + ": text before the first part: \"" + line + "\"");
            }
        }
        if (current != null) {
            // The file's last newline ends the last line; it does not start another one.
            String last = body.toString();
            parts.put(current, text.endsWith("\n") ? last.substring(0, last.length() - 1) : last);
        }
        for (Map.Entry<String, String> part : parts.entrySet()) {
            String stray = PLACEHOLDER.matcher(part.getValue()).replaceAll("");
            if (stray.contains("{{") || stray.contains("}}")) {
                throw new IllegalArgumentException(
                        name + ": part '" + part.getKey() + "' has a \"{{\" or \"}}\" that is "
                                + "not a placeholder {{name}} (lower-case letters, digits, _)");
            }
        }
        return new Template(name, parts);
    }

    /** The names of the placeholders of a part, in order of first appearance. */
    Set<String> placeholders(String part) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(text(part));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /**
     * The part filled with these values.
     *
     * @param keyValues placeholder names and their values, alternately
     */
    String render(String part, String... keyValues) {
        String text = text(part);
        Map<String, String> values = values(part, keyValues);
        Set<String> used = placeholders(part);
        for (String key : used) {
            if (!values.containsKey(key)) {
                throw new IllegalArgumentException(where(part) + ": no value for placeholder {{" + key + "}}");
            }
        }
        for (String key : values.keySet()) {
            if (!used.contains(key)) {
                throw new IllegalArgumentException(
                        where(part) + ": value '" + key + "' has no placeholder {{" + key + "}}");
            }
        }
        StringBuilder out = new StringBuilder();
        Matcher block = BLOCK.matcher(text);
        int from = 0;
        while (block.find()) {
            out.append(inline(part, text.substring(from, block.start()), values));
            String value = Objects.requireNonNull(values.get(block.group(1)), "checked above");
            if (!value.isEmpty() && !value.endsWith("\n")) {
                throw new IllegalArgumentException(where(part) + ": the block {{" + block.group(1)
                        + "}} takes whole lines, " + "each ending with a newline, or nothing");
            }
            out.append(value);
            from = block.end();
        }
        return out.append(inline(part, text.substring(from), values)).toString();
    }

    /** A part of one line filled with these values, without its newline: text to use inside another part. */
    String renderLine(String part, String... keyValues) {
        String line = render(part, keyValues);
        if (!line.endsWith("\n") || line.indexOf('\n') != line.length() - 1) {
            throw new IllegalArgumentException(where(part) + ": is not one line");
        }
        return line.substring(0, line.length() - 1);
    }

    private String inline(String part, String text, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = Objects.requireNonNull(values.get(m.group(1)), "checked by render");
            if (value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException(where(part) + ": {{" + m.group(1) + "}} is inside a line: its value "
                        + "cannot hold a newline");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String text(String part) {
        String text = parts.get(part);
        if (text == null) {
            throw new IllegalArgumentException(name + ": no part '" + part + "' (parts: " + parts.keySet() + ")");
        }
        return text;
    }

    private Map<String, String> values(String part, String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException(where(part) + ": names and values must alternate, got an odd count");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (values.put(keyValues[i], keyValues[i + 1]) != null) {
                throw new IllegalArgumentException(where(part) + ": value '" + keyValues[i] + "' given twice");
            }
        }
        return values;
    }

    private String where(String part) {
        return name + ", part '" + part + "'";
    }

    /** Joins lines into a block: each followed by a newline. */
    static String lines(List<String> lines) {
        StringBuilder b = new StringBuilder();
        lines.forEach(l -> b.append(l).append('\n'));
        return b.toString();
    }
}
