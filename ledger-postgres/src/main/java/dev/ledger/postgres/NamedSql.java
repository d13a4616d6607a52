package dev.ledger.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SQL with {@code :name} parameters, turned once into JDBC's positional {@code ?} form. The transfer path uses it with
 * plain JDBC: it is the hottest statement of the library, and binding through Jdbi cost several times the allocation of
 * the statement itself (see docs/benchmarks.md). PostgreSQL casts ({@code ::type}) are left alone. Immutable and
 * thread-safe.
 */
final class NamedSql {
    private static final Pattern PARAMETER = Pattern.compile("(?<![:\\w]):([a-z_][a-z0-9_]*)");

    private final String sql;
    private final List<String> names;

    private NamedSql(String sql, List<String> names) {
        this.sql = sql;
        this.names = names;
    }

    /**
     * The statement in the resource {@code sql/<name>.sql} beside this class, with {@code ${schema}} replaced by the
     * schema name (validated as an identifier by the store's builder) and comment lines dropped.
     */
    static NamedSql load(String name, String schema) {
        String path = "sql/" + name + ".sql";
        try (InputStream in = NamedSql.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + path + " beside " + NamedSql.class.getName());
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            StringBuilder sql = new StringBuilder(text.length());
            for (String line : text.split("\n")) {
                if (!line.strip().startsWith("--")) {
                    sql.append(line).append('\n');
                }
            }
            return parse(sql.toString().replace("${schema}", schema));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }

    static NamedSql parse(String named) {
        List<String> names = new ArrayList<>();
        Matcher m = PARAMETER.matcher(named);
        StringBuilder out = new StringBuilder(named.length());
        while (m.find()) {
            names.add(m.group(1));
            m.appendReplacement(out, "?");
        }
        m.appendTail(out);
        return new NamedSql(out.toString(), List.copyOf(names));
    }

    /** The positional SQL. */
    String sql() {
        return sql;
    }

    /** Binds every occurrence of every parameter; a null value is bound as a null of type {@code VARCHAR}. */
    void bind(PreparedStatement ps, Map<String, ?> values) throws SQLException {
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (!values.containsKey(name)) {
                throw new IllegalArgumentException("no value for :" + name);
            }
            Object value = values.get(name);
            if (value == null) {
                ps.setNull(i + 1, Types.VARCHAR);
            } else {
                ps.setObject(i + 1, value);
            }
        }
    }
}
