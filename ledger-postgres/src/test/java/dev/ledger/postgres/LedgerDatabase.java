package dev.ledger.postgres;

import dev.ledger.testing.PostgresDatabase;
import java.time.Duration;

/**
 * The test database of {@code ledger-testing} with this store's factory: {@link #newStore()} gives a store on a new,
 * migrated schema, closed after the test.
 *
 * <pre>{@code
 * @RegisterExtension static final LedgerDatabase DB = new LedgerDatabase();
 * ... PostgresLedgerStore store = DB.newStore();
 * }</pre>
 */
public final class LedgerDatabase extends PostgresDatabase {
    public LedgerDatabase() {
        super();
    }

    public LedgerDatabase(int poolSize) {
        super(poolSize);
    }

    /** A store on a new, migrated schema, closed after the test. */
    public PostgresLedgerStore newStore() {
        return newStore(newSchemaName());
    }

    /** A store on the given schema (migrated on start), closed after the test. */
    public PostgresLedgerStore newStore(String schema) {
        return track(PostgresLedgerStore.builder()
                .dataSource(dataSource())
                .schema(schema)
                .migrateOnStart(true)
                .summarizeEvery(Duration.ZERO)
                .build());
    }

    /** Waits until a call of the schema's append_transfers waits for a lock (another session holds it). */
    public void awaitAppendWaitingOnALock(String schema) throws Exception {
        for (int i = 0; i < 500; i++) {
            if (queryLong("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%"
                            + schema + ".append_transfers%'")
                    > 0) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no call of " + schema + ".append_transfers waited for a lock within 5 s");
    }

    /**
     * For a fixture that writes transfer rows straight into the table as the owner (as only the owner can): the
     * statement that gives each transfer without its credit row that row (what append_transfers writes with it).
     */
    public static String creditRowsOf(String schema) {
        return "INSERT INTO " + schema + ".credit (account, recorded_at, id, amount, source, source_index, currency,"
                + " reference) SELECT t.destination, t.recorded_at, t.id, t.amount, t.source, t.source_index, t.currency,"
                + " t.reference FROM " + schema + ".transfer t WHERE NOT EXISTS (SELECT 1 FROM " + schema
                + ".credit c WHERE c.id = t.id)";
    }
}
