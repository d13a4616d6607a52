package dev.ledger.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** The fixture's promises, checked by running small test classes through the JUnit engine. */
class PostgresDatabaseTest {
    private static final List<String> NAMES = new ArrayList<>();
    private static final AtomicBoolean CLOSED = new AtomicBoolean();
    private static Connection leaked;

    @Test
    void afterEach_testLeavesAPooledConnectionOpen_testFailsNamingTheLeak() throws Exception {
        Events tests = run(Leaking.class);
        try {
            assertEquals(1, tests.failed().count(), "the leaking test fails");
            Throwable failure = tests.failed().stream()
                    .findFirst()
                    .orElseThrow()
                    .getRequiredPayload(org.junit.platform.engine.TestExecutionResult.class)
                    .getThrowable()
                    .orElseThrow();
            assertInstanceOf(AssertionError.class, failure);
            assertTrue(failure.getMessage().contains("1 pooled connection(s) still in use"), failure.getMessage());
        } finally {
            leaked.close();
        }
    }

    @Test
    void afterAll_testClassDone_itsDatabaseIsDroppedAndTrackedStoresClosed() throws Exception {
        Events tests = run(Tidy.class);
        assertEquals(1, tests.succeeded().count());
        assertTrue(CLOSED.get(), "what the test tracked is closed after it");
        String name = NAMES.get(NAMES.size() - 1);
        try (Connection c = PostgresServer.get().connect("postgres");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")) {
            rs.next();
            assertEquals(0, rs.getLong(1), "database " + name + " is dropped after the class");
        }
    }

    @Test
    void constructor_poolSizeZero_rejectedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PostgresDatabase(0));
        assertTrue(e.getMessage().contains("poolSize must be at least 1, got 0"), e.getMessage());
    }

    @Test
    void dataSource_extensionNotRegistered_failsWithInstructions() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new PostgresDatabase().dataSource());
        assertTrue(e.getMessage().contains("@RegisterExtension"), e.getMessage());
    }

    private static Events run(Class<?> testClass) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(testClass))
                .execute()
                .testEvents();
    }

    /** Run only through {@link #run}: keeps a connection of the pool. */
    static class Leaking {
        @RegisterExtension
        static final PostgresDatabase DB = new PostgresDatabase(2);

        @Test
        void leaks() throws Exception {
            leaked = DB.dataSource().getConnection();
        }
    }

    /** Run only through {@link #run}: uses the database and tracks something to close. */
    static class Tidy {
        @RegisterExtension
        static final PostgresDatabase DB = new PostgresDatabase(2);

        @Test
        void usesTheDatabase() throws Exception {
            NAMES.add(DB.name());
            DB.sql("CREATE TABLE t (x int)", "INSERT INTO t VALUES (1)");
            assertEquals(1, DB.queryLong("SELECT count(*) FROM t"));
            assertEquals("42P01", DB.sqlStateOf("SELECT * FROM missing"));
            DB.track(() -> CLOSED.set(true));
        }
    }
}
