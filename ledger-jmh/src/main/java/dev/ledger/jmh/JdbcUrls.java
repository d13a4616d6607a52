package dev.ledger.jmh;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small helpers for {@code jdbc:postgresql://host[:port]/database[?params]} URLs. */
final class JdbcUrls {
    private static final Pattern URL = Pattern.compile("(jdbc:postgresql://[^/?]+)(?:/([^?]*))?(\\?.*)?");

    private JdbcUrls() {}

    static Matcher parse(String url) {
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "expected jdbc:postgresql://host[:port]/database[?user=...], got " + redact(url));
        }
        return m;
    }

    /** The same server and parameters, another database. */
    static String withDatabase(String url, String database) {
        Matcher m = parse(url);
        return m.group(1) + "/" + database + (m.group(3) == null ? "" : m.group(3));
    }

    /** The same database and parameters on another server, e.g. a Citus worker named by the coordinator. */
    static String withHostPort(String url, String host, int port) {
        Matcher m = parse(url);
        return "jdbc:postgresql://" + host + ":" + port + "/" + (m.group(2) == null ? "" : m.group(2))
                + (m.group(3) == null ? "" : m.group(3));
    }

    /** The host part, e.g. {@code localhost} or {@code 127.0.0.1}. */
    static String host(String url) {
        String hostPort = parse(url).group(1).substring("jdbc:postgresql://".length());
        if (hostPort.startsWith("[")) {
            return hostPort.substring(0, hostPort.indexOf(']') + 1);
        }
        int colon = hostPort.indexOf(':');
        return colon < 0 ? hostPort : hostPort.substring(0, colon);
    }

    /** The port, 5432 when the URL names none. */
    static int port(String url) {
        String hostPort = parse(url).group(1).substring("jdbc:postgresql://".length());
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 || hostPort.endsWith("]") ? 5432 : Integer.parseInt(hostPort.substring(colon + 1));
    }

    /** Whether the server runs on this machine (so that its processes' CPU time can be read from /proc). */
    static boolean isLocal(String url) {
        String host = host(url);
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }

    /** The URL without its query string, which may hold a password. */
    static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }
}
