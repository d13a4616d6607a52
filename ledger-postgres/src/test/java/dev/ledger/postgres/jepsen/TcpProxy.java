package dev.ledger.postgres.jepsen;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 between the connection pool and PostgreSQL, for network faults: added latency per chunk,
 * freezing (bytes are held, in both directions, until thawed), and resets (RST to both ends). Plain sockets and
 * threads; every link is two pump threads.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicLong accepted = new AtomicLong();
    private volatile long latencyMillis;
    private volatile boolean frozen;
    private volatile boolean closed;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /**
     * {@code jdbcUrl} (a direct URL to the server) redirected through this proxy, with short timeouts: socket, connect
     * and login 3 s in the driver; statement 2 s and lock 1 s on the server.
     */
    public String url(String jdbcUrl, String applicationName) {
        java.net.URI uri = java.net.URI.create(jdbcUrl.substring("jdbc:".length()));
        return "jdbc:postgresql://127.0.0.1:" + port() + uri.getPath() + "?" + uri.getQuery()
                + "&socketTimeout=3&connectTimeout=3&loginTimeout=3&ApplicationName=" + applicationName
                + "&options=-c%20statement_timeout%3D2000%20-c%20lock_timeout%3D1000";
    }

    /** The port of a {@code jdbc:postgresql://host:port/...} URL. */
    public static int portOf(String jdbcUrl) {
        return java.net.URI.create(jdbcUrl.substring("jdbc:".length())).getPort();
    }

    public long accepted() {
        return accepted.get();
    }

    public void latency(long millis) {
        this.latencyMillis = millis;
    }

    public void freeze() {
        this.frozen = true;
    }

    /** Ends every fault: no latency, nothing frozen. */
    public void heal() {
        latencyMillis = 0;
        frozen = false;
    }

    /** Resets every open link. */
    public int resetAll() {
        int n = 0;
        for (Link link : links) {
            link.reset();
            n++;
        }
        return n;
    }

    /** Resets one open link chosen by {@code random}; returns whether there was one. */
    public boolean resetOne(SplittableRandom random) {
        List<Link> open = new ArrayList<>(links);
        if (open.isEmpty()) {
            return false;
        }
        open.get(random.nextInt(open.size())).reset();
        return true;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                Socket upstream = new Socket();
                try {
                    upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                Link link = new Link(client, upstream);
                links.add(link);
                link.start();
            } catch (IOException e) {
                if (!closed) {
                    System.out.println("tcp proxy accept: " + e);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        heal();
        resetAll();
    }

    private final class Link {
        private final Socket client;
        private final Socket upstream;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() throws IOException {
            pump(client.getInputStream(), upstream.getOutputStream(), "up");
            pump(upstream.getInputStream(), client.getOutputStream(), "down");
        }

        private void pump(InputStream in, OutputStream out, String direction) {
            Thread t = new Thread(
                    () -> {
                        byte[] buffer = new byte[16 * 1024];
                        try {
                            while (true) {
                                int n = in.read(buffer);
                                if (n < 0) {
                                    break;
                                }
                                while (frozen && !closed) {
                                    Thread.sleep(5);
                                }
                                long delay = latencyMillis;
                                if (delay > 0) {
                                    Thread.sleep(delay);
                                }
                                out.write(buffer, 0, n);
                                out.flush();
                            }
                        } catch (IOException | InterruptedException e) {
                            // reset or closed: end the link
                        }
                        close();
                    },
                    "tcp-proxy-" + direction + "-" + client.getPort());
            t.setDaemon(true);
            t.start();
        }

        void reset() {
            try {
                client.setSoLinger(true, 0);
                upstream.setSoLinger(true, 0);
            } catch (IOException ignored) {
                // already closed
            }
            close();
        }

        void close() {
            links.remove(this);
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                upstream.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
