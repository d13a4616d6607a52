-- The newest link of every source's chain, from the primary key.
SELECT DISTINCT ON (source) source, source_index, chain_hash
  FROM ${schema}.transfer
 ORDER BY source, source_index DESC
