package dev.ledger.jmh.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.jmh.BenchJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** The results of one run, read from its output directory: JMH's JSON, the side files and run.json. */
final class Results {
    /** One JMH result: a benchmark method at one thread count and parameter set. */
    record Jmh(
            String cls,
            String method,
            int threads,
            Map<String, String> params,
            @Nullable String mode,
            double score,
            double error,
            @Nullable String unit,
            JsonNode json) {

        double percentile(String p) {
            return Json.num(json, "primaryMetric", "scorePercentiles", p);
        }

        double secondary(String name) {
            return Json.num(json, "secondaryMetrics", name, "score");
        }

        boolean is(String c, String m) {
            return cls.equals(c) && method.equals(m);
        }
    }

    /** One side file, keyed like a JMH result. */
    record Side(String cls, String method, int threads, Map<String, String> params, JsonNode json) {
        double num(Object... path) {
            return Json.num(json, path);
        }

        /** Measurement-window ops counted by the benchmark threads. */
        double ops() {
            return num("measurement", "client", "ops");
        }

        /** A measurement-window client counter per op. */
        double perOp(String counter) {
            double ops = ops();
            return ops > 0 ? num("measurement", "client", counter) / ops : Double.NaN;
        }
    }

    final JsonNode run;
    final List<Jmh> jmh = new ArrayList<>();
    final List<Side> sides = new ArrayList<>();
    final @Nullable String stackProfile;

    private Results(JsonNode run, @Nullable String stackProfile) {
        this.run = run;
        this.stackProfile = stackProfile;
    }

    static Results read(Path dir) throws IOException {
        JsonNode run = BenchJson.read(dir.resolve("run.json"));
        Path stack = dir.resolve("profile-inmemory-stack.txt");
        Results r = new Results(run, Files.exists(stack) ? Files.readString(stack) : null);
        // JMH's JSON of every group but the profiling pass, merged by BenchRun.
        for (Path f : List.of(dir.resolve("jmh-result.json"))) {
            for (JsonNode o : Json.list(BenchJson.read(f))) {
                String benchmark = Objects.requireNonNull(Json.str(o, "benchmark"), "benchmark");
                int dot = benchmark.lastIndexOf('.');
                String cls = benchmark.substring(benchmark.lastIndexOf('.', dot - 1) + 1, dot);
                Map<String, String> params = new LinkedHashMap<>();
                Json.members(o, "params").forEach((k, v) -> params.put(k, String.valueOf(Json.str(v))));
                r.jmh.add(new Jmh(
                        cls,
                        benchmark.substring(dot + 1),
                        (int) Json.num(o, "threads"),
                        params,
                        Json.str(o, "mode"),
                        Json.num(o, "primaryMetric", "score"),
                        Json.num(o, "primaryMetric", "scoreError"),
                        Json.str(o, "primaryMetric", "scoreUnit"),
                        o));
            }
        }
        Path sideDir = dir.resolve("side");
        if (Files.isDirectory(sideDir)) {
            List<Path> sideFiles;
            try (Stream<Path> s = Files.list(sideDir)) {
                sideFiles =
                        s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
            }
            for (Path f : sideFiles) {
                JsonNode o = BenchJson.read(f);
                String benchmark = Objects.requireNonNull(Json.str(o, "benchmark"), "benchmark");
                int dot = benchmark.lastIndexOf('.');
                String cls = benchmark.substring(benchmark.lastIndexOf('.', dot - 1) + 1, dot);
                Map<String, String> params = new LinkedHashMap<>();
                Json.members(o, "params").forEach((k, v) -> params.put(k, String.valueOf(Json.str(v))));
                r.sides.add(new Side(cls, benchmark.substring(dot + 1), (int) Json.num(o, "threads"), params, o));
            }
        }
        return r;
    }

    /** The JMH result of {@code cls.method} at {@code threads} (any if 0) with these params (a subset), or null. */
    @Nullable
    Jmh find(String cls, String method, int threads, String... keyValues) {
        for (Jmh j : jmh) {
            if (j.is(cls, method) && (threads == 0 || j.threads() == threads) && matches(j.params(), keyValues)) {
                return j;
            }
        }
        return null;
    }

    @Nullable
    Side side(String cls, String method, int threads, String... keyValues) {
        for (Side s : sides) {
            if (s.cls().equals(cls)
                    && s.method().equals(method)
                    && (threads == 0 || s.threads() == threads)
                    && matches(s.params(), keyValues)) {
                return s;
            }
        }
        return null;
    }

    double score(String cls, String method, int threads, String... keyValues) {
        Jmh j = find(cls, method, threads, keyValues);
        return j == null ? Double.NaN : j.score();
    }

    private static boolean matches(Map<String, String> params, String... keyValues) {
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (!Objects.equals(params.get(keyValues[i]), keyValues[i + 1])) {
                return false;
            }
        }
        return true;
    }

    /** The history sizes of the balance benchmarks, small then large, as strings. */
    List<String> histories() {
        List<String> h = new ArrayList<>();
        for (JsonNode o : Json.list(run, "history")) {
            h.add(Json.str(o));
        }
        return h.isEmpty() ? List.of("1000", "1000000") : h;
    }
}
