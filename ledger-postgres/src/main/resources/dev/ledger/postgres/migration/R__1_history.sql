-- Accounts, transfers, credits, seals and checkpoints are history: refuse any change to them (triggers in R__9_triggers.sql).
--
-- Every function of the schema qualifies each name of the schema's own objects and pins
-- search_path = pg_catalog, <schema>, pg_temp: unless pg_temp is listed, PostgreSQL searches a session's
-- temporary schema FIRST for tables and types, so a temporary table named account, transfer or seal would be read
-- in place of the real one (docs/design.md, "Name resolution").

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

