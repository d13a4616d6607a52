package dev.ledger.service;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The seed's transfer service on the ledger and its Spring Boot starter. {@code java -jar ledger-service.jar} serves it
 * at http://127.0.0.1:8000 on an embedded PostgreSQL; {@code --port N} and {@code --jdbc-url URL} change either; any
 * {@code --name=value} is passed to Spring Boot as a property.
 */
@SpringBootApplication
@EnableConfigurationProperties(ServiceProperties.class)
public class LedgerService {
    static final String USAGE = """
      Usage: java -jar ledger-service.jar [--port N] [--jdbc-url URL] [--name=value ...]

        --port N          listen on http://127.0.0.1:N (default 8000; 0 picks a free port)
        --jdbc-url URL    use this PostgreSQL (the role must be able to create the ledger's schema, or pass
                          --ledger.migrate-on-start=false after migrating it yourself); default: an embedded
                          PostgreSQL 17 whose data is deleted when the service stops
        --name=value      any Spring Boot or ledger.* property, e.g. --ledger.service.scale=3
        --help            this text
      """;

    /** Starts the service and prints its URL; stops it (and the embedded database) when the JVM exits. */
    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(USAGE);
            return;
        }
        Running running = start(options);
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "ledger-service-shutdown"));
        PrintStream out = System.out;
        out.println("Ledger service listening on " + running.url()
                + (options.jdbcUrl() == null ? " (embedded PostgreSQL)" : ""));
        out.println("  API docs: " + running.url() + "/docs, " + running.url() + "/redoc, " + running.url()
                + "/openapi.json; metrics: " + running.url() + "/actuator/prometheus");
    }

    /** Starts the service; the caller closes it. */
    static Running start(Options options) {
        EmbeddedPostgres embedded = null;
        Map<String, Object> defaults = new HashMap<>();
        defaults.put("server.port", options.port());
        if (options.jdbcUrl() == null) {
            try {
                embedded = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "could not start the embedded PostgreSQL: " + e.getMessage()
                                + " (or pass --jdbc-url to use a server of your own)",
                        e);
            }
            defaults.put("spring.datasource.url", embedded.getJdbcUrl("postgres", "postgres"));
            defaults.put("spring.datasource.username", "postgres");
        } else {
            defaults.put("spring.datasource.url", options.jdbcUrl());
        }
        SpringApplication application = new SpringApplication(LedgerService.class);
        application.setDefaultProperties(defaults);
        application.setRegisterShutdownHook(false); // Running.close(): the context first, then its database
        try {
            ConfigurableApplicationContext context =
                    application.run(options.springArgs().toArray(String[]::new));
            return new Running(context, embedded);
        } catch (RuntimeException e) {
            closeQuietly(embedded);
            throw e;
        }
    }

    private static void closeQuietly(@Nullable EmbeddedPostgres embedded) {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException ignored) {
                // stopping after a failed start: the start's failure is the one to report
            }
        }
    }

    /** A started service. */
    static final class Running implements AutoCloseable {
        private final ConfigurableApplicationContext context;
        private final @Nullable EmbeddedPostgres embedded;

        Running(ConfigurableApplicationContext context, @Nullable EmbeddedPostgres embedded) {
            this.context = context;
            this.embedded = embedded;
        }

        int port() {
            return ((WebServerApplicationContext) context).getWebServer().getPort();
        }

        String url() {
            return "http://127.0.0.1:" + port();
        }

        ConfigurableApplicationContext context() {
            return context;
        }

        @Override
        public void close() {
            context.close();
            closeQuietly(embedded);
        }
    }

    /** The command line: the service's own options, and Spring Boot's {@code --name=value} properties. */
    record Options(int port, @Nullable String jdbcUrl, boolean help, List<String> springArgs) {
        static Options parse(String... args) {
            int port = 8000;
            String jdbcUrl = null;
            boolean help = false;
            List<String> spring = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--help", "-h" -> help = true;
                    case "--port" -> port = port(value(args, ++i, arg));
                    case "--jdbc-url" -> jdbcUrl = value(args, ++i, arg);
                    default -> {
                        if (arg.startsWith("--port=")) {
                            port = port(arg.substring("--port=".length()));
                        } else if (arg.startsWith("--jdbc-url=")) {
                            jdbcUrl = arg.substring("--jdbc-url=".length());
                        } else if (arg.startsWith("--") && arg.indexOf('=') > 2) {
                            spring.add(arg);
                        } else {
                            throw new IllegalArgumentException("unknown argument: " + arg);
                        }
                    }
                }
            }
            if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException(
                        "--jdbc-url must be a PostgreSQL JDBC URL (jdbc:postgresql://...): " + jdbcUrl);
            }
            return new Options(port, jdbcUrl, help, List.copyOf(spring));
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int port(String value) {
            try {
                int port = Integer.parseInt(value);
                if (port >= 0 && port <= 65_535) {
                    return port;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("--port must be a number from 0 to 65535: " + value);
        }
    }
}
