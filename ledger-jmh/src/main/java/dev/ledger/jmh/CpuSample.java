package dev.ledger.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time from Linux's /proc at one instant: the whole machine (all cores), this JVM, and the given PostgreSQL
 * processes (only meaningful when the server runs on this machine). Times are in clock ticks (USER_HZ, 100 per second
 * on Linux). Where /proc is unreadable the values are -1 and the report says "n/a".
 */
final class CpuSample {
    private static final double TICK_US = 1_000_000.0 / 100;

    private final long machineTotal;
    private final long machineIdle;
    private final long jvm;
    private final Map<Long, Long> postgres;

    private CpuSample(long machineTotal, long machineIdle, long jvm, Map<Long, Long> postgres) {
        this.machineTotal = machineTotal;
        this.machineIdle = machineIdle;
        this.jvm = jvm;
        this.postgres = postgres;
    }

    static CpuSample take(List<Long> postgresPids) {
        long total = -1;
        long idle = -1;
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // "cpu  user nice system idle iowait ..."
            String[] f = cpu.trim().split("\\s+");
            total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) { // user..steal; guest times are already in user
                total += Long.parseLong(f[i]);
            }
            idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
        } catch (IOException | RuntimeException e) {
            total = -1;
        }
        long self = processTicks("self");
        Map<Long, Long> pg = new HashMap<>();
        for (long pid : postgresPids) {
            if (isPostgres(pid)) {
                long t = processTicks(Long.toString(pid));
                if (t >= 0) {
                    pg.put(pid, t);
                }
            }
        }
        return new CpuSample(total, idle, self, pg);
    }

    private static boolean isPostgres(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm"))
                    .trim()
                    .startsWith("postgres");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** utime + stime of a process, in ticks; -1 if unreadable. */
    private static long processTicks(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // f[0] is field 3 (state); utime and stime are fields 14 and 15.
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    Delta minus(CpuSample before) {
        long pg = 0;
        for (Map.Entry<Long, Long> e : postgres.entrySet()) {
            // A backend that started during the window counts from zero; one that exited is lost (rare: pooled).
            pg += e.getValue() - before.postgres.getOrDefault(e.getKey(), 0L);
        }
        boolean machineKnown = machineTotal >= 0 && before.machineTotal >= 0;
        return new Delta(
                machineKnown ? machineTotal - before.machineTotal : -1,
                machineKnown ? machineIdle - before.machineIdle : -1,
                jvm >= 0 && before.jvm >= 0 ? jvm - before.jvm : -1,
                postgres.isEmpty() ? -1 : pg);
    }

    /** CPU ticks spent between two samples. */
    record Delta(long machineTotal, long machineIdle, long jvm, long postgres) {
        Map<String, Object> toMap(long ops) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("machine_ticks", machineTotal);
            if (machineTotal > 0) {
                long busy = machineTotal - machineIdle;
                m.put("machine_busy_pct", 100.0 * busy / machineTotal);
                m.put("jvm_pct", jvm < 0 ? -1 : 100.0 * jvm / machineTotal);
                m.put("postgres_pct", postgres < 0 ? -1 : 100.0 * postgres / machineTotal);
                m.put(
                        "other_pct",
                        jvm < 0 || postgres < 0 ? -1 : 100.0 * Math.max(0, busy - jvm - postgres) / machineTotal);
                m.put("idle_pct", 100.0 * machineIdle / machineTotal);
            }
            m.put("jvm_us_per_op", jvm < 0 || ops == 0 ? -1 : jvm * TICK_US / ops);
            m.put("postgres_us_per_op", postgres < 0 || ops == 0 ? -1 : postgres * TICK_US / ops);
            return m;
        }
    }
}
