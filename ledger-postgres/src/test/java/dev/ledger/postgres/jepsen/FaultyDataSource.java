package dev.ledger.postgres.jepsen;

import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A fault-injecting wrapper around a pool of real PostgreSQL connections (no mock: every statement that is let through
 * runs on the real server). A thread arms one {@link Fault} before a ledger call; it fires at the matching point of
 * that call:
 *
 * <ul>
 *   <li>{@link Fault#CONNECT}: {@code getConnection()} fails (SQLSTATE 08001): nothing reaches the server;
 *   <li>{@link Fault#BEFORE_SEND}: the transfer statement's {@code execute} throws a connection error (SQLSTATE 08006)
 *       without sending anything;
 *   <li>{@link Fault#AFTER_COMMIT}: the transfer statement runs and commits on the server (auto-commit), then the
 *       caller gets the same connection error instead of the result: a lost acknowledgement.
 * </ul>
 *
 * After a statement fault the connection is broken: it refuses new statements and is evicted from the pool on close, as
 * the pool does with a dead connection.
 */
public final class FaultyDataSource implements DataSource {
    /** Where the armed fault strikes. */
    public enum Fault {
        CONNECT,
        BEFORE_SEND,
        AFTER_COMMIT
    }

    private static final ThreadLocal<Fault> ARMED = new ThreadLocal<>();
    private static final ThreadLocal<Fault> FIRED = new ThreadLocal<>();

    private final HikariDataSource pool;
    private final Map<Fault, AtomicLong> fired = new EnumMap<>(Fault.class);

    public FaultyDataSource(HikariDataSource pool) {
        this.pool = pool;
        for (Fault f : Fault.values()) {
            fired.put(f, new AtomicLong());
        }
    }

    /** Arms {@code fault} for the calling thread's next matching point. */
    public static void arm(Fault fault) {
        ARMED.set(fault);
        FIRED.remove();
    }

    /** The fault that fired in this thread since it was armed (clearing both), or null. */
    public static @Nullable Fault takeFired() {
        Fault f = FIRED.get();
        FIRED.remove();
        ARMED.remove();
        return f;
    }

    public long fired(Fault fault) {
        return fired.get(fault).get();
    }

    public long firedTotal() {
        return fired.values().stream().mapToLong(AtomicLong::get).sum();
    }

    private boolean fire(Fault fault) {
        if (ARMED.get() != fault) {
            return false;
        }
        ARMED.remove();
        FIRED.set(fault);
        fired.get(fault).incrementAndGet();
        return true;
    }

    /** The ledger's one-statement transfer attempt (the append CTE). */
    private static boolean isAppend(Object sql) {
        return sql instanceof String s && s.contains(".append_transfers(");
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (fire(Fault.CONNECT)) {
            throw new SQLTransientConnectionException("injected fault: connection refused", "08001");
        }
        Connection real = pool.getConnection();
        boolean[] broken = {false};
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("close")) {
                        if (broken[0]) {
                            pool.evictConnection(real);
                            return null;
                        }
                        return call(real, method, args);
                    }
                    if (broken[0]
                            && (name.startsWith("prepare")
                                    || name.equals("createStatement")
                                    || name.equals("commit"))) {
                        throw new SQLException("injected fault: this connection has been closed", "08003");
                    }
                    Object result = call(real, method, args);
                    if (name.equals("prepareStatement") && args != null && isAppend(args[0])) {
                        return statement((PreparedStatement) result, broken);
                    }
                    return result;
                });
    }

    private PreparedStatement statement(PreparedStatement real, boolean[] broken) {
        return (PreparedStatement) Proxy.newProxyInstance(
                PreparedStatement.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class},
                (proxy, method, args) -> {
                    if (method.getName().startsWith("execute") && (args == null || args.length == 0)) {
                        if (fire(Fault.BEFORE_SEND)) {
                            broken[0] = true;
                            throw new SQLException(
                                    "injected fault: An I/O error occurred while sending to the backend"
                                            + " (connection reset before the statement was sent)",
                                    "08006");
                        }
                        if (ARMED.get() == Fault.AFTER_COMMIT) {
                            call(real, method, args); // runs and commits on the server
                            fire(Fault.AFTER_COMMIT);
                            broken[0] = true;
                            throw new SQLException(
                                    "injected fault: An I/O error occurred while receiving from the backend"
                                            + " (connection reset after the server committed)",
                                    "08006");
                        }
                    }
                    return call(real, method, args);
                });
    }

    private static Object call(Object target, Method method, Object @Nullable [] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("use getConnection()");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return pool.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return pool.isWrapperFor(iface);
    }
}
