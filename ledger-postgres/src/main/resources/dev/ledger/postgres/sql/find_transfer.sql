SELECT id, source, source_index, destination, amount, currency, recorded_at, reference,
       CASE WHEN metadata IS NOT NULL THEN ${schema}.metadata_pairs(metadata) END AS metadata, kind, pending_id,
       expires_at
  FROM ${schema}.transfer WHERE id = :id
