package dev.ledger.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** {@code -Dledger.test.postgres=testcontainers}: a postgres:17 container, for machines with Docker. */
final class TestcontainersServer {
    private TestcontainersServer() {}

    static PostgresServer start() {
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            docker = false;
        }
        if (!docker) {
            throw new IllegalStateException(
                    "-Dledger.test.postgres=testcontainers needs a running Docker engine, and none"
                            + " was found. Start Docker, or run without the property to use the embedded PostgreSQL (no install"
                            + " needed), or give -Dledger.test.jdbcUrl=... for an existing server");
        }
        PostgreSQLContainer container = new PostgreSQLContainer("postgres:17")
                .withCommand("postgres", "-c", "max_connections=300", "-c", "fsync=off");
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "testcontainers-postgres-stop"));
        String base = "jdbc:postgresql://" + container.getHost() + ":" + container.getMappedPort(5432) + "/";
        return PostgresServer.of(
                base, container.getUsername(), container.getPassword(), "Testcontainers postgres:17 at " + base);
    }
}
