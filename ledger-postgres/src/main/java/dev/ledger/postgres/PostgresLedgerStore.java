package dev.ledger.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import dev.ledger.core.Account;
import dev.ledger.core.AccountId;
import dev.ledger.core.Balances;
import dev.ledger.core.BatchMode;
import dev.ledger.core.ChainHead;
import dev.ledger.core.Coalescing;
import dev.ledger.core.LedgerUnavailableException;
import dev.ledger.core.StatementPage;
import dev.ledger.core.StatementQuery;
import dev.ledger.core.Transfer;
import dev.ledger.core.VerificationReport;
import dev.ledger.core.spi.AppendResult;
import dev.ledger.core.spi.LedgerStore;
import dev.ledger.core.spi.OpenResult;
import dev.ledger.core.spi.TransferDraft;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The production {@link LedgerStore}: the ledger in PostgreSQL (13 or later).
 *
 * <p>Each transfer attempt is one SQL statement in one round trip: it reads the source's newest transfer (its next
 * index and cumulative debits) and inserts at the next index, all from one snapshot. Two concurrent debits of one
 * account meet on the primary key {@code (source, source_index)}: one commits, the other gets a unique violation that
 * the {@code Ledger} retries. No row is ever locked or updated, so no deadlock cycle can form. The database enforces
 * every rule itself (constraints and {@code ENABLE ALWAYS} triggers), so a client that bypasses this library cannot
 * overdraw an account, leave a gap in a source's indices or rewrite history.
 *
 * <p>Build one from your own {@link DataSource} (the store creates no pool and does not close yours) or from a JDBC URL
 * (the store creates and owns a HikariCP pool):
 *
 * <pre>{@code
 * PostgresLedgerStore store = PostgresLedgerStore.builder()
 *     .jdbcUrl("jdbc:postgresql://localhost:5432/app")
 *     .username("ledger_app").password(secret)
 *     .build();
 * }</pre>
 *
 * The schema (default {@code ledger}) is created by Flyway migrations shipped in this jar: call {@link #migrate()} from
 * your deployment step, or set {@link Builder#migrateOnStart(boolean)}.
 *
 * <p>Thread-safe. {@link #close()} closes the pool if the store created it.
 */
public final class PostgresLedgerStore implements LedgerStore {
    /** The schema used unless configured otherwise. */
    public static final String DEFAULT_SCHEMA = "ledger";

    private static final System.Logger LOG = System.getLogger(PostgresLedgerStore.class.getName());

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final DataSource dataSource;
    private final @Nullable HikariDataSource ownedPool;
    private final String schema;
    private final TransferStatements statements;
    private final BalanceSummarizer summarizer;
    private final @Nullable ScheduledExecutorService scheduler;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean distributed;

    private PostgresLedgerStore(DataSource dataSource, @Nullable HikariDataSource ownedPool, Builder config) {
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.schema = config.schema;
        this.distributed = config.distributed;
        this.statements = new TransferStatements(dataSource, schema);
        this.summarizer = new BalanceSummarizer(
                dataSource,
                schema,
                config.sealLag,
                config.summaryWaitLimit,
                config.checkpointAfter,
                config.summarizerListener);
        if (config.summarizeEvery.isZero()) {
            this.scheduler = null;
        } else {
            this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ledger-summarizer-" + schema);
                t.setDaemon(true);
                return t;
            });
            long every = config.summarizeEvery.toMillis();
            scheduler.scheduleWithFixedDelay(this::summarizeInBackground, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private void summarizeInBackground() {
        try {
            summarizer.runOnce();
        } catch (RuntimeException e) {
            // The next round retries; a failing round never affects writers.
            LOG.log(
                    System.Logger.Level.WARNING,
                    "ledger balance summariser round failed (will retry): {0}",
                    e.getMessage());
        }
    }

    /**
     * Runs one round of the balance summariser now, in the calling thread: seals the ledger through {@code now -
     * sealLag}, waits for transactions older than the seal to end, and writes credit checkpoints. Safe to call
     * concurrently with writers, with the background summariser and from other processes. Use it when you disabled the
     * background summariser ({@code summarizeEvery(Duration.ZERO)}) to run it on your own schedule.
     *
     * @return the number of checkpoints written; 0 when there was nothing to do or another round was running
     */
    public int summarize() {
        return summarizer.runOnce();
    }

    /**
     * How far the balance summaries reach: transfers recorded at or before this instant are summarised, and the
     * balances of accounts as of instants up to it are final. Empty before the first summary.
     */
    public Optional<Instant> summarizedThrough() {
        return summarizer.summarizedThrough();
    }

    /**
     * How far the balance summaries trail the database: the database's clock minus {@link #summarizedThrough()} (one
     * query). Empty before the first summary. While transfers are recorded it stays near {@code sealLag +
     * summarizeEvery}; it also grows while none is recorded (no seal is written then). A {@link SummarizerListener}
     * receives it after every round without extra calls.
     */
    public Optional<Duration> summarizerLag() {
        return summarizer.lag();
    }

    /**
     * Checks that every migration of this library, versioned and repeatable, is applied to the schema (as
     * {@code build()} does): for health checks of a running application.
     *
     * @throws IllegalStateException when a migration is missing, outdated or from a newer library (the message says
     *     what to do)
     * @throws LedgerUnavailableException when the database cannot be read
     */
    public void requireSchemaCurrent() {
        Migrations.requireCurrent(dataSource, schema);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The schema this store uses. */
    public String schema() {
        return schema;
    }

    /**
     * Creates or upgrades the ledger schema with the migrations shipped in this jar. Idempotent and safe to run from
     * several processes at once (Flyway takes an advisory lock). Needs a role allowed to create objects in the schema;
     * the application role at run time needs only SELECT and INSERT (see the README).
     *
     * @return the number of migrations applied
     */
    public int migrate() {
        return Migrations.migrate(dataSource, schema, distributed);
    }

    /**
     * Creates or upgrades the ledger schema {@code schema} through {@code dataSource}, without building a store: for a
     * deployment step that runs as the schema owner while the application connects as a less privileged role.
     *
     * @return the number of migrations applied
     * @throws IllegalArgumentException if {@code schema} is not a valid schema name
     */
    public static int migrate(DataSource dataSource, String schema) {
        return migrate(dataSource, schema, false);
    }

    /**
     * As {@link #migrate(DataSource, String)}; with {@code distributed}, also distributes the schema's tables by
     * account across the Citus cluster {@code dataSource} connects to (its coordinator), as
     * {@link Builder#distributed(boolean)} does. A schema once distributed stays so: later migrations keep it
     * distributed whatever this flag says.
     *
     * @return the number of migrations applied
     * @throws IllegalArgumentException if {@code schema} is not a valid schema name
     */
    public static int migrate(DataSource dataSource, String schema, boolean distributed) {
        Objects.requireNonNull(dataSource, "dataSource");
        builder().schema(schema); // validates the name
        return Migrations.migrate(dataSource, schema, distributed);
    }

    @Override
    public OpenResult open(Account account, @Nullable TransferDraft funding) {
        return statements.open(account, funding);
    }

    @Override
    public AppendResult append(TransferDraft draft) {
        return statements.append(draft);
    }

    /** Natural batching: a batch is one round trip and one commit for all its transfers. */
    @Override
    public Coalescing defaultCoalescing() {
        return Coalescing.natural();
    }

    @Override
    public List<AppendResult> appendBatch(List<TransferDraft> drafts, BatchMode mode) {
        return statements.appendBatch(drafts, mode);
    }

    @Override
    public Optional<Account> findAccount(AccountId id) {
        return statements.findAccount(id);
    }

    @Override
    public Optional<Transfer> findTransfer(UUID id) {
        return statements.findTransfer(id);
    }

    @Override
    public OptionalLong balance(AccountId id, @Nullable Instant asOf) {
        return statements.balance(id, asOf);
    }

    @Override
    public Optional<Balances> balances(AccountId id, @Nullable Instant asOf, Instant now) {
        return statements.balances(id, asOf, now);
    }

    @Override
    public StatementPage statement(StatementQuery query, Instant now) {
        return statements.statement(query, now);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Reads one {@code REPEATABLE READ} snapshot on one connection, streaming the transfers in primary-key order;
     * needs only SELECT.
     */
    @Override
    public VerificationReport verify(Collection<ChainHead> trustedHeads) {
        return PostgresVerifier.verify(dataSource, schema, trustedHeads).report();
    }

    /**
     * {@link #verify(Collection)} and the chain heads seen by the same pass: one snapshot, so that heads exported for a
     * later verification are those of the transfers this one checked ({@code ledger-cli}'s {@code --export-heads}).
     *
     * @param trustedHeads heads exported earlier, each checked to be still recorded with the same hash
     * @return the report, and the newest head of every source in the snapshot
     * @throws LedgerUnavailableException if the database cannot be read
     */
    public Verification verifyWithHeads(Collection<ChainHead> trustedHeads) {
        PostgresVerifier.Result result = PostgresVerifier.verify(dataSource, schema, trustedHeads);
        return new Verification(result.report(), result.heads());
    }

    /**
     * What {@link #verifyWithHeads} found.
     *
     * @param report the verification's report
     * @param heads the newest chain head of every source, as seen by the same snapshot
     */
    public record Verification(VerificationReport report, List<ChainHead> heads) {
        /** Copies {@code heads}. */
        public Verification {
            Objects.requireNonNull(report, "report");
            heads = List.copyOf(heads);
        }
    }

    @Override
    public List<ChainHead> chainHeads() {
        return PostgresVerifier.chainHeads(dataSource, schema);
    }

    /** Closes the connection pool if this store created it; a DataSource you passed in stays open. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    @Override
    public String toString() {
        return "PostgresLedgerStore[schema=" + schema + ", pool="
                + (ownedPool != null ? ownedPool.getPoolName() : "external") + "]";
    }

    /**
     * Configures a {@link PostgresLedgerStore}. Give either {@link #dataSource} or {@link #jdbcUrl}, not both. Every
     * setter rejects a bad value at once with {@link IllegalArgumentException}; nothing is adjusted silently. Not
     * thread-safe.
     */
    public static final class Builder {
        private @Nullable DataSource dataSource;
        private @Nullable String jdbcUrl;
        private @Nullable String username;
        private @Nullable String password;
        private int maximumPoolSize = 10;
        private Duration connectionTimeout = Duration.ofSeconds(5);
        private Duration socketTimeout = Duration.ofSeconds(30);
        private boolean poolConfigured;
        private String schema = DEFAULT_SCHEMA;
        private boolean migrateOnStart;
        private boolean distributed;
        private Duration summarizeEvery = Duration.ofSeconds(1);
        private Duration sealLag = Duration.ofSeconds(1);
        private Duration summaryWaitLimit = Duration.ofSeconds(5);
        private int checkpointAfter = BalanceSummarizer.CHECKPOINT_AFTER;
        private SummarizerListener summarizerListener = SummarizerListener.none();
        private @Nullable MetricsTrackerFactory metricsTrackerFactory;

        private Builder() {}

        /**
         * Use this DataSource (typically your application's pool); the store will not close it. Its connections must be
         * in auto-commit mode at READ COMMITTED (the defaults): {@link #build()} refuses others.
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** Create a HikariCP pool for this URL ({@code jdbc:postgresql://...}); the store owns and closes it. */
        public Builder jdbcUrl(String jdbcUrl) {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            require(
                    jdbcUrl.startsWith("jdbc:postgresql:"),
                    "jdbcUrl must start with jdbc:postgresql:, got " + redact(jdbcUrl));
            this.jdbcUrl = jdbcUrl;
            return this;
        }

        /** The user for {@link #jdbcUrl}; default: the URL's or the driver's default. */
        public Builder username(String username) {
            this.username = Objects.requireNonNull(username, "username");
            return this;
        }

        /** The password for {@link #jdbcUrl}. */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** Connections in the created pool, 1 to 1000; default 10. Only with {@link #jdbcUrl}. */
        public Builder maximumPoolSize(int maximumPoolSize) {
            require(
                    maximumPoolSize >= 1 && maximumPoolSize <= 1000,
                    "maximumPoolSize must be between 1 and 1000, got " + maximumPoolSize);
            this.maximumPoolSize = maximumPoolSize;
            this.poolConfigured = true;
            return this;
        }

        /**
         * How long a call waits for a pooled connection before failing with {@code STORE_UNAVAILABLE}: 250 ms to 10
         * minutes; default 5 s. Only with {@link #jdbcUrl}.
         */
        public Builder connectionTimeout(Duration connectionTimeout) {
            this.connectionTimeout =
                    between("connectionTimeout", connectionTimeout, Duration.ofMillis(250), Duration.ofMinutes(10));
            this.poolConfigured = true;
            return this;
        }

        /**
         * How long a call waits for the server to answer before the connection is dropped (pgjdbc's
         * {@code socketTimeout}): 1 s to 1 hour; default 30 s. Bounds a call on a frozen network; a write cut off this
         * way fails with {@code OUTCOME_UNKNOWN} (retry with the same id). Only with {@link #jdbcUrl}.
         */
        public Builder socketTimeout(Duration socketTimeout) {
            this.socketTimeout = between("socketTimeout", socketTimeout, Duration.ofSeconds(1), Duration.ofHours(1));
            this.poolConfigured = true;
            return this;
        }

        /** The schema holding the ledger's tables: a lower-case SQL identifier; default {@value #DEFAULT_SCHEMA}. */
        public Builder schema(String schema) {
            Objects.requireNonNull(schema, "schema");
            require(
                    IDENTIFIER.matcher(schema).matches() && !schema.startsWith("pg_"),
                    "schema must match [a-z_][a-z0-9_]{0,62} and not start with pg_, got '" + schema + "'");
            this.schema = schema;
            return this;
        }

        /**
         * Whether {@link #migrate()} distributes the schema's tables by account across a Citus cluster, the database
         * being its coordinator; default false. The tables are co-located by account, so that an account's balance,
         * funds check, statement and as-of read each read one shard (docs/scaling.md). Needs the {@code citus}
         * extension in the database and a role that may distribute tables; the application calls the ledger through the
         * coordinator. The balance summariser runs there too (docs/scaling.md, "The summariser on Citus").
         */
        public Builder distributed(boolean distributed) {
            this.distributed = distributed;
            return this;
        }

        /** Whether {@link #build()} runs {@link #migrate()}; default false (run migrations from your deployment). */
        public Builder migrateOnStart(boolean migrateOnStart) {
            this.migrateOnStart = migrateOnStart;
            return this;
        }

        /**
         * How often the background summariser runs (see {@link PostgresLedgerStore#summarize()}): 10 ms to 1 hour, or
         * {@link Duration#ZERO} to run no background thread; default 1 s. Balance reads cost in proportion to the
         * transfers recorded since the account's last summary, so this bounds their cost.
         */
        public Builder summarizeEvery(Duration summarizeEvery) {
            Objects.requireNonNull(summarizeEvery, "summarizeEvery");
            this.summarizeEvery = summarizeEvery.isZero()
                    ? summarizeEvery
                    : between(
                            "summarizeEvery (or 0 for off)",
                            summarizeEvery,
                            Duration.ofMillis(10),
                            Duration.ofHours(1));
            return this;
        }

        /**
         * How far behind the database clock a seal trails: 1 ms to 1 hour; default 1 s. A transfer whose ledger clock
         * reading is at or before the newest seal is dated just after it instead, so keep the ledger clock within this
         * of the database clock.
         */
        public Builder sealLag(Duration sealLag) {
            this.sealLag = between("sealLag", sealLag, Duration.ofMillis(1), Duration.ofHours(1));
            return this;
        }

        /**
         * Test hook: the credit rows after an account's newest checkpoint from which a seal checkpoints it, 1 to
         * {@value BalanceSummarizer#MAX_CHECKPOINT_COUNT}; default {@link BalanceSummarizer#CHECKPOINT_AFTER}. 1
         * checkpoints every account credited since the previous seal. Checked here only, before anything runs; the
         * database refuses the same range.
         */
        Builder summaryCheckpointAfter(int credits) {
            require(
                    credits >= 1 && credits <= BalanceSummarizer.MAX_CHECKPOINT_COUNT,
                    "summaryCheckpointAfter must be between 1 and " + BalanceSummarizer.MAX_CHECKPOINT_COUNT + ", got "
                            + credits);
            this.checkpointAfter = credits;
            return this;
        }

        /**
         * How long one summariser round waits for transactions older than its seal before giving up until the next
         * round: 1 ms to 1 hour; default 5 s.
         */
        public Builder summaryWaitLimit(Duration summaryWaitLimit) {
            this.summaryWaitLimit =
                    between("summaryWaitLimit", summaryWaitLimit, Duration.ofMillis(1), Duration.ofHours(1));
            return this;
        }

        /**
         * Where the owned pool reports its metrics (HikariCP's own, e.g.
         * {@code com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory}, which tags them with the pool
         * name {@code ledger-<schema>}); default none. Only with {@link #jdbcUrl} (instrument your own pool yourself).
         */
        public Builder metricsTrackerFactory(MetricsTrackerFactory metricsTrackerFactory) {
            this.metricsTrackerFactory = Objects.requireNonNull(metricsTrackerFactory, "metricsTrackerFactory");
            this.poolConfigured = true;
            return this;
        }

        /**
         * Told of each balance summariser round and of the summaries' lag (see {@link SummarizerListener}); default
         * {@link SummarizerListener#none()}, which costs nothing. Exceptions it throws are ignored.
         */
        public Builder summarizerListener(SummarizerListener summarizerListener) {
            this.summarizerListener = Objects.requireNonNull(summarizerListener, "summarizerListener");
            return this;
        }

        /**
         * Builds the store: checks the driver version and connection settings (query mode, auto-commit, isolation
         * level), migrates if asked, and verifies that the schema is present.
         *
         * @throws IllegalStateException when the configuration is incomplete or contradictory, or the database is not
         *     usable by the ledger (the message says what to do)
         * @throws LedgerUnavailableException when the database cannot be reached
         */
        public PostgresLedgerStore build() {
            if ((dataSource == null) == (jdbcUrl == null)) {
                throw new IllegalStateException("give exactly one of dataSource(...) or jdbcUrl(...)");
            }
            if (dataSource != null && (username != null || password != null || poolConfigured)) {
                throw new IllegalStateException("username, password, maximumPoolSize, connectionTimeout, socketTimeout"
                        + " and metricsTrackerFactory configure the pool"
                        + " built for jdbcUrl(...); with your own dataSource(...), configure your pool instead");
            }
            Connections.requireSupportedDriver();
            HikariDataSource pool = null;
            DataSource ds = dataSource;
            if (ds == null) {
                String url = Objects.requireNonNull(jdbcUrl);
                Connections.rejectSimpleQueryMode(url);
                HikariConfig config = new HikariConfig();
                config.setJdbcUrl(url);
                if (username != null) {
                    config.setUsername(username);
                }
                if (password != null) {
                    config.setPassword(password);
                }
                config.setMaximumPoolSize(maximumPoolSize);
                config.setMinimumIdle(Math.min(2, maximumPoolSize));
                config.setConnectionTimeout(connectionTimeout.toMillis());
                // A URL's own socketTimeout parameter wins; otherwise bound every wait for the server.
                if (!url.toLowerCase(java.util.Locale.ROOT).contains("sockettimeout=")) {
                    config.addDataSourceProperty("socketTimeout", String.valueOf(socketTimeout.toSeconds()));
                }
                config.setPoolName("ledger-" + schema);
                config.setAutoCommit(true);
                if (metricsTrackerFactory != null) {
                    config.setMetricsTrackerFactory(metricsTrackerFactory);
                }
                // Fail at once (as STORE_UNAVAILABLE from build()) rather than leaving a pool that retries forever.
                config.setInitializationFailTimeout(connectionTimeout.toMillis());
                try {
                    pool = new HikariDataSource(config);
                } catch (RuntimeException e) {
                    throw new LedgerUnavailableException(
                            LedgerUnavailableException.Kind.STORE_UNAVAILABLE,
                            "cannot connect to " + redact(url) + ": " + e.getMessage(),
                            e);
                }
                ds = pool;
            }
            try {
                Connections.checkConnection(ds);
                if (migrateOnStart) {
                    Migrations.migrate(ds, schema, distributed);
                }
                Migrations.requireCurrent(ds, schema);
                return new PostgresLedgerStore(ds, pool, this);
            } catch (RuntimeException e) {
                if (pool != null) {
                    pool.close();
                }
                throw e;
            }
        }

        /** {@code value}, if within {@code [min, max]}; else the setting's name, its range and the value given. */
        private static Duration between(String name, Duration value, Duration min, Duration max) {
            Objects.requireNonNull(value, name);
            require(
                    value.compareTo(min) >= 0 && value.compareTo(max) <= 0,
                    name + " must be between " + min + " and " + max + ", got " + value);
            return value;
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }

        /** A JDBC URL without its query string, which may hold a password. */
        static String redact(String url) {
            int q = url.indexOf('?');
            return q < 0 ? url : url.substring(0, q) + "?...";
        }
    }
}
