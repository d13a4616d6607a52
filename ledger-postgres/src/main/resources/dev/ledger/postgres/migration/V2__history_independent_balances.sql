-- Version 2: balances whose cost does not grow with history.
--
-- Debits were already history-independent: each transfer row carries its source's cumulative debits, so the
-- newest row of a source (by index, or by time for "as of") gives them.
--
-- Credits are summarised by immutable checkpoints. A seal is a point in time at or before which no further
-- transfer may be recorded (the guard refuses it; the library dates new transfers after the newest seal). Once
-- every transaction that could have missed the seal has ended, the credits recorded at or before it are final,
-- and the summariser writes, for each account credited since the previous seal, one checkpoint row: its
-- cumulative credits through the seal. Then
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

-- A seal is summarised once its checkpoints are written, in the same transaction as this row.
CREATE TABLE seal_summarized (
    seq           bigint      NOT NULL,
    summarized_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    CONSTRAINT seal_summarized_pkey PRIMARY KEY (seq),
    CONSTRAINT seal_summarized_seal_fkey FOREIGN KEY (seq) REFERENCES seal (seq)
);

CREATE TABLE credit_checkpoint (
    account  text        NOT NULL,
    through  timestamptz NOT NULL,
    credits  bigint      NOT NULL,
    CONSTRAINT credit_checkpoint_pkey PRIMARY KEY (account, through),
    CONSTRAINT credit_checkpoint_credits_nonnegative CHECK (credits >= 0)
);

COMMENT ON TABLE credit_checkpoint IS
    'Cumulative credits of an account over the transfers recorded at or before "through". Insert-only.';

-- The summariser reads the transfers of one seal interval; rows arrive in time order, so a BRIN index is
-- enough and costs writers almost nothing.
CREATE INDEX transfer_recorded_at_brin ON transfer USING brin (recorded_at);

CREATE TRIGGER seal_immutable BEFORE UPDATE OR DELETE ON seal
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER seal_no_truncate BEFORE TRUNCATE ON seal
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER seal_summarized_immutable BEFORE UPDATE OR DELETE ON seal_summarized
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER seal_summarized_no_truncate BEFORE TRUNCATE ON seal_summarized
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER credit_checkpoint_immutable BEFORE UPDATE OR DELETE ON credit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER credit_checkpoint_no_truncate BEFORE TRUNCATE ON credit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
ALTER TABLE seal ENABLE ALWAYS TRIGGER seal_immutable;
ALTER TABLE seal ENABLE ALWAYS TRIGGER seal_no_truncate;
ALTER TABLE seal_summarized ENABLE ALWAYS TRIGGER seal_summarized_immutable;
ALTER TABLE seal_summarized ENABLE ALWAYS TRIGGER seal_summarized_no_truncate;
ALTER TABLE credit_checkpoint ENABLE ALWAYS TRIGGER credit_checkpoint_immutable;
ALTER TABLE credit_checkpoint ENABLE ALWAYS TRIGGER credit_checkpoint_no_truncate;

-- Cumulative credits of an account over the transfers recorded at or before t.
CREATE FUNCTION credits_as_of(acct text, t timestamptz) RETURNS numeric
    LANGUAGE sql STABLE
    SET search_path = ${flyway:defaultSchema}, pg_catalog
AS $$
    SELECT coalesce(cp.credits, 0)
         + coalesce((SELECT sum(x.amount) FROM transfer x
                      WHERE x.destination = acct AND x.recorded_at <= t
                        AND x.recorded_at > coalesce(cp.through, '-infinity')), 0)
      FROM (SELECT NULL) one
      LEFT JOIN LATERAL (SELECT c.credits, c.through FROM credit_checkpoint c
                          WHERE c.account = acct AND c.through <= t
                          ORDER BY c.through DESC LIMIT 1) cp ON true
$$;

-- Cumulative debits of an account over the transfers recorded at or before t (debits are dated in index order).
CREATE FUNCTION debits_as_of(acct text, t timestamptz) RETURNS bigint
    LANGUAGE sql STABLE
    SET search_path = ${flyway:defaultSchema}, pg_catalog
AS $$
    SELECT coalesce((SELECT x.source_debits FROM transfer x
                      WHERE x.source = acct AND x.recorded_at <= t
                      ORDER BY x.recorded_at DESC, x.source_debits DESC LIMIT 1), 0)
$$;

-- The balance of an account just after the statement line (t, id): over the transfers ordered before or at
-- (recorded_at, id) = (t, id). With id = 'ffffffff-ffff-ffff-ffff-ffffffffffff' it is the balance as of t.
CREATE FUNCTION balance_through(acct text, t timestamptz, line uuid) RETURNS numeric
    LANGUAGE sql STABLE
    SET search_path = ${flyway:defaultSchema}, pg_catalog
AS $$
    SELECT credits_as_of(acct, t)
         - coalesce((SELECT sum(x.amount) FROM transfer x
                      WHERE x.destination = acct AND x.recorded_at = t AND x.id > line), 0)
         - debits_as_of(acct, t)
         + coalesce((SELECT sum(x.amount) FROM transfer x
                      WHERE x.source = acct AND x.recorded_at = t AND x.id > line), 0)
$$;

-- The guard, now with history-independent checks and the seal.
CREATE OR REPLACE FUNCTION guard_transfer() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = ${flyway:defaultSchema}, pg_catalog
AS $$
DECLARE
    src          account;
    dst          account;
    prev_debits  bigint := 0;
    prev_at      timestamptz;
    sealed       timestamptz;
    credits      numeric;
BEGIN
    -- Take a transaction id before reading the seal: a summariser waits for every transaction that holds an
    -- id from before its seal was committed, so none can record behind a seal it did not see.
    NEW.created_xid := pg_current_xact_id();
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION USING ERRCODE = '25000', CONSTRAINT = 'transfer_read_committed',
            MESSAGE = format('transfers are recorded under READ COMMITTED, not %s',
                             current_setting('transaction_isolation'));
    END IF;
    SELECT max(s.sealed_through) INTO sealed FROM seal s;
    IF NEW.recorded_at <= sealed THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'transfer_after_seal',
            MESSAGE = format('recorded_at %s is not after the seal at %s', NEW.recorded_at, sealed);
    END IF;

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
        credits := credits_as_of(NEW.source, NEW.recorded_at);
        IF credits < NEW.source_debits THEN
            RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'transfer_funds_sufficient',
                MESSAGE = format('account %s has balance %s, less than the amount %s',
                                 NEW.source, credits - (NEW.source_debits - NEW.amount), NEW.amount);
        END IF;
    END IF;

    -- The destination's cumulative credits must stay within bigint, so every balance does.
    credits := credits_as_of(NEW.destination, 'infinity');
    IF credits + NEW.amount > 9223372036854775807 THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'transfer_credits_in_range',
            MESSAGE = format('cumulative credits of %s are %s; adding %s overflows', NEW.destination, credits, NEW.amount);
    END IF;

    RETURN NEW;
END
$$;
