SELECT t.id, t.source, t.source_index, t.destination, t.amount, t.currency, t.recorded_at, t.reference,
       CASE WHEN t.metadata IS NOT NULL THEN ${schema}.metadata_pairs(t.metadata) END AS metadata, t.kind,
       t.pending_id, t.expires_at
  FROM ${schema}.transfer_by_id(:id) t
