-- Version 5: integrity fixes from an adversarial review (issue 9). Behaviour for honest clients is unchanged
-- except where stated.
--
-- 1. Name resolution. Every function and trigger of the schema names the schema's objects with the schema
--    qualified, and pins search_path = pg_catalog, <schema>, pg_temp. Unless pg_temp is listed, PostgreSQL
--    searches it FIRST for relations and types, so a session's temporary table named account, transfer or seal
--    shadowed the real one inside the guard (any role with TEMP on the database could overdraw an account, leave
--    an index gap, or date a transfer behind a seal).
-- 2. Time bound. The guard refuses a recorded_at later than the database clock plus setting.max_clock_skew
--    (default 1 minute; the schema owner may change it), and so does the new account guard for opened_at: a
--    client with a clock far ahead (or a forged row dated in year 200000) could otherwise date every later
--    transfer of the accounts it touches into the future.
-- 3. Credit overflow. Concurrent credits to one destination are coordinated near the limit, so an account's
--    cumulative credits never pass 2^63 - 1 (see "Credit overflow" in docs/design.md): every credit takes a
--    transaction-scoped advisory lock on its destination, shared normally and exclusive for a large credit
--    (amount > 2^42) or one that takes the destination past 2^62.
-- 4. Funds strictly before. A debit's funds check counts only the credits recorded strictly before it (the
--    library dates a debit one microsecond after the newest credit it counted), so in statement order (time,
--    then id) no debit of a non-issuer sorts before a credit it spent.
--
-- Advisory lock key space: the ledger uses only the two-integer form, pg_advisory_*(classid int4, objid int4),
-- which never meets the one-bigint form applications usually use. Classes: 1279607875 (0x4C454443, 'LEDC') credits to a
-- destination, keyed by hashtext(destination); 1279607881 (0x4C454449, 'LEDI') transfer ids (the library's
-- statements); 1279607891 (0x4C454453, 'LEDS') the summariser.

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

-- Accounts and transfers are history: refuse any change to them.
CREATE OR REPLACE FUNCTION refuse_history_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'LG001',
        MESSAGE = format('ledger history is immutable: %s on %s.%s refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME);
END
$$;

-- The latest time a transfer or account may be dated now: the database clock plus the allowed skew.
CREATE FUNCTION latest_allowed_time() RETURNS timestamptz
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
    SELECT pg_catalog.clock_timestamp()
         + coalesce((SELECT s.max_clock_skew FROM ${flyway:defaultSchema}.setting s), interval '1 minute')
$$;

CREATE FUNCTION guard_account() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
DECLARE
    latest timestamptz := ${flyway:defaultSchema}.latest_allowed_time();
BEGIN
    IF NEW.opened_at > latest THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'account_time_not_future',
            MESSAGE = format('opened_at %s of account %s is later than the database clock %s plus the allowed skew'
                             ' (setting.max_clock_skew)', NEW.opened_at, NEW.id, pg_catalog.clock_timestamp());
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER account_guard BEFORE INSERT ON account
    FOR EACH ROW EXECUTE FUNCTION guard_account();
ALTER TABLE account ENABLE ALWAYS TRIGGER account_guard;

-- The balance functions of V2, for people querying by hand, with every name qualified.
CREATE OR REPLACE FUNCTION credits_as_of(acct text, t timestamptz) RETURNS numeric
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
    SELECT coalesce(cp.credits, 0)
         + coalesce((SELECT sum(x.amount) FROM ${flyway:defaultSchema}.transfer x
                      WHERE x.destination = acct AND x.recorded_at <= t
                        AND x.recorded_at > coalesce(cp.through, '-infinity')), 0)
      FROM (SELECT NULL) one
      LEFT JOIN LATERAL (SELECT c.credits, c.through FROM ${flyway:defaultSchema}.credit_checkpoint c
                          WHERE c.account = acct AND c.through <= t
                          ORDER BY c.through DESC LIMIT 1) cp ON true
$$;

CREATE OR REPLACE FUNCTION debits_as_of(acct text, t timestamptz) RETURNS bigint
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
    SELECT coalesce((SELECT x.source_debits FROM ${flyway:defaultSchema}.transfer x
                      WHERE x.source = acct AND x.recorded_at <= t
                      ORDER BY x.recorded_at DESC, x.source_debits DESC LIMIT 1), 0)
$$;

CREATE OR REPLACE FUNCTION balance_through(acct text, t timestamptz, line uuid) RETURNS numeric
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
    SELECT ${flyway:defaultSchema}.credits_as_of(acct, t)
         - coalesce((SELECT sum(x.amount) FROM ${flyway:defaultSchema}.transfer x
                      WHERE x.destination = acct AND x.recorded_at = t AND x.id > line), 0)
         - ${flyway:defaultSchema}.debits_as_of(acct, t)
         + coalesce((SELECT sum(x.amount) FROM ${flyway:defaultSchema}.transfer x
                      WHERE x.source = acct AND x.recorded_at = t AND x.id > line), 0)
$$;

-- The hash encoding of V3. hash_field and epoch_micros keep no SET clause, so that they are inlined into
-- transfer_content (whose search_path is pinned); every function, type and operator in them is qualified.
CREATE OR REPLACE FUNCTION hash_field(v text) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN v IS NULL THEN '\xffffffff'::pg_catalog.bytea
                ELSE pg_catalog.int4send(pg_catalog.octet_length(pg_catalog.convert_to(v, 'UTF8')))
                     OPERATOR(pg_catalog.||) pg_catalog.convert_to(v, 'UTF8') END
$$;

CREATE OR REPLACE FUNCTION epoch_micros(t timestamptz) RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT pg_catalog.date_part('epoch', pg_catalog.date_trunc('second', t))::pg_catalog.int8
               OPERATOR(pg_catalog.*) 1000000
           OPERATOR(pg_catalog.+) (pg_catalog.date_part('microseconds', t)::pg_catalog.int8
                                   OPERATOR(pg_catalog.%) 1000000)
$$;

CREATE OR REPLACE FUNCTION transfer_content(id uuid, source text, source_index bigint, destination text, amount bigint,
                                            currency text, recorded_at timestamptz, reference text) RETURNS bytea
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
BEGIN
    RETURN ${flyway:defaultSchema}.hash_field('ledger-transfer-v1')
        || ${flyway:defaultSchema}.hash_field(id::text) || ${flyway:defaultSchema}.hash_field(source)
        || ${flyway:defaultSchema}.hash_field(source_index::text) || ${flyway:defaultSchema}.hash_field(destination)
        || ${flyway:defaultSchema}.hash_field(amount::text) || ${flyway:defaultSchema}.hash_field(currency)
        || ${flyway:defaultSchema}.hash_field(${flyway:defaultSchema}.epoch_micros(recorded_at)::text)
        || ${flyway:defaultSchema}.hash_field(reference);
END
$$;

-- The guard of V4 with the fixes above.
CREATE OR REPLACE FUNCTION guard_transfer() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
DECLARE
    src          ${flyway:defaultSchema}.account;
    dst          ${flyway:defaultSchema}.account;
    prev_debits  bigint := 0;
    prev_at      timestamptz;
    sealed       timestamptz;
    latest       timestamptz;
    credits      numeric;
    cp_credits   bigint;
    cp_through   timestamptz;
    exclusive    boolean;
    -- The chain hash of index k - 1 (32 zero bytes before index 0).
    prev_hash    bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
BEGIN
    -- Take a transaction id before reading the seal: a summariser waits for every transaction whose id is older
    -- than an id it takes after its seal committed, so none can record behind a seal it did not see.
    NEW.created_xid := pg_current_xact_id();
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION USING ERRCODE = '25000', CONSTRAINT = 'transfer_read_committed',
            MESSAGE = format('transfers are recorded under READ COMMITTED, not %s',
                             current_setting('transaction_isolation'));
    END IF;
    SELECT max(s.sealed_through) INTO sealed FROM ${flyway:defaultSchema}.seal s;
    IF NEW.recorded_at <= sealed THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'transfer_after_seal',
            MESSAGE = format('recorded_at %s is not after the seal at %s', NEW.recorded_at, sealed);
    END IF;
    latest := ${flyway:defaultSchema}.latest_allowed_time();
    IF NEW.recorded_at > latest THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'transfer_time_not_future',
            MESSAGE = format('recorded_at %s of %s index %s is later than the database clock %s plus the allowed'
                             ' skew (setting.max_clock_skew)', NEW.recorded_at, NEW.source, NEW.source_index,
                             clock_timestamp());
    END IF;
    IF NEW.recorded_at > '9999-12-31 23:59:59.999999+00'::timestamptz THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'transfer_time_in_range',
            MESSAGE = format('recorded_at %s of %s index %s is after 9999-12-31 23:59:59.999999+00, the latest instant a'
                             ' ledger records', NEW.recorded_at, NEW.source, NEW.source_index);
    END IF;

    SELECT * INTO src FROM ${flyway:defaultSchema}.account a WHERE a.id = NEW.source;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = '23503', CONSTRAINT = 'transfer_source_exists',
            MESSAGE = format('source account %s does not exist', NEW.source);
    END IF;
    SELECT * INTO dst FROM ${flyway:defaultSchema}.account a WHERE a.id = NEW.destination;
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
        SELECT t.source_debits, t.recorded_at, t.chain_hash INTO prev_debits, prev_at, prev_hash
          FROM ${flyway:defaultSchema}.transfer t
         WHERE t.source = NEW.source AND t.source_index = NEW.source_index - 1;
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

    -- Funds: the credits recorded strictly before this transfer's time must cover the source's cumulative debits
    -- including it, so that no debit is dated at the same microsecond as a credit it spends.
    IF NOT src.issuer THEN
        SELECT c.credits, c.through INTO cp_credits, cp_through
          FROM ${flyway:defaultSchema}.credit_checkpoint c
         WHERE c.account = NEW.source AND c.through < NEW.recorded_at
         ORDER BY c.through DESC LIMIT 1;
        SELECT coalesce(cp_credits, 0) + coalesce(sum(x.amount), 0) INTO credits
          FROM ${flyway:defaultSchema}.transfer x
         WHERE x.destination = NEW.source AND x.recorded_at < NEW.recorded_at
           AND x.recorded_at > coalesce(cp_through, '-infinity');
        IF credits < NEW.source_debits THEN
            RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'transfer_funds_sufficient',
                MESSAGE = format('account %s has balance %s before %s, less than the amount %s',
                                 NEW.source, credits - (NEW.source_debits - NEW.amount), NEW.recorded_at, NEW.amount);
        END IF;
    END IF;

    -- The destination's cumulative credits must stay within bigint, so every balance does. Credits to one
    -- destination are otherwise not coordinated, so each takes an advisory lock on it (docs/design.md, "Credit
    -- overflow"): shared, so that credits stay concurrent, while the credit is at most 2^42 and the destination's
    -- newest checkpoint plus the credit is at most 2^62; otherwise exclusive (it waits for every credit in flight,
    -- and they for it). A credit with only the shared lock may bring the total to 2^62: the other shared holders in
    -- flight add less than 2^61 (fewer than 2^19 transactions, each at most 2^42), so the total stays below 2^63.
    SELECT c.credits, c.through INTO cp_credits, cp_through
      FROM ${flyway:defaultSchema}.credit_checkpoint c
     WHERE c.account = NEW.destination ORDER BY c.through DESC LIMIT 1;
    exclusive := NEW.amount > 4398046511104 OR coalesce(cp_credits, 0) + NEW.amount > 4611686018427387904;
    IF exclusive THEN
        PERFORM pg_advisory_xact_lock(1279607875, hashtext(NEW.destination));
    ELSE
        PERFORM pg_advisory_xact_lock_shared(1279607875, hashtext(NEW.destination));
    END IF;
    -- A new snapshot, taken after the lock: every credit that held it exclusively before is committed and counted.
    SELECT coalesce(cp_credits, 0) + coalesce(sum(x.amount), 0) INTO credits
      FROM ${flyway:defaultSchema}.transfer x
     WHERE x.destination = NEW.destination AND x.recorded_at > coalesce(cp_through, '-infinity');
    IF NOT exclusive AND credits + NEW.amount > 4611686018427387904 THEN
        -- Past 2^62 with only the shared lock (the checkpoint lagged): become the only holder without waiting,
        -- or retry. Never waiting here is what keeps a lock upgrade out of any wait cycle.
        IF NOT pg_try_advisory_xact_lock(1279607875, hashtext(NEW.destination)) THEN
            RAISE EXCEPTION USING ERRCODE = '40001', CONSTRAINT = 'transfer_credits_contended',
                MESSAGE = format('cumulative credits of %s are %s: adding %s needs the exclusive credit lock, held'
                                 ' by a concurrent credit; retry', NEW.destination, credits, NEW.amount);
        END IF;
        SELECT coalesce(cp_credits, 0) + coalesce(sum(x.amount), 0) INTO credits
          FROM ${flyway:defaultSchema}.transfer x
         WHERE x.destination = NEW.destination AND x.recorded_at > coalesce(cp_through, '-infinity');
    END IF;
    IF credits + NEW.amount > 9223372036854775807 THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'transfer_credits_in_range',
            MESSAGE = format('cumulative credits of %s are %s; adding %s overflows', NEW.destination, credits, NEW.amount);
    END IF;

    -- The hash chain: computed here, by the database; any value the client gave is overwritten.
    NEW.chain_hash := sha256(prev_hash || ${flyway:defaultSchema}.transfer_content(NEW.id, NEW.source,
        NEW.source_index, NEW.destination, NEW.amount, NEW.currency, NEW.recorded_at, NEW.reference));

    RETURN NEW;
END
$$;
