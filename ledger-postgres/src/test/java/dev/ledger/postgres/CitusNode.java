package dev.ledger.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One PostgreSQL server of the test cluster, as a process on this machine: stopped in immediate mode (SIGQUIT to the
 * postmaster, what {@code pg_ctl stop -m immediate} sends: every backend killed at once, no checkpoint, crash recovery
 * on start) and started again with {@code pg_ctl}, as the data directory's owner when the tests run as root (PostgreSQL
 * refuses to run as root). Found through the node itself while it is up: {@code data_directory} and {@code pg_config}'s
 * BINDIR (superuser reads).
 */
final class CitusNode {
    final int port;
    final Path dataDirectory;
    final Path binDirectory;

    private CitusNode(int port, Path dataDirectory, Path binDirectory) {
        this.port = port;
        this.dataDirectory = dataDirectory;
        this.binDirectory = binDirectory;
    }

    /** The server listening on {@code port} of this machine; fails with instructions when it is not local. */
    static CitusNode of(CitusCluster cluster, int port) throws SQLException {
        Path data = Path.of(cluster.textOnNode(port, "SHOW data_directory"));
        Path bin = Path.of(cluster.textOnNode(port, "SELECT setting FROM pg_config WHERE name = 'BINDIR'"));
        if (!Files.isRegularFile(data.resolve("postmaster.pid")) || !Files.isExecutable(bin.resolve("pg_ctl"))) {
            throw new IllegalStateException("the Citus node on port " + port + " (data " + data + ") is not a server of"
                    + " this machine: the fault tests stop and start worker processes, so they need the cluster of"
                    + " ../shared/citus/cluster.sh running here (docs/scaling.md)");
        }
        return new CitusNode(port, data, bin);
    }

    /**
     * Creates a new Citus node on this machine beside {@code like} (same binaries, data directory owner and superuser
     * name): {@code initdb} into {@code parent/data}, the settings a Citus worker needs, started on {@code port}, with
     * the citus extension created. Not yet added to the cluster.
     */
    static CitusNode create(CitusNode like, Path parent, int port, String superuser) throws Exception {
        Path data = parent.resolve("data");
        CitusNode node = new CitusNode(port, data, like.binDirectory);
        if ("root".equals(System.getProperty("user.name"))) {
            Files.setOwner(parent, Files.getOwner(like.dataDirectory));
        }
        node.run(
                List.of(
                        like.binDirectory.resolve("initdb").toString(),
                        "-D",
                        data.toString(),
                        "-U",
                        superuser,
                        "-A",
                        "trust",
                        "-E",
                        "UTF8",
                        "--locale=C.UTF-8"),
                true);
        Files.writeString(
                data.resolve("postgresql.conf"),
                String.join(
                        "\n",
                        "",
                        "port = " + port,
                        "listen_addresses = 'localhost'",
                        "unix_socket_directories = '" + parent + "'",
                        "shared_preload_libraries = 'citus'",
                        "max_connections = 200",
                        "wal_level = logical",
                        "citus.enable_statistics_collection = off",
                        "fsync = off",
                        ""),
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        node.start();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(CitusCluster.nodeUrl(port));
                java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION citus");
        }
        return node;
    }

    /** Stops the server (fast mode: sessions ended, a checkpoint) and waits. */
    void stop() throws Exception {
        run(
                List.of(
                        binDirectory.resolve("pg_ctl").toString(),
                        "-D",
                        dataDirectory.toString(),
                        "-m",
                        "fast",
                        "-w",
                        "-t",
                        "60",
                        "stop"),
                true);
    }

    /** Stops the server in immediate mode and waits until its postmaster has exited. */
    void crash() throws Exception {
        long pid = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid"))
                .get(0)
                .trim());
        ProcessHandle postmaster = ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException("no postmaster " + pid + " for " + dataDirectory));
        run(List.of("kill", "-QUIT", Long.toString(pid)), false);
        postmaster.onExit().get(60, TimeUnit.SECONDS);
    }

    /** Starts the server on its data directory and waits until it accepts connections (log beside it). */
    void start() throws Exception {
        run(
                List.of(
                        binDirectory.resolve("pg_ctl").toString(),
                        "-D",
                        dataDirectory.toString(),
                        "-l",
                        dataDirectory + ".log",
                        "-w",
                        "-t",
                        "60",
                        "start"),
                true);
    }

    private void run(List<String> command, boolean asOwner) throws Exception {
        List<String> full = new ArrayList<>();
        if (asOwner && "root".equals(System.getProperty("user.name"))) {
            Path owned = Files.exists(dataDirectory) ? dataDirectory : dataDirectory.getParent();
            full.addAll(List.of("runuser", "-u", Files.getOwner(owned).getName(), "--"));
        }
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", full) + " failed: " + output);
        }
    }
}
