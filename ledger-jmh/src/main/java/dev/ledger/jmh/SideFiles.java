package dev.ledger.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Writes the side file of a trial: {@code <sideDir>/<Class.method>[-key=value...]-t<threads>.json}, a JSON object with
 * what JMH's own result does not hold (retries, deadlocks, CPU split, the database's statement statistics). Without
 * {@value BenchProps#SIDE_DIR} (a benchmark run by hand) the file goes to {@code target/benchmarks/side}.
 */
public final class SideFiles {
    private SideFiles() {}

    static void write(BenchmarkParams params, Map<String, Object> content) {
        Path dir = Path.of(System.getProperty(BenchProps.SIDE_DIR, "target/benchmarks/side"));
        String benchmark = params.getBenchmark();
        String[] parts = benchmark.split("\\.");
        StringBuilder name =
                new StringBuilder(parts[parts.length - 2]).append('.').append(parts[parts.length - 1]);
        for (String key : params.getParamsKeys()) {
            name.append('-').append(key).append('=').append(params.getParam(key));
        }
        name.append("-t").append(params.getThreads()).append(".json");
        try {
            Files.createDirectories(dir);
            Files.writeString(
                    dir.resolve(name.toString().replaceAll("[^A-Za-z0-9._=-]", "_")),
                    BenchJson.compact(content) + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write side file to " + dir, e);
        }
    }

    /** The start of a trial's side file, in this order: the benchmark's name, its parameters and its thread count. */
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
}
