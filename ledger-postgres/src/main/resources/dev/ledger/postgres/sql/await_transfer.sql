-- Waits for every attempt in flight that may be recording this id (each holds the id's lock shared until it
-- ends). Run in a transaction of its own, then find_transfer in the same transaction: a new statement, so a new
-- snapshot that sees what those attempts committed.
SELECT pg_advisory_xact_lock(1279607881, ${schema}.transfer_id_lock(:id)) IS NULL
