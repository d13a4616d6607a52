package dev.ledger.jmh;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * CPU time of whole PostgreSQL servers on this machine, from Linux's /proc, in clock ticks (USER_HZ, 100 a second): a
 * server's postmaster and every process it started (backends, Citus's maintenance daemon, the checkpointer, ...). The
 * postmaster's {@code cutime + cstime} holds the time of the children it has already reaped, so a backend that exits
 * between two samples is still counted. -1 where /proc is unreadable.
 */
final class ServerCpu {
    private ServerCpu() {}

    /** The postmaster of a backend (its parent process), or -1 when it is not a local PostgreSQL process. */
    static long postmasterOf(long backendPid) {
        long[] f = stat(Long.toString(backendPid));
        if (f == null || !isPostgres(f[1])) {
            return -1;
        }
        return f[1];
    }

    /** Ticks spent so far by each postmaster's process tree; -1 for one that is gone. */
    static Map<Long, Long> ticks(Collection<Long> postmasters) {
        Map<Long, Long> out = new HashMap<>();
        for (long pm : postmasters) {
            long[] f = stat(Long.toString(pm));
            out.put(pm, f == null ? -1 : f[2] + f[3] + f[4] + f[5]);
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                long[] f = stat(p.getFileName().toString());
                if (f != null && out.containsKey(f[1]) && out.get(f[1]) >= 0) {
                    out.merge(f[1], f[2] + f[3], Long::sum);
                }
            }
        } catch (IOException | RuntimeException e) {
            out.replaceAll((k, v) -> -1L);
        }
        return out;
    }

    private static boolean isPostgres(long pid) {
        try {
            String comm = Files.readString(Path.of("/proc", Long.toString(pid), "comm"))
                    .trim();
            return comm.startsWith("postgres");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {pid, ppid, utime, stime, cutime, cstime} of a process, or null. */
    private static long @Nullable [] stat(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // The command (field 2) is in parentheses and may hold spaces: split after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // f[0] is field 3 (state), f[1] field 4 (ppid); utime, stime, cutime, cstime are fields 14 to 17.
            return new long[] {
                Long.parseLong(pid),
                Long.parseLong(f[1]),
                Long.parseLong(f[11]),
                Long.parseLong(f[12]),
                Long.parseLong(f[13]),
                Long.parseLong(f[14])
            };
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The 1-minute load average, or NaN. */
    static double loadAverage() {
        try {
            return Double.parseDouble(
                    Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
