/**
 * Test fixtures: {@link dev.ledger.testing.PostgresDatabase}, a JUnit extension giving a test class its own database on
 * a real PostgreSQL ({@link dev.ledger.testing.PostgresServer}: embedded by default, an existing server by
 * {@code -Dledger.test.jdbcUrl}, Testcontainers by {@code -Dledger.test.postgres=testcontainers});
 * {@link dev.ledger.testing.MutableClock}, a clock only the test moves; {@link dev.ledger.testing.ConcurrentRun}, tasks
 * started together on many threads.
 */
@NullMarked
package dev.ledger.testing;

import org.jspecify.annotations.NullMarked;
