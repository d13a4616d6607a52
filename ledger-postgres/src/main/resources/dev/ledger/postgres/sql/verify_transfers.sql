-- verify(): every transfer, along each source's chain.
SELECT id, source, source_index, destination, amount, currency, recorded_at, reference, source_debits, chain_hash
  FROM ${schema}.transfer
 ORDER BY source, source_index
