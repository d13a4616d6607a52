-- Running the ledger on Citus (docs/scaling.md). distribute() distributes the tables of this schema by account
-- across the cluster, co-located, so that everything one account's balance, funds check, statement or as-of read
-- needs is on one shard: account by id, transfer by source (its debits), credit and credit_checkpoint by account
-- (its credits). The small tables every node reads (seal, seal_horizon, seal_summarized, setting) become
-- reference tables. Idempotent; PostgresLedgerStore.migrate() calls it after every migration of a store built with
-- distributed(true), since the repeatable migrations re-create what it adapts:
--   * Citus plans no query that calls a SQL function reading its tables (it plans a query before PostgreSQL
--     inlines the function): the functions of one account that the ledger's queries call (credits_through,
--     account_head, ...) are re-created as PL/pgSQL with the same body, each of its queries a single-shard
--     (router) query, called from queries that read only arrays;
--   * Citus plans each call's statements with its parameters (custom plans), not a generic plan;
--   * setting.distributed makes append_transfers take its row locks one account at a time.
-- Needs the citus extension in this database and a role allowed to distribute tables (the schema owner).
CREATE OR REPLACE FUNCTION distribute() RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
DECLARE
    t    text;
    f    regprocedure;
    body text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION USING ERRCODE = '55000',
            MESSAGE = format('distributing ledger schema %s needs the citus extension in database %s: CREATE'
                             ' EXTENSION citus (as a superuser, on the coordinator), with the workers added; see'
                             ' docs/scaling.md', '${flyway:defaultSchema}', current_database());
    END IF;
    -- (one connection per worker for the DDL below: a reference table is written in the same transaction)
    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    -- A distributed table's unique keys include its distribution column: transfer ids are unique across sources
    -- through transfer_id, distributed by id (append_transfers writes a row of it with each transfer; its key keeps
    -- the name transfer_id_key, so a concurrent first attempt with one id fails as on one node).
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                WHERE conrelid = '${flyway:defaultSchema}.transfer'::regclass AND conname = 'transfer_id_key') THEN
        ALTER TABLE ${flyway:defaultSchema}.transfer DROP CONSTRAINT transfer_id_key;
        ALTER TABLE ${flyway:defaultSchema}.transfer ADD CONSTRAINT transfer_source_id_key UNIQUE (source, id);
        CREATE TABLE ${flyway:defaultSchema}.transfer_id (
            id     uuid NOT NULL,
            source text COLLATE "C" NOT NULL,
            CONSTRAINT transfer_id_key PRIMARY KEY (id)
        );
        COMMENT ON TABLE ${flyway:defaultSchema}.transfer_id IS
            'On Citus: the source of each transfer id, distributed by id (ids are unique across sources). Insert-only.';
        CREATE TRIGGER transfer_id_immutable BEFORE UPDATE OR DELETE ON ${flyway:defaultSchema}.transfer_id
            FOR EACH ROW EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
        ALTER TABLE ${flyway:defaultSchema}.transfer_id ENABLE ALWAYS TRIGGER transfer_id_immutable;
        CREATE TRIGGER transfer_id_no_truncate BEFORE TRUNCATE ON ${flyway:defaultSchema}.transfer_id
            FOR EACH STATEMENT EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
        ALTER TABLE ${flyway:defaultSchema}.transfer_id ENABLE ALWAYS TRIGGER transfer_id_no_truncate;
        INSERT INTO ${flyway:defaultSchema}.transfer_id (id, source) SELECT t.id, t.source FROM ${flyway:defaultSchema}.transfer t;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_dist_partition
                    WHERE logicalrelid = '${flyway:defaultSchema}.transfer_id'::regclass) THEN
        PERFORM create_distributed_table('${flyway:defaultSchema}.transfer_id', 'id', colocate_with => 'none');
    END IF;
    FOREACH t IN ARRAY ARRAY['account:id', 'transfer:source', 'credit:account', 'credit_checkpoint:account'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_dist_partition
                        WHERE logicalrelid = format('${flyway:defaultSchema}.%I', split_part(t, ':', 1))::regclass) THEN
            PERFORM create_distributed_table(format('${flyway:defaultSchema}.%I', split_part(t, ':', 1)),
                                             split_part(t, ':', 2),
                                             colocate_with => CASE WHEN t = 'account:id' THEN 'default'
                                                                   ELSE '${flyway:defaultSchema}.account' END);
        END IF;
    END LOOP;
    FOREACH t IN ARRAY ARRAY['seal', 'seal_horizon', 'seal_summarized', 'setting'] LOOP
        -- (seal's referencing tables become Citus local tables when seal becomes a reference table: made
        -- reference tables in turn)
        IF NOT EXISTS (SELECT 1 FROM pg_dist_partition
                        WHERE logicalrelid = format('${flyway:defaultSchema}.%I', t)::regclass AND repmodel = 't') THEN
            PERFORM create_reference_table(format('${flyway:defaultSchema}.%I', t));
        END IF;
    END LOOP;
    UPDATE ${flyway:defaultSchema}.setting SET distributed = true WHERE NOT distributed;
    ALTER FUNCTION ${flyway:defaultSchema}.append_transfers(uuid[], text[], text[], bigint[], text[], text[],
        timestamptz, boolean, boolean, boolean, text[], smallint[], uuid[], timestamptz[], interval[])
        SET plan_cache_mode = force_custom_plan;
    FOREACH f IN ARRAY ARRAY[
            '${flyway:defaultSchema}.credits_through(text, timestamptz)'::regprocedure,
            '${flyway:defaultSchema}.debits_through(text, timestamptz)'::regprocedure,
            '${flyway:defaultSchema}.held_through(text, timestamptz, timestamptz)'::regprocedure,
            '${flyway:defaultSchema}.pending_credits_through(text, timestamptz, timestamptz)'::regprocedure,
            '${flyway:defaultSchema}.after_line(text, timestamptz, uuid)'::regprocedure,
            '${flyway:defaultSchema}.balance_through(text, timestamptz, uuid)'::regprocedure,
            '${flyway:defaultSchema}.resolution_kind(text, uuid)'::regprocedure,
            '${flyway:defaultSchema}.statement_lines_forward(text, timestamptz, timestamptz, timestamptz, uuid,'
                ' integer)'::regprocedure,
            '${flyway:defaultSchema}.statement_lines_backward(text, timestamptz, timestamptz, timestamptz, uuid,'
                ' integer)'::regprocedure,
            '${flyway:defaultSchema}.credits_as_of(text, timestamptz)'::regprocedure,
            '${flyway:defaultSchema}.debits_as_of(text, timestamptz)'::regprocedure,
            '${flyway:defaultSchema}.account_present(text)'::regprocedure,
            '${flyway:defaultSchema}.account_head(text, boolean)'::regprocedure] LOOP
        SELECT p.prosrc INTO body FROM pg_catalog.pg_proc p WHERE p.oid = f AND p.prolang =
            (SELECT l.oid FROM pg_catalog.pg_language l WHERE l.lanname = 'sql');
        IF body IS NOT NULL THEN
            EXECUTE format('CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.%I(%s) RETURNS %s LANGUAGE plpgsql'
                           ' STABLE AS %L', (SELECT p.proname FROM pg_catalog.pg_proc p WHERE p.oid = f),
                           pg_get_function_arguments(f), pg_get_function_result(f),
                           E'#variable_conflict use_column\nBEGIN\n    '
                           || CASE WHEN (SELECT p.proretset FROM pg_catalog.pg_proc p WHERE p.oid = f)
                                   THEN 'RETURN QUERY' || body ELSE 'RETURN (' || body || ')' END
                           || E';\nEND');
        END IF;
    END LOOP;
    -- The transfer of an id: its source from transfer_id, then the row from the source's shard.
    CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.transfer_by_id(tid uuid)
        RETURNS TABLE (id uuid, source text, source_index bigint, destination text, amount bigint, currency text,
                       recorded_at timestamptz, reference text, metadata jsonb, kind smallint, pending_id uuid,
                       expires_at timestamptz)
        LANGUAGE plpgsql STABLE
    AS $f$
    #variable_conflict use_column
    DECLARE
        src text;
    BEGIN
        SELECT i.source INTO src FROM ${flyway:defaultSchema}.transfer_id i WHERE i.id = tid;
        IF src IS NOT NULL THEN
            RETURN QUERY SELECT y.id, y.source, y.source_index, y.destination, y.amount, y.currency, y.recorded_at,
                                y.reference, y.metadata, y.kind, y.pending_id, y.expires_at
                           FROM ${flyway:defaultSchema}.transfer y WHERE y.source = src AND y.id = tid;
        END IF;
    END
    $f$;
END
$$;

REVOKE ALL ON FUNCTION distribute() FROM PUBLIC;
