-- A batch of transfers in one round trip and one transaction (R__4_writes.sql); :exclusive only after the
-- function asked for it (40001 transfer_credits_contended). :metadata: null when no item has metadata (bound as
-- varchar, hence the cast), else one JSON object or null per item.
-- :kinds, :pending_ids, :expires, :timeouts: null when every item is immediate (the timeouts as interval text).
SELECT pos, status, detail, source_index, recorded_at, expires_at,
       e_id, e_source, e_source_index, e_destination, e_amount, e_currency, e_recorded_at, e_reference, e_metadata,
       e_kind, e_pending_id, e_expires_at
  FROM ${schema}.append_transfers(:ids, :sources, :destinations, :amounts, :currencies, :references, :not_before,
                                  :linked, false, :exclusive, CAST(:metadata AS text[]), CAST(:kinds AS smallint[]),
                                  CAST(:pending_ids AS uuid[]), CAST(:expires AS timestamptz[]),
                                  CAST(:timeouts AS text[])::interval[])
