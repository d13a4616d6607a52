-- Whether the ledger's tables are distributed across a Citus cluster (docs/scaling.md): set by distribute()
-- (R__6_distribution.sql), read by append_transfers, which then takes its row locks one account at a time (Citus
-- locks rows only in statements that touch one shard).
ALTER TABLE setting ADD COLUMN distributed boolean NOT NULL DEFAULT false;

COMMENT ON COLUMN setting.distributed IS 'The tables are distributed by account across a Citus cluster.';
