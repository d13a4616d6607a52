package dev.ledger.examples;

import dev.ledger.core.memory.InMemoryLedgerStore;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.postgres.PostgresLedgerStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** The store the story runs on, and the embedded server behind it, if any. */
final class QuickstartBackend implements AutoCloseable {
    final LedgerStore store;
    final String description;
    final @Nullable EmbeddedPostgres server;
    /** The schema this run created on an existing server, which the user may want to drop. */
    final @Nullable String leftBehind;

    private QuickstartBackend(
            LedgerStore store, String description, @Nullable EmbeddedPostgres server, @Nullable String leftBehind) {
        this.store = store;
        this.description = description;
        this.server = server;
        this.leftBehind = leftBehind;
    }

    static QuickstartBackend start(QuickstartOptions options) throws IOException, SQLException {
        if (options.inMemory()) {
            return new QuickstartBackend(
                    new InMemoryLedgerStore(), "in memory (InMemoryLedgerStore; gone when the JVM exits)", null, null);
        }
        if (options.jdbcUrl() != null) {
            String url = options.jdbcUrl();
            String version;
            try (Connection c = DriverManager.getConnection(url)) {
                version = serverVersion(c);
            }
            // Each run gets its own schema: accounts and transfers can never be deleted, only dropped wholesale.
            String schema = "quickstart_" + Instant.now().toEpochMilli();
            PostgresLedgerStore store = PostgresLedgerStore.builder()
                    .jdbcUrl(url)
                    .schema(schema)
                    .migrateOnStart(true)
                    .build();
            return new QuickstartBackend(
                    store,
                    "PostgreSQL " + version + " at " + redact(url) + ", schema " + schema + " created and migrated",
                    null,
                    schema);
        }
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        try {
            String version;
            try (Connection c = pg.getPostgresDatabase().getConnection()) {
                version = serverVersion(c);
            }
            PostgresLedgerStore store = PostgresLedgerStore.builder()
                    .dataSource(pg.getPostgresDatabase())
                    .migrateOnStart(true)
                    .build();
            return new QuickstartBackend(
                    store,
                    "embedded PostgreSQL " + version + " on port " + pg.getPort() + ", schema " + store.schema()
                            + " migrated on start",
                    pg,
                    null);
        } catch (SQLException | RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    private static String serverVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1).split(" ", 2)[0];
        }
    }

    private static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    @Override
    public void close() throws IOException {
        try {
            store.close();
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }
}
