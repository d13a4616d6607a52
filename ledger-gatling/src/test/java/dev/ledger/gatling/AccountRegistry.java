package dev.ledger.gatling;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The ids of the accounts the virtual users have opened so far, shared by all of them: each user adds its own once, and
 * picks a random other one for every transfer.
 *
 * <p>Append-only and cheap to read: adding takes a lock (once per user), picking takes none (two volatile reads and an
 * array load), so thousands of users picking hundreds of times a second contend on nothing.
 */
final class AccountRegistry {

    private final Object lock = new Object();
    /** Holds at least {@link #size} ids; replaced by a larger copy when full. */
    private volatile String[] ids = new String[1024];
    /** Written after the id it counts, so a reader that sees {@code size == n} sees ids[0..n). */
    private volatile int size;

    void add(String id) {
        synchronized (lock) {
            String[] current = ids;
            int n = size;
            if (n == current.length) {
                current = Arrays.copyOf(current, n * 2);
                ids = current;
            }
            current[n] = id;
            size = n + 1;
        }
    }

    int size() {
        return size;
    }

    /** A uniformly random id other than {@code self}, or null when no other account exists yet. */
    String randomOther(String self) {
        int n = size;
        String[] current = ids;
        if (n == 0) {
            return null;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = random.nextInt(n);
        String id = current[i];
        if (!id.equals(self)) {
            return id;
        }
        if (n == 1) {
            return null;
        }
        // Any index but i, uniformly.
        return current[(i + 1 + random.nextInt(n - 1)) % n];
    }
}
