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
--
--     field(v) = int4send(byte length of the UTF-8 of v) || UTF-8 of v      (4-byte big-endian length)
--     field(NULL) = '\xffffffff'                                            (length -1, no bytes)
--
-- uuid text is lower-case and hyphenated; numbers are plain decimal (a leading '-' when negative).
--
-- The chain makes a change to a recorded row, a deleted row in the middle of a chain or a forged row visible to
-- Ledger.verify(), which recomputes every chain. A deleted tail or a chain rewritten consistently by someone who
-- can compute SHA-256 is visible only against chain heads exported earlier and kept elsewhere.

-- hash_field and epoch_micros keep no SET clause, so that they are inlined into
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

