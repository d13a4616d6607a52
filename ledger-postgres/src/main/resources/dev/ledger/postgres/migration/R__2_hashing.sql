-- Tamper evidence by hash chains. Each transfer row carries chain_hash, computed by append_transfers (never by the
-- client, who cannot write the table):
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
--     || [field(n::text) || field(key_1) || field(value_1) || ... || field(key_n) || field(value_n)]
--
-- the last part only when the metadata has n >= 1 entries (keys in byte order); none at all for a transfer
-- without metadata, whose content is therefore what it was before metadata existed.
--
--     field(v) = int4send(byte length of the UTF-8 of v) || UTF-8 of v      (4-byte big-endian length)
--     field(NULL) = '\xffffffff'                                            (length -1, no bytes)
--
-- uuid text is lower-case and hyphenated; numbers are plain decimal (a leading '-' when negative).
--
-- The chain makes a change to a recorded row, a deleted row in the middle of a chain or a forged row visible to
-- Ledger.verify(), which recomputes every chain. A deleted tail or a chain rewritten consistently by someone who
-- can compute SHA-256 is visible only against chain heads exported earlier and kept elsewhere.

-- None of these functions has a SET clause, so that PostgreSQL inlines them into the expression that calls them
-- (append_transfers computes a hash per transfer: a call with a SET clause costs a GUC save and restore and is
-- never inlined); instead every function, type and operator in them is qualified, so the caller's search_path
-- (a temporary schema included) cannot change what they mean.
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

-- The metadata part of the content: its entries in key order (byte order), after their count. Not inlined (it has
-- a sub-select): transfer_content calls it only for a transfer that has metadata.
CREATE OR REPLACE FUNCTION metadata_content(m jsonb) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT ${flyway:defaultSchema}.hash_field(pg_catalog.count(*)::pg_catalog.text)
           OPERATOR(pg_catalog.||) pg_catalog.string_agg(${flyway:defaultSchema}.hash_field(e.key)
                                       OPERATOR(pg_catalog.||) ${flyway:defaultSchema}.hash_field(e.value),
                                       '\x'::pg_catalog.bytea ORDER BY e.key COLLATE "C")
      FROM pg_catalog.jsonb_each_text(m) e
$$;

-- Metadata as the library reads it: its keys and values alternating, in key order (NULL when there is none).
CREATE OR REPLACE FUNCTION metadata_pairs(m jsonb) RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT pg_catalog.array_agg(x.v ORDER BY e.key COLLATE "C", x.n)
      FROM pg_catalog.jsonb_each_text(m) e, LATERAL (VALUES (1, e.key), (2, e.value)) x(n, v)
$$;

-- What is wrong with a transfer's metadata, or NULL when it is sound: a JSON object of at most 16 entries, keys of
-- 1 to 64 characters of a-z 0-9 _ . -, values strings of at most 256 characters (jsonb holds no NUL), not empty
-- (a transfer without metadata has NULL). The rule of dev.ledger.core.internal.Checks.metadata.
CREATE OR REPLACE FUNCTION metadata_problem(m jsonb) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN m IS NULL THEN NULL
        WHEN pg_catalog.jsonb_typeof(m) OPERATOR(pg_catalog.<>) 'object' THEN 'metadata is not a JSON object'
        WHEN m OPERATOR(pg_catalog.=) '{}'::pg_catalog.jsonb THEN 'empty metadata is NULL, not {}'
        ELSE (SELECT CASE
                  WHEN pg_catalog.count(*) OPERATOR(pg_catalog.>) 16
                      THEN pg_catalog.format('metadata has %s entries, more than 16', pg_catalog.count(*))
                  ELSE pg_catalog.min(pg_catalog.format('metadata entry %s: keys are 1 to 64 characters of'
                      ' a-z 0-9 _ . -, values strings of at most 256 characters', pg_catalog.quote_literal(e.key)))
                      FILTER (WHERE e.key OPERATOR(pg_catalog.!~) '^[a-z0-9_.-]{1,64}$'
                              OR pg_catalog.jsonb_typeof(e.value) OPERATOR(pg_catalog.<>) 'string'
                              OR pg_catalog.char_length(e.value OPERATOR(pg_catalog.#>>) '{}'::pg_catalog.text[])
                                 OPERATOR(pg_catalog.>) 256) END
                FROM pg_catalog.jsonb_each(m) e) END
$$;

DROP FUNCTION IF EXISTS transfer_content(uuid, text, bigint, text, bigint, text, timestamptz, text, jsonb);
-- kind 1, 2, 3 (pending, post, void) append field(kind name) || field(pending_id) || field(expires_at in epoch
-- micros); an immediate transfer (kind 0) appends nothing, so its content is what it was before two-phase transfers.
CREATE OR REPLACE FUNCTION transfer_content(id uuid, source text, source_index bigint, destination text, amount bigint,
                                            currency text, recorded_at timestamptz, reference text,
                                            metadata jsonb DEFAULT NULL, kind smallint DEFAULT 0,
                                            pending_id uuid DEFAULT NULL, expires_at timestamptz DEFAULT NULL)
    RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT ${flyway:defaultSchema}.hash_field('ledger-transfer-v1')
        OPERATOR(pg_catalog.||) ${flyway:defaultSchema}.hash_field(id::pg_catalog.text)
        OPERATOR(pg_catalog.||) ${flyway:defaultSchema}.hash_field(source)
        OPERATOR(pg_catalog.||) ${flyway:defaultSchema}.hash_field(source_index::pg_catalog.text)
        OPERATOR(pg_catalog.||) ${flyway:defaultSchema}.hash_field(destination)
        OPERATOR(pg_catalog.||) ${flyway:defaultSchema}.hash_field(amount::pg_catalog.text)
        OPERATOR(pg_catalog.||) ${flyway:defaultSchema}.hash_field(currency)
        OPERATOR(pg_catalog.||) ${flyway:defaultSchema}.hash_field(
                                    ${flyway:defaultSchema}.epoch_micros(recorded_at)::pg_catalog.text)
        OPERATOR(pg_catalog.||) ${flyway:defaultSchema}.hash_field(reference)
        OPERATOR(pg_catalog.||) CASE WHEN metadata IS NULL THEN '\x'::pg_catalog.bytea
                                     ELSE ${flyway:defaultSchema}.metadata_content(metadata) END
        OPERATOR(pg_catalog.||) CASE WHEN kind IS NULL OR kind OPERATOR(pg_catalog.=) 0 THEN '\x'::pg_catalog.bytea
                                     ELSE ${flyway:defaultSchema}.hash_field((ARRAY['pending', 'post', 'void'])[kind])
                                          OPERATOR(pg_catalog.||) ${flyway:defaultSchema}.hash_field(pending_id::pg_catalog.text)
                                          OPERATOR(pg_catalog.||) ${flyway:defaultSchema}.hash_field(
                                              ${flyway:defaultSchema}.epoch_micros(expires_at)::pg_catalog.text) END
$$;
