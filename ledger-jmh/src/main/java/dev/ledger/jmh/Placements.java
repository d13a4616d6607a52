package dev.ledger.jmh;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import javax.sql.DataSource;

/**
 * Which worker holds a value's shard of a hash-distributed table, asked of the coordinator's metadata for many values
 * in one statement: the value's hash ({@code worker_hash}, the hash Citus distributes by) within a shard's range
 * ({@code pg_dist_shard}), that shard's placement ({@code pg_dist_placement}, {@code pg_dist_node}). Checked against
 * {@code get_shard_id_for_distribution_column} for the first value, which is four times slower a value.
 */
final class Placements {
    private Placements() {}

    /**
     * The worker index ({@link CitusNodes#workerIndex}) of each value, in order; -1 where the metadata names none.
     *
     * @param table the distributed table, schema-qualified
     * @param type the SQL type of the distribution column ({@code text}, {@code uuid})
     */
    static int[] workersOf(DataSource ds, CitusNodes nodes, String table, String type, Object[] values)
            throws SQLException {
        int[] out = new int[values.length];
        Arrays.fill(out, -1);
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("WITH s AS (SELECT shardid, shardminvalue::int AS lo,"
                        + "   shardmaxvalue::int AS hi FROM pg_dist_shard WHERE logicalrelid = ?::regclass)"
                        + " SELECT x.ord, n.nodeport, s.shardid, CASE WHEN x.ord = 1"
                        + "        THEN s.shardid <> get_shard_id_for_distribution_column(?::regclass, x.v) ELSE false END"
                        + "   FROM unnest(?::" + type + "[]) WITH ORDINALITY x(v, ord)"
                        + "   JOIN s ON worker_hash(x.v) BETWEEN s.lo AND s.hi"
                        + "   JOIN pg_dist_placement p ON p.shardid = s.shardid"
                        + "   JOIN pg_dist_node n ON n.groupid = p.groupid")) {
            Array array = c.createArrayOf(type, values);
            ps.setString(1, table);
            ps.setString(2, table);
            ps.setArray(3, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(4)) {
                        throw new IllegalStateException(
                                "worker_hash places " + values[0] + " in shard " + rs.getLong(3) + " of " + table
                                        + ", Citus elsewhere: the benchmark's placement query is wrong for this version");
                    }
                    out[(int) rs.getLong(1) - 1] = nodes.workerIndex(rs.getInt(2));
                }
            }
            array.free();
        }
        return out;
    }
}
