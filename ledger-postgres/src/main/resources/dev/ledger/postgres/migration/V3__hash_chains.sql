-- Version 3: tamper evidence by hash chains.
--
-- Each transfer row carries chain_hash, computed by the guard trigger (never by the client; a value given is
-- overwritten):
--
--     chain_hash[k] = sha256(chain_hash[k - 1] || transfer_content(row k))     for k = source_index
--     chain_hash[-1] = 32 zero bytes
--
-- along each source's debits. transfer_content is an unambiguous byte encoding of the row (docs/design.md,
-- "Hash chains"; the same encoding is dev.ledger.core.internal.TransferHashes in Java):
--
--     field('ledger-transfer-v1') || field(id::text) || field(source) || field(source_index::text)
--     || field(destination) || field(amount::text) || field(currency)
--     || field(recorded_at as microseconds since 1970-01-01T00:00:00Z, ::text) || field(reference)
--
--     field(v) = int4send(byte length of the UTF-8 of v) || UTF-8 of v      (4-byte big-endian length)
--     field(NULL) = '\xffffffff'                                            (length -1, no bytes)
--
-- uuid text is lower-case and hyphenated; numbers are plain decimal (a leading '-' when negative).
--
-- The chain makes a change to a recorded row, a deleted row in the middle of a chain or a forged row
-- visible to Ledger.verify(), which recomputes every chain. A deleted tail (the newest rows of a source) or a
-- chain rewritten consistently by someone who can compute SHA-256 is visible only against chain heads exported
-- earlier and kept elsewhere (Ledger.chainHeads(), VerifyCommand --export-heads / --heads).
--
-- chain_hash has an empty default so that inserts that bypass a disabled guard still succeed (tests do this);
-- verify() reports such rows as HASH_MISMATCH ("chain hash missing").

ALTER TABLE transfer ADD COLUMN chain_hash bytea NOT NULL DEFAULT '\x'::bytea;

-- One length-prefixed field of the content encoding. hash_field and epoch_micros have no SET clause so that
-- they are inlined into transfer_content, whose search_path is pinned (cheap for the guard).
CREATE FUNCTION hash_field(v text) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN v IS NULL THEN '\xffffffff'::bytea
                ELSE pg_catalog.int4send(pg_catalog.octet_length(pg_catalog.convert_to(v, 'UTF8')))
                     || pg_catalog.convert_to(v, 'UTF8') END
$$;

-- Microseconds since 1970-01-01T00:00:00Z, exact on every supported server (extract(epoch) is a double
-- before PostgreSQL 14). Time zone offsets are whole seconds, so the session time zone does not matter.
CREATE FUNCTION epoch_micros(t timestamptz) RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT extract(epoch FROM pg_catalog.date_trunc('second', t))::bigint * 1000000
         + extract(microseconds FROM t)::bigint % 1000000
$$;

-- The canonical content of a transfer row, hashed into its source's chain. PL/pgSQL evaluates the one
-- expression (with hash_field and epoch_micros inlined) on its fast path: about twice as fast as a SQL function
-- with a SET clause, which cannot be inlined.
CREATE FUNCTION transfer_content(id uuid, source text, source_index bigint, destination text, amount bigint,
                                 currency text, recorded_at timestamptz, reference text) RETURNS bytea
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = ${flyway:defaultSchema}, pg_catalog
AS $$
BEGIN
    RETURN hash_field('ledger-transfer-v1') || hash_field(id::text) || hash_field(source)
        || hash_field(source_index::text) || hash_field(destination) || hash_field(amount::text)
        || hash_field(currency) || hash_field(epoch_micros(recorded_at)::text) || hash_field(reference);
END
$$;

-- Existing rows: compute their chains (as the schema owner, with the immutability trigger off for this one
-- statement inside the migration's transaction).
ALTER TABLE transfer DISABLE TRIGGER transfer_immutable;
WITH RECURSIVE chain AS (
    SELECT t.source, t.source_index,
           sha256('\x0000000000000000000000000000000000000000000000000000000000000000'::bytea
                  || transfer_content(t.id, t.source, t.source_index, t.destination, t.amount, t.currency,
                                      t.recorded_at, t.reference)) AS h
      FROM transfer t WHERE t.source_index = 0
    UNION ALL
    SELECT t.source, t.source_index,
           sha256(c.h || transfer_content(t.id, t.source, t.source_index, t.destination, t.amount, t.currency,
                                          t.recorded_at, t.reference))
      FROM chain c JOIN transfer t ON t.source = c.source AND t.source_index = c.source_index + 1
)
UPDATE transfer t SET chain_hash = c.h FROM chain c WHERE t.source = c.source AND t.source_index = c.source_index;
ALTER TABLE transfer ENABLE ALWAYS TRIGGER transfer_immutable;

-- The guard of version 2, now also computing chain_hash from the previous row it already reads.
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
    -- The chain hash of index k - 1 (32 zero bytes before index 0).
    prev_hash    bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
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
        SELECT t.source_debits, t.recorded_at, t.chain_hash INTO prev_debits, prev_at, prev_hash
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

    -- The hash chain: computed here, by the database; any value the client gave is overwritten.
    NEW.chain_hash := sha256(prev_hash || transfer_content(NEW.id, NEW.source, NEW.source_index, NEW.destination,
                                                           NEW.amount, NEW.currency, NEW.recorded_at, NEW.reference));

    RETURN NEW;
END
$$;
