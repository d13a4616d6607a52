-- The guards: every account and transfer inserted, by any client, must keep the ledger valid. They read
-- committed data only, with no row locks: two debits of one source meet on the primary key (source,
-- source_index), where one of them fails with 23505.
--
-- Advisory lock key space: the ledger uses only the two-integer form, pg_advisory_*(classid int4, objid int4),
-- which never meets the one-bigint form applications usually use. Classes: 1279607875 (0x4C454443, 'LEDC')
-- credits to a destination, keyed by hashtext(destination); 1279607881 (0x4C454449, 'LEDI') transfer ids (the
-- library's statements); 1279607891 (0x4C454453, 'LEDS') the summariser.

-- The latest time a transfer or account may be dated now: the database clock plus the allowed skew (the account
-- guard, verify() and people querying by hand; the transfer guard writes it out).
CREATE OR REPLACE FUNCTION latest_allowed_time() RETURNS timestamptz
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
    SELECT pg_catalog.clock_timestamp()
         + coalesce((SELECT s.max_clock_skew FROM ${flyway:defaultSchema}.setting s), interval '1 minute')
$$;

CREATE OR REPLACE FUNCTION guard_account() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
BEGIN
    IF NEW.opened_at > ${flyway:defaultSchema}.latest_allowed_time() THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'account_time_not_future',
            MESSAGE = format('opened_at %s of account %s is later than the database clock %s plus the allowed skew'
                             ' (setting.max_clock_skew)', NEW.opened_at, NEW.id, pg_catalog.clock_timestamp());
    END IF;
    RETURN NEW;
END
$$;

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
    -- latest_allowed_time(), written out on this hot path: PL/pgSQL caches this statement's plan, while a SQL function
    -- with a SET clause is never inlined and its body is planned again on every call.
    latest := clock_timestamp()
        + coalesce((SELECT st.max_clock_skew FROM ${flyway:defaultSchema}.setting st), interval '1 minute');
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
