-- verify(): every transfer, along each source's chain.
SELECT id, source, source_index, destination, amount, currency, recorded_at, reference, source_debits, chain_hash,
       CASE WHEN metadata IS NOT NULL THEN ${schema}.metadata_pairs(metadata) END AS metadata, kind, pending_id,
       expires_at
  FROM ${schema}.transfer
 ORDER BY source, source_index
