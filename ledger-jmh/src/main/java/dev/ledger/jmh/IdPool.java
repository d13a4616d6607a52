package dev.ledger.jmh;

import java.sql.SQLException;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Transfer ids for a distributed schema whose worker is known before they are used: the ledger's own kind of id
 * (version 7: Unix milliseconds, then random bits), made {@value #CHUNK} at a time and placed with {@link Placements}
 * in one statement. On Citus a transfer's id row ({@code transfer_id}, distributed by id) lives on the id's worker, so
 * the id decides, with the source and the destination, how many nodes a transfer writes on. Thread-safe. Use either
 * {@link #get()} or {@link #nextOn(int)} on one pool, not both.
 */
final class IdPool implements Supplier<UUID> {
    static final int CHUNK = 8192;

    private final DataSource ds;
    private final CitusNodes nodes;
    private final String table;
    private final SplittableRandom random;
    private final ConcurrentLinkedQueue<UUID> queue = new ConcurrentLinkedQueue<>();
    private final Map<UUID, Integer> workers = new ConcurrentHashMap<>();

    /** @param schema the distributed ledger schema, whose {@code transfer_id} table places the ids */
    IdPool(DataSource ds, CitusNodes nodes, String schema, long seed) {
        this.ds = ds;
        this.nodes = nodes;
        this.table = schema + ".transfer_id";
        this.random = new SplittableRandom(seed);
    }

    /** The next id, whatever its worker (the order of the ledger's own ids). */
    @Override
    public UUID get() {
        UUID id;
        while ((id = queue.poll()) == null) {
            refill();
        }
        return id;
    }

    /** The next id whose row lives on worker {@code worker}; ids of other workers are skipped for good. */
    UUID nextOn(int worker) {
        while (true) {
            UUID id = get();
            if (worker(id) == worker) {
                return id;
            }
        }
    }

    /** The worker of an id this pool gave out, or -1. */
    int worker(UUID id) {
        Integer w = workers.get(id);
        return w == null ? -1 : w;
    }

    /** Places the first {@value #CHUNK} ids now (before the measurement), rather than at the first call. */
    void prefill() {
        refill();
    }

    private synchronized void refill() {
        if (!queue.isEmpty()) {
            return;
        }
        UUID[] ids = new UUID[CHUNK];
        long millis = System.currentTimeMillis() & 0xFFFF_FFFF_FFFFL;
        for (int i = 0; i < CHUNK; i++) {
            long msb = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
            long lsb = 0x8000_0000_0000_0000L | (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL);
            ids[i] = new UUID(msb, lsb);
        }
        try {
            long t0 = System.nanoTime();
            int[] w = Placements.workersOf(ds, nodes, table, "uuid", ids);
            if (Boolean.getBoolean(BenchProps.DEBUG)) {
                System.out.printf("[ids] %d ids placed in %.0f ms%n", CHUNK, (System.nanoTime() - t0) / 1e6);
            }
            for (int i = 0; i < CHUNK; i++) {
                workers.put(ids[i], w[i]);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot place transfer ids on " + table + ": " + e.getMessage(), e);
        }
        for (UUID id : ids) {
            queue.add(id);
        }
    }
}
