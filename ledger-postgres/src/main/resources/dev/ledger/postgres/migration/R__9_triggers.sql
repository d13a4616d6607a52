-- The triggers, all ENABLE ALWAYS: they fire even in sessions with session_replication_role = replica, which skips
-- ordinary triggers. Re-created whole whenever this file changes.

-- account: history
DROP TRIGGER IF EXISTS account_immutable ON account;
CREATE TRIGGER account_immutable BEFORE UPDATE OR DELETE ON account
    FOR EACH ROW EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
ALTER TABLE account ENABLE ALWAYS TRIGGER account_immutable;
DROP TRIGGER IF EXISTS account_no_truncate ON account;
CREATE TRIGGER account_no_truncate BEFORE TRUNCATE ON account
    FOR EACH STATEMENT EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
ALTER TABLE account ENABLE ALWAYS TRIGGER account_no_truncate;

-- transfer: history
DROP TRIGGER IF EXISTS transfer_immutable ON transfer;
CREATE TRIGGER transfer_immutable BEFORE UPDATE OR DELETE ON transfer
    FOR EACH ROW EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
ALTER TABLE transfer ENABLE ALWAYS TRIGGER transfer_immutable;
DROP TRIGGER IF EXISTS transfer_no_truncate ON transfer;
CREATE TRIGGER transfer_no_truncate BEFORE TRUNCATE ON transfer
    FOR EACH STATEMENT EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
ALTER TABLE transfer ENABLE ALWAYS TRIGGER transfer_no_truncate;

-- credit: history
DROP TRIGGER IF EXISTS credit_immutable ON credit;
CREATE TRIGGER credit_immutable BEFORE UPDATE OR DELETE ON credit
    FOR EACH ROW EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
ALTER TABLE credit ENABLE ALWAYS TRIGGER credit_immutable;
DROP TRIGGER IF EXISTS credit_no_truncate ON credit;
CREATE TRIGGER credit_no_truncate BEFORE TRUNCATE ON credit
    FOR EACH STATEMENT EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
ALTER TABLE credit ENABLE ALWAYS TRIGGER credit_no_truncate;

-- seal: history
DROP TRIGGER IF EXISTS seal_immutable ON seal;
CREATE TRIGGER seal_immutable BEFORE UPDATE OR DELETE ON seal
    FOR EACH ROW EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
ALTER TABLE seal ENABLE ALWAYS TRIGGER seal_immutable;
DROP TRIGGER IF EXISTS seal_no_truncate ON seal;
CREATE TRIGGER seal_no_truncate BEFORE TRUNCATE ON seal
    FOR EACH STATEMENT EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
ALTER TABLE seal ENABLE ALWAYS TRIGGER seal_no_truncate;

-- seal_summarized: history
DROP TRIGGER IF EXISTS seal_summarized_immutable ON seal_summarized;
CREATE TRIGGER seal_summarized_immutable BEFORE UPDATE OR DELETE ON seal_summarized
    FOR EACH ROW EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
ALTER TABLE seal_summarized ENABLE ALWAYS TRIGGER seal_summarized_immutable;
DROP TRIGGER IF EXISTS seal_summarized_no_truncate ON seal_summarized;
CREATE TRIGGER seal_summarized_no_truncate BEFORE TRUNCATE ON seal_summarized
    FOR EACH STATEMENT EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
ALTER TABLE seal_summarized ENABLE ALWAYS TRIGGER seal_summarized_no_truncate;

-- credit_checkpoint: history
DROP TRIGGER IF EXISTS credit_checkpoint_immutable ON credit_checkpoint;
CREATE TRIGGER credit_checkpoint_immutable BEFORE UPDATE OR DELETE ON credit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
ALTER TABLE credit_checkpoint ENABLE ALWAYS TRIGGER credit_checkpoint_immutable;
DROP TRIGGER IF EXISTS credit_checkpoint_no_truncate ON credit_checkpoint;
CREATE TRIGGER credit_checkpoint_no_truncate BEFORE TRUNCATE ON credit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
ALTER TABLE credit_checkpoint ENABLE ALWAYS TRIGGER credit_checkpoint_no_truncate;

-- seal_horizon: history
DROP TRIGGER IF EXISTS seal_horizon_immutable ON seal_horizon;
CREATE TRIGGER seal_horizon_immutable BEFORE UPDATE OR DELETE ON seal_horizon
    FOR EACH ROW EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
ALTER TABLE seal_horizon ENABLE ALWAYS TRIGGER seal_horizon_immutable;
DROP TRIGGER IF EXISTS seal_horizon_no_truncate ON seal_horizon;
CREATE TRIGGER seal_horizon_no_truncate BEFORE TRUNCATE ON seal_horizon
    FOR EACH STATEMENT EXECUTE FUNCTION ${flyway:defaultSchema}.refuse_history_change();
ALTER TABLE seal_horizon ENABLE ALWAYS TRIGGER seal_horizon_no_truncate;
