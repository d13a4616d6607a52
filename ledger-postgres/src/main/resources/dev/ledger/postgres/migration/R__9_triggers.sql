-- The triggers, all ENABLE ALWAYS: they fire even in sessions with session_replication_role = replica, which skips
-- ordinary triggers. Re-created whole whenever this file changes.
--
-- Every table of history gets two: <table>_immutable (BEFORE UPDATE OR DELETE, per row) and <table>_no_truncate
-- (BEFORE TRUNCATE), both raising LG001 through refuse_history_change (R__1_history.sql), for everyone, the owner
-- included.
--
-- On Citus (R__6_distribution.sql) the tables are distributed: triggers on them need enable_unsafe_triggers, and the
-- DDL of this transaction goes over one connection per worker since it also touches reference tables. Elsewhere
-- both are unused placeholder settings, for this transaction only.
SET LOCAL citus.enable_unsafe_triggers TO on;
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['account', 'transfer', 'credit', 'seal', 'seal_summarized', 'credit_checkpoint',
                             'seal_horizon'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON ${flyway:defaultSchema}.%I', t || '_immutable', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON ${flyway:defaultSchema}.%I FOR EACH ROW'
                       ' EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change()', t || '_immutable', t);
        EXECUTE format('ALTER TABLE ${flyway:defaultSchema}.%I ENABLE ALWAYS TRIGGER %I', t, t || '_immutable');
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON ${flyway:defaultSchema}.%I', t || '_no_truncate', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON ${flyway:defaultSchema}.%I FOR EACH STATEMENT'
                       ' EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change()', t || '_no_truncate', t);
        EXECUTE format('ALTER TABLE ${flyway:defaultSchema}.%I ENABLE ALWAYS TRIGGER %I', t, t || '_no_truncate');
    END LOOP;
END
$$;
