package dev.ledger.core.internal;

import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Generates version 7 UUIDs (RFC 9562): 48 bits of Unix milliseconds from the ledger clock, then 74 random bits.
 * Time-ordered ids keep PostgreSQL's index on transfer ids compact. Each thread draws from its own generator seeded by
 * {@link SecureRandom}, so ids from different threads and JVMs do not collide in practice. Not part of the API.
 */
public final class TransferIds implements Supplier<UUID> {
    private static final SecureRandom SEEDS = new SecureRandom();
    private static final ThreadLocal<SplittableRandom> RANDOM =
            ThreadLocal.withInitial(() -> new SplittableRandom(seed()));

    private final InstantSource clock;

    public TransferIds(InstantSource clock) {
        this.clock = clock;
    }

    private static long seed() {
        synchronized (SEEDS) {
            return SEEDS.nextLong();
        }
    }

    @Override
    public UUID get() {
        long millis = clock.millis() & 0xFFFF_FFFF_FFFFL;
        SplittableRandom random = RANDOM.get();
        long randA = random.nextLong() & 0x0FFFL;
        long randB = random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL;
        long msb = (millis << 16) | 0x7000L | randA;
        long lsb = 0x8000_0000_0000_0000L | randB;
        return new UUID(msb, lsb);
    }
}
