-- Waits for every attempt in flight that may be recording this id (each holds the id's lock shared until it
-- ends), then reads it: run in a transaction of its own.
SELECT t.id, t.source, t.source_index, t.destination, t.amount, t.currency, t.recorded_at, t.reference
  FROM (SELECT pg_advisory_xact_lock(1279607881, ${schema}.transfer_id_lock(:id)) IS NULL AS waited) w
  JOIN LATERAL (SELECT * FROM ${schema}.transfer x WHERE x.id = :id AND w.waited IS NOT NULL) t ON true
