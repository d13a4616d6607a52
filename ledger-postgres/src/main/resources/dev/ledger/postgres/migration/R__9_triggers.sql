-- The triggers, all ENABLE ALWAYS: they fire even in sessions with session_replication_role = replica, which skips
-- ordinary triggers. Re-created whole whenever this file changes.
--
-- Every table of history gets two: <table>_immutable (BEFORE UPDATE OR DELETE, per row) and <table>_no_truncate
-- (BEFORE TRUNCATE), both raising LG001 through refuse_history_change (R__1_history.sql), for everyone, the owner
-- included.
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
