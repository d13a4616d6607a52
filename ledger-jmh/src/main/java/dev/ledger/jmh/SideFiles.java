package dev.ledger.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Writes the side file of a trial: {@code <sideDir>/<Class.method>[-key=value...]-t<threads>.json}, a JSON object
 * with what JMH's own result does not hold (retries, deadlocks, CPU split, the database's statement statistics).
 * Without {@value BenchProps#SIDE_DIR} (a benchmark run by hand) the file goes to {@code target/benchmarks/side}.
 */
public final class SideFiles {
  private SideFiles() {}

  static void write(BenchmarkParams params, Map<String, Object> content) {
    Path dir = Path.of(System.getProperty(BenchProps.SIDE_DIR, "target/benchmarks/side"));
    String benchmark = params.getBenchmark();
    String[] parts = benchmark.split("\\.");
    StringBuilder name = new StringBuilder(parts[parts.length - 2]).append('.').append(parts[parts.length - 1]);
    for (String key : params.getParamsKeys()) {
      name.append('-').append(key).append('=').append(params.getParam(key));
    }
    name.append("-t").append(params.getThreads()).append(".json");
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name.toString().replaceAll("[^A-Za-z0-9._=-]", "_")), toJson(content) + "\n",
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write side file to " + dir, e);
    }
  }

  /**
   * The start of a trial's side file, in this order: the benchmark's name, its parameters and its thread count.
   */
  static Map<String, Object> header(BenchmarkParams params) {
    Map<String, Object> side = new LinkedHashMap<>();
    side.put("benchmark", params.getBenchmark());
    Map<String, Object> p = new LinkedHashMap<>();
    for (String key : params.getParamsKeys()) {
      p.put(key, params.getParam(key));
    }
    side.put("params", p);
    side.put("threads", params.getThreads());
    return side;
  }

  /** Writes {@code value} as JSON and a newline to {@code file} (the runners' {@code run.json}). */
  static void writeJson(Path file, Object value) throws IOException {
    Files.writeString(file, toJson(value) + "\n", StandardCharsets.UTF_8);
  }

  /** JSON text of maps, collections, numbers, booleans, strings and null. */
  public static String toJson(Object value) {
    StringBuilder out = new StringBuilder();
    append(out, value);
    return out.toString();
  }

  private static void append(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        quote(out, String.valueOf(e.getKey()));
        out.append(':');
        append(out, e.getValue());
      }
      out.append('}');
    } else if (value instanceof Collection<?> list) {
      out.append('[');
      boolean first = true;
      for (Object o : list) {
        if (!first) {
          out.append(',');
        }
        first = false;
        append(out, o);
      }
      out.append(']');
    } else if (value instanceof Double d) {
      out.append(d.isNaN() || d.isInfinite() ? "null" : d.toString());
    } else if (value instanceof Float f) {
      append(out, f.doubleValue());
    } else if (value instanceof Number || value instanceof Boolean) {
      out.append(value);
    } else {
      quote(out, value.toString());
    }
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
