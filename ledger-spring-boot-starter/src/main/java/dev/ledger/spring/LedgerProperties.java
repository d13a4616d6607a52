package dev.ledger.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code ledger.*} properties. Each value is checked by the library's own builders when the context starts: a bad
 * value fails the start with their message, naming the value and the allowed range.
 */
@ConfigurationProperties("ledger")
public class LedgerProperties {
    /** The schema holding the ledger's tables: a lower-case SQL identifier. */
    private String schema = "ledger";

    /**
     * Whether to run the ledger's migrations when the context starts. Off by default: migrate from your deployment with
     * a role that may create objects, and run the application as a role that may not (see the README).
     */
    private boolean migrateOnStart = false;

    private final Summarizer summarizer = new Summarizer();

    private final Retry retry = new Retry();
    private final Coalescing coalescing = new Coalescing();

    public String getSchema() {
        return schema;
    }

    public void setSchema(String schema) {
        this.schema = schema;
    }

    public boolean isMigrateOnStart() {
        return migrateOnStart;
    }

    public void setMigrateOnStart(boolean migrateOnStart) {
        this.migrateOnStart = migrateOnStart;
    }

    public Summarizer getSummarizer() {
        return summarizer;
    }

    public Retry getRetry() {
        return retry;
    }

    public Coalescing getCoalescing() {
        return coalescing;
    }

    /** How concurrent transfer calls are combined into batches (dev.ledger.core.Coalescing). */
    public static class Coalescing {
        /** Whether concurrent transfer calls are combined into batches (natural batching: no added wait). */
        private boolean enabled = true;

        /** The most requests in one batch (1 to 8192). */
        private int maxBatchSize = 512;

        /** The most batches written at once, each on its own connection (1 to 1024). */
        private int maxConcurrentBatches = 2;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxBatchSize() {
            return maxBatchSize;
        }

        public void setMaxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
        }

        public int getMaxConcurrentBatches() {
            return maxConcurrentBatches;
        }

        public void setMaxConcurrentBatches(int maxConcurrentBatches) {
            this.maxConcurrentBatches = maxConcurrentBatches;
        }
    }

    /** The balance summariser, run on the executor the starter schedules it on. */
    public static class Summarizer {
        /** Whether the starter schedules the summariser (off: run {@code store.summarize()} yourself). */
        private boolean enabled = true;

        /** Delay between two rounds. */
        private Duration interval = Duration.ofSeconds(1);

        /** How far behind the database clock a seal trails (1 ms to 1 hour). */
        private Duration sealLag = Duration.ofSeconds(1);

        /** How long one round waits for transactions older than its seal (1 ms to 1 hour). */
        private Duration waitLimit = Duration.ofSeconds(5);

        /** Summaries lagging more than this make the health indicator report DEGRADED. */
        private Duration maxLag = Duration.ofMinutes(1);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public Duration getSealLag() {
            return sealLag;
        }

        public void setSealLag(Duration sealLag) {
            this.sealLag = sealLag;
        }

        public Duration getWaitLimit() {
            return waitLimit;
        }

        public void setWaitLimit(Duration waitLimit) {
            this.waitLimit = waitLimit;
        }

        public Duration getMaxLag() {
            return maxLag;
        }

        public void setMaxLag(Duration maxLag) {
            this.maxLag = maxLag;
        }
    }

    /** The retry policy for debits that lose their index slot to a concurrent debit (RetryPolicy). */
    public static class Retry {
        /** Attempts in all, the first included. */
        private int maxAttempts = 64;

        /** Upper bound of the first backoff (full jitter). */
        private Duration initialBackoff = Duration.ofMillis(1);

        /** Upper bound of any backoff. */
        private Duration maxBackoff = Duration.ofMillis(50);

        /** Growth of the backoff bound per retry. */
        private double multiplier = 2.0;

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        public double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }
    }
}
