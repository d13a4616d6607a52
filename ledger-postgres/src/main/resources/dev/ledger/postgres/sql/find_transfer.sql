SELECT id, source, source_index, destination, amount, currency, recorded_at, reference
  FROM ${schema}.transfer WHERE id = :id
