-- The ledger schema: tables, constraints and indexes. Functions and triggers are defined once each, in the
-- repeatable migrations R__*.sql beside this file (Flyway applies them after the versioned ones, in name order,
-- and again whenever one of them changes).
--
-- Runs in the schema named by the store's configuration (Flyway's default schema, ${flyway:defaultSchema}).
--
-- The privilege model (docs/design.md, "Who may write"): the application role may SELECT and EXECUTE the
-- ledger's write functions (R__4_writes.sql, R__5_summarizer.sql), never INSERT, UPDATE, DELETE or TRUNCATE a
-- table. The functions are SECURITY DEFINER, owned by the schema owner, and are the only writers: they evaluate
-- every rule once and write the rows.
--   * accounts: valid id and currency; dated no later than the database clock plus setting.max_clock_skew;
--     issuers opened only through open_issuer, a privilege of its own;
--   * transfers: amount > 0; source <> destination; both accounts exist; currencies match; the source's
--     indices run 0, 1, 2, ... without gap or duplicate; source_debits is the source's cumulative debits;
--     the credits a non-issuer source received strictly before the transfer cover its cumulative debits;
--     cumulative debits and credits fit in bigint; dated after the newest seal and no later than the database
--     clock plus the allowed skew; transfer ids are unique;
--   * credit rows: one per transfer, its copy keyed by the destination, written with it by append_transfers;
--   * seals, their horizons and credit checkpoints: written only by summarizer_step, which computes them;
--   * history is never updated, deleted or truncated, by anyone: the triggers of R__9_triggers.sql (ENABLE
--     ALWAYS, so session_replication_role = replica does not skip them) raise LG001, even for the owner.
-- The CHECK constraints below hold for every row, whoever writes it (the owner included).

-- Text keys compare byte-wise (COLLATE "C"): ids are ASCII, their order is the same on every server whatever its
-- locale (and the same as Java's String order, the in-memory store's), and comparisons in the indexes that every
-- transfer searches and extends are a memcmp instead of a locale-aware strcoll.
CREATE TABLE account (
    id        text        COLLATE "C" NOT NULL,
    currency  text        COLLATE "C" NOT NULL,
    issuer    boolean     NOT NULL,
    opened_at timestamptz NOT NULL,
    -- The least balance the account may have: 0 for an ordinary account, negative with an overdraft line; NULL for
    -- an issuer (an issuer is the account with no lower limit).
    lower_limit bigint,
    -- The most balance the account may have (credits beyond it are refused); NULL: none. Only ordinary accounts.
    upper_limit bigint,
    CONSTRAINT account_pkey PRIMARY KEY (id),
    CONSTRAINT account_upper_limit_valid CHECK (upper_limit IS NULL OR (NOT issuer AND upper_limit >= 0
                                                                        AND upper_limit < 9223372036854775807)),
    CONSTRAINT account_lower_limit_valid CHECK (CASE WHEN issuer THEN lower_limit IS NULL
                                                     ELSE lower_limit IS NOT NULL AND lower_limit <= 0
                                                          AND lower_limit > -9223372036854775808 END),
    CONSTRAINT account_id_valid CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$'),
    CONSTRAINT account_currency_valid CHECK (currency ~ '^[A-Z][A-Z0-9_]{2,15}$')
);

COMMENT ON TABLE account IS 'Ledger accounts. Immutable: never updated or deleted.';

-- The accounts with an upper limit, which append_transfers locks when they are credited: finding them among a
-- batch's destinations reads this (usually empty) index, not the accounts.
CREATE INDEX account_capped_idx ON account (id) WHERE upper_limit IS NOT NULL;

CREATE TABLE transfer (
    source        text        COLLATE "C" NOT NULL,
    source_index  bigint      NOT NULL,
    id            uuid        NOT NULL,
    destination   text        COLLATE "C" NOT NULL,
    amount        bigint      NOT NULL,
    currency      text        COLLATE "C" NOT NULL,
    recorded_at   timestamptz NOT NULL,
    reference     text,
    -- The source's cumulative debits including this transfer: the newest row of a source gives its debits
    -- without reading its history.
    source_debits bigint      NOT NULL,
    -- The caller's key-value pairs, a JSON object of strings (NULL when there are none), checked by
    -- append_transfers (metadata_problem in R__2_hashing.sql) and covered by chain_hash.
    metadata      jsonb,
    -- Two-phase transfers (docs/design.md, "Pending transfers"): 0 immediate, 1 pending (a hold: amount is held,
    -- not debited; void from expires_at on, if unresolved), 2 post (amount, at most the pending's, is debited) and
    -- 3 void (amount is the pending's) of the pending transfer pending_id, a row of the same source.
    kind          smallint    NOT NULL DEFAULT 0,
    pending_id    uuid,
    expires_at    timestamptz,
    -- The source's pending debits just after this row, as of its recorded_at: its holds neither resolved nor
    -- expired then. A balance as of T subtracts the holds expiring in (recorded_at, T] from the newest row's.
    source_held   bigint      NOT NULL DEFAULT 0,
    -- The inserting transaction: lets balance summaries use a transaction horizon instead of a clock.
    created_xid   xid8        NOT NULL DEFAULT pg_current_xact_id(),
    -- Tamper evidence: sha256(chain_hash of the source's previous index || transfer_content(this row)), computed
    -- by append_transfers (docs/design.md, "Hash chains"). Empty by default, so that a row the owner inserts by
    -- hand still goes in (tests forge rows this way); verify() reports such a row as HASH_MISMATCH.
    chain_hash    bytea       NOT NULL DEFAULT '\x'::bytea,
    CONSTRAINT transfer_pkey PRIMARY KEY (source, source_index),
    CONSTRAINT transfer_id_key UNIQUE (id),
    CONSTRAINT transfer_index_nonnegative CHECK (source_index >= 0),
    CONSTRAINT transfer_amount_positive CHECK (amount > 0),
    CONSTRAINT transfer_distinct_accounts CHECK (source <> destination),
    CONSTRAINT transfer_debits_cover_amount CHECK (kind IN (1, 3) OR source_debits >= amount),
    CONSTRAINT transfer_kind_valid CHECK (kind BETWEEN 0 AND 3 AND (kind IN (2, 3)) = (pending_id IS NOT NULL)
                                          AND (expires_at IS NULL OR (kind = 1 AND expires_at > recorded_at))),
    CONSTRAINT transfer_held_nonnegative CHECK (source_held >= 0),
    CONSTRAINT transfer_reference_valid CHECK (char_length(reference) <= 256)
);

COMMENT ON TABLE transfer IS 'Recorded transfers. Insert-only: never updated or deleted.';

-- Debits of an account in time order (balances as of an instant, statements).
CREATE INDEX transfer_source_time_idx ON transfer (source, recorded_at, id) INCLUDE (source_debits, source_held);
-- A pending transfer is resolved at most once: its post or void is a row of its source, unique per pending id.
CREATE UNIQUE INDEX transfer_resolution_key ON transfer (source, pending_id) WHERE pending_id IS NOT NULL;
-- The holds of a source by expiry, for the holds expiring between a row and a later instant.
CREATE INDEX transfer_hold_expiry_idx ON transfer (source, expires_at) INCLUDE (amount)
    WHERE kind = 1 AND expires_at IS NOT NULL;
-- Every query of the ledger reads a few index entries of one account. With a bound unknown at planning time the
-- planner can estimate a large share of a busy account's rows and start parallel workers, which cost
-- milliseconds to launch: no parallel scans of this table (nor of credit, below).
ALTER TABLE transfer SET (parallel_workers = 0);

-- The credit side: one row per transfer, keyed by its destination, written by append_transfers in the same
-- statement-pair as the transfer row. Everything an account's balance, funds check, as-of read or statement
-- reads is then a row keyed by that account: its debits in transfer (by source), its credits here (by
-- destination), its checkpoints in credit_checkpoint. A distributed PostgreSQL (Citus) can co-locate all three
-- by account, so that those reads stay on one shard (docs/design.md, "The credit side"). A copy of the transfer's
-- fields that a statement line shows; verify() checks that each transfer has exactly one credit row, equal to it
-- (CREDIT_MISMATCH).
CREATE TABLE credit (
    account       text        COLLATE "C" NOT NULL,
    recorded_at   timestamptz NOT NULL,
    id            uuid        NOT NULL,
    amount        bigint      NOT NULL,
    source        text        COLLATE "C" NOT NULL,
    source_index  bigint      NOT NULL,
    currency      text        COLLATE "C" NOT NULL,
    reference     text,
    metadata      jsonb,
    -- The transfer's kind, pending id and expiry (a pending transfer's row is a pending credit, not a credit); for a
    -- post or void, released is the amount of the pending transfer it resolves (the pending credit it ends).
    kind          smallint    NOT NULL DEFAULT 0,
    pending_id    uuid,
    expires_at    timestamptz,
    released      bigint,
    -- Credits of an account in time order, their amounts in the index (index-only sums).
    CONSTRAINT credit_pkey PRIMARY KEY (account, recorded_at, id) INCLUDE (amount, kind, released),
    CONSTRAINT credit_amount_positive CHECK (amount > 0)
);

COMMENT ON TABLE credit IS 'The credit side of each transfer, keyed by its destination. Insert-only.';

-- A destination's pending credits by expiry, and its resolutions by pending id (pending_credits_through).
CREATE INDEX credit_hold_expiry_idx ON credit (account, expires_at) INCLUDE (amount)
    WHERE kind = 1 AND expires_at IS NOT NULL;
CREATE INDEX credit_resolution_idx ON credit (account, pending_id) WHERE pending_id IS NOT NULL;

-- The summariser reads the credits of one seal interval; rows arrive in time order, so a BRIN index is enough
-- and costs writers almost nothing. It indexes an expression only the summariser uses: on recorded_at itself the
-- planner also chose it for an account's credits after a checkpoint (a bound it cannot see when planning),
-- reading whole block ranges of other accounts' rows (5 ms instead of 0.2 ms at 1M transfers of history).
CREATE INDEX credit_recorded_since_epoch_brin ON credit
    USING brin ((recorded_at - '1970-01-01 00:00:00+00'::timestamptz));
ALTER TABLE credit SET (parallel_workers = 0);

-- Balances whose cost does not grow with history. Debits are history-independent through source_debits.
-- Credits are summarised by immutable checkpoints. A seal is a point in time at or before which no further
-- transfer may be recorded (append_transfers dates every transfer after it; the library dates new transfers after the newest seal). Once
-- every transaction that could have missed the seal has ended, the credits recorded at or before it are final,
-- and the summariser writes, for each account credited since the previous seal, its cumulative credits through
-- the seal. Then
--     credits(account, as of T) = checkpoint(newest with through <= T) + credits recorded in (through, T]
-- where the second term only spans the time since that checkpoint. Nothing is ever updated: the transfer path
-- stays insert-only and takes no row locks.
CREATE TABLE seal (
    seq            bigint      GENERATED ALWAYS AS IDENTITY,
    sealed_through timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT statement_timestamp(),
    CONSTRAINT seal_pkey PRIMARY KEY (seq),
    CONSTRAINT seal_through_key UNIQUE (sealed_through)
);

COMMENT ON TABLE seal IS 'Points in time at or before which no transfer may be recorded any more. Insert-only.';

-- The horizon of a seal: a transaction id assigned after the seal committed (by summarizer_step, in a later
-- transaction). Checkpoints through the seal are written once no transaction with a smaller id is running: every
-- writer that could have read the seals before this one committed has ended by then.
CREATE TABLE seal_horizon (
    seq     bigint NOT NULL,
    horizon xid8   NOT NULL,
    CONSTRAINT seal_horizon_pkey PRIMARY KEY (seq),
    CONSTRAINT seal_horizon_seal_fkey FOREIGN KEY (seq) REFERENCES seal (seq)
);

-- A seal is summarised once its checkpoints are written, in the same transaction as this row.
CREATE TABLE seal_summarized (
    seq           bigint      NOT NULL,
    summarized_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    CONSTRAINT seal_summarized_pkey PRIMARY KEY (seq),
    CONSTRAINT seal_summarized_seal_fkey FOREIGN KEY (seq) REFERENCES seal (seq)
);

CREATE TABLE credit_checkpoint (
    account  text        COLLATE "C" NOT NULL,
    through  timestamptz NOT NULL,
    credits  bigint      NOT NULL,
    -- The account's pending credits as of "through": pending transfers to it neither resolved nor expired then.
    pending  bigint      NOT NULL DEFAULT 0,
    CONSTRAINT credit_checkpoint_pkey PRIMARY KEY (account, through),
    CONSTRAINT credit_checkpoint_credits_nonnegative CHECK (credits >= 0 AND pending >= 0)
);

COMMENT ON TABLE credit_checkpoint IS
    'Cumulative credits of an account over the transfers recorded at or before "through". Insert-only.';

CREATE TABLE setting (
    singleton      boolean  NOT NULL DEFAULT true,
    max_clock_skew interval NOT NULL DEFAULT interval '1 minute',
    CONSTRAINT setting_pkey PRIMARY KEY (singleton),
    CONSTRAINT setting_singleton CHECK (singleton),
    CONSTRAINT setting_max_clock_skew_nonnegative CHECK (max_clock_skew >= interval '0')
);

COMMENT ON TABLE setting IS
    'The ledger''s settings, one row, changed only by the schema owner: max_clock_skew bounds how far ahead of the'
    ' database clock a transfer or account may be dated.';

INSERT INTO setting DEFAULT VALUES;
