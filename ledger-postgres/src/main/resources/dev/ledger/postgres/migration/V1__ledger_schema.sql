-- The ledger schema, version 1.
--
-- Runs in the schema named by the store's configuration (Flyway's default schema, ${flyway:defaultSchema});
-- every function pins its search_path to it, so callers' search_path settings cannot redirect a name.
--
-- What the database enforces on its own, whatever the client (see docs/design.md):
--   * accounts: valid id and currency; never updated, deleted or truncated;
--   * transfers: amount > 0; source <> destination; both accounts exist; currencies match; the source's
--     indices run 0, 1, 2, ... without gap or duplicate; source_debits is the source's cumulative debits;
--     a non-issuer source's balance as of the transfer covers it; cumulative debits and credits fit in
--     bigint; transfer ids are unique; recorded transfers are never updated, deleted or truncated.
-- The guard triggers are ENABLE ALWAYS, so session_replication_role = replica does not skip them.
--
-- Error codes raised by the guards (SQLSTATE, constraint name):
--   23503 transfer_source_exists, transfer_destination_exists
--   23514 transfer_currency_matches, transfer_index_contiguous, transfer_debits_cumulative,
--         transfer_time_monotonic, transfer_funds_sufficient, transfer_credits_in_range
--   LG001 (custom) history is immutable

CREATE TABLE account (
    id        text        NOT NULL,
    currency  text        NOT NULL,
    issuer    boolean     NOT NULL,
    opened_at timestamptz NOT NULL,
    CONSTRAINT account_pkey PRIMARY KEY (id),
    CONSTRAINT account_id_valid CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$'),
    CONSTRAINT account_currency_valid CHECK (currency ~ '^[A-Z][A-Z0-9_]{2,15}$')
);

COMMENT ON TABLE account IS 'Ledger accounts. Immutable: never updated or deleted.';

CREATE TABLE transfer (
    source        text        NOT NULL,
    source_index  bigint      NOT NULL,
    id            uuid        NOT NULL,
    destination   text        NOT NULL,
    amount        bigint      NOT NULL,
    currency      text        NOT NULL,
    recorded_at   timestamptz NOT NULL,
    reference     text,
    -- The source's cumulative debits including this transfer: the newest row of a source gives its debits
    -- without reading its history.
    source_debits bigint      NOT NULL,
    -- The inserting transaction (the guard overwrites any value a client gives): lets balance summaries use a
    -- transaction horizon (everything below pg_snapshot_xmin has finished) instead of a clock.
    created_xid   xid8        NOT NULL DEFAULT pg_current_xact_id(),
    CONSTRAINT transfer_pkey PRIMARY KEY (source, source_index),
    CONSTRAINT transfer_id_key UNIQUE (id),
    CONSTRAINT transfer_index_nonnegative CHECK (source_index >= 0),
    CONSTRAINT transfer_amount_positive CHECK (amount > 0),
    CONSTRAINT transfer_distinct_accounts CHECK (source <> destination),
    CONSTRAINT transfer_debits_cover_amount CHECK (source_debits >= amount),
    CONSTRAINT transfer_reference_valid CHECK (char_length(reference) <= 256)
);

COMMENT ON TABLE transfer IS 'Recorded transfers. Insert-only: never updated or deleted.';

-- Credits of an account, in time order (balances, statements).
CREATE INDEX transfer_destination_time_idx ON transfer (destination, recorded_at, id) INCLUDE (amount);
-- Debits of an account in time order (balances as of an instant, statements).
CREATE INDEX transfer_source_time_idx ON transfer (source, recorded_at, id) INCLUDE (source_debits);

-- Accounts and transfers are history: refuse any change to them.
CREATE FUNCTION refuse_history_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = ${flyway:defaultSchema}, pg_catalog
AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'LG001',
        MESSAGE = format('ledger history is immutable: %s on %s.%s refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME);
END
$$;

CREATE TRIGGER account_immutable BEFORE UPDATE OR DELETE ON account
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER account_no_truncate BEFORE TRUNCATE ON account
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER transfer_immutable BEFORE UPDATE OR DELETE ON transfer
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER transfer_no_truncate BEFORE TRUNCATE ON transfer
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();

-- Every new transfer must keep the ledger valid. Reads committed data only, with no row locks: two debits
-- of one source meet on the primary key (source, source_index), where one of them fails with 23505.
CREATE FUNCTION guard_transfer() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = ${flyway:defaultSchema}, pg_catalog
AS $$
DECLARE
    src          account;
    dst          account;
    prev_debits  bigint := 0;
    prev_at      timestamptz;
    credits      numeric;
BEGIN
    NEW.created_xid := pg_current_xact_id();

    SELECT * INTO src FROM account WHERE id = NEW.source;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = '23503', CONSTRAINT = 'transfer_source_exists',
            MESSAGE = format('source account %s does not exist', NEW.source);
    END IF;
    SELECT * INTO dst FROM account WHERE id = NEW.destination;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = '23503', CONSTRAINT = 'transfer_destination_exists',
            MESSAGE = format('destination account %s does not exist', NEW.destination);
    END IF;
    IF src.currency <> NEW.currency OR dst.currency <> NEW.currency THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'transfer_currency_matches',
            MESSAGE = format('transfer in %s from %s (%s) to %s (%s)',
                             NEW.currency, src.id, src.currency, dst.id, dst.currency);
    END IF;

    IF NEW.source_index > 0 THEN
        SELECT t.source_debits, t.recorded_at INTO prev_debits, prev_at
          FROM transfer t WHERE t.source = NEW.source AND t.source_index = NEW.source_index - 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'transfer_index_contiguous',
                MESSAGE = format('index %s of source %s leaves a gap: index %s is not recorded',
                                 NEW.source_index, NEW.source, NEW.source_index - 1);
        END IF;
    END IF;
    IF NEW.source_debits::numeric <> prev_debits::numeric + NEW.amount THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'transfer_debits_cumulative',
            MESSAGE = format('source_debits %s of %s index %s is not %s + %s',
                             NEW.source_debits, NEW.source, NEW.source_index, prev_debits, NEW.amount);
    END IF;
    IF NEW.recorded_at < prev_at THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'transfer_time_monotonic',
            MESSAGE = format('recorded_at %s of %s index %s is before %s, the time of index %s',
                             NEW.recorded_at, NEW.source, NEW.source_index, prev_at, NEW.source_index - 1);
    END IF;

    -- Funds: the source's balance as of this transfer's time, this transfer included, must not be negative.
    IF NOT src.issuer THEN
        SELECT coalesce(sum(t.amount), 0) INTO credits
          FROM transfer t WHERE t.destination = NEW.source AND t.recorded_at <= NEW.recorded_at;
        IF credits < NEW.source_debits THEN
            RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'transfer_funds_sufficient',
                MESSAGE = format('account %s has balance %s, less than the amount %s',
                                 NEW.source, credits - (NEW.source_debits - NEW.amount), NEW.amount);
        END IF;
    END IF;

    -- The destination's cumulative credits must stay within bigint, so every balance does.
    SELECT coalesce(sum(t.amount), 0) INTO credits FROM transfer t WHERE t.destination = NEW.destination;
    IF credits + NEW.amount > 9223372036854775807 THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'transfer_credits_in_range',
            MESSAGE = format('cumulative credits of %s are %s; adding %s overflows', NEW.destination, credits, NEW.amount);
    END IF;

    RETURN NEW;
END
$$;

CREATE TRIGGER transfer_guard BEFORE INSERT ON transfer
    FOR EACH ROW EXECUTE FUNCTION guard_transfer();

ALTER TABLE account ENABLE ALWAYS TRIGGER account_immutable;
ALTER TABLE account ENABLE ALWAYS TRIGGER account_no_truncate;
ALTER TABLE transfer ENABLE ALWAYS TRIGGER transfer_immutable;
ALTER TABLE transfer ENABLE ALWAYS TRIGGER transfer_no_truncate;
ALTER TABLE transfer ENABLE ALWAYS TRIGGER transfer_guard;
