-- The database's clock minus the newest summarised seal, in microseconds (null before the first summary).
SELECT (extract(epoch FROM statement_timestamp() - max(s.sealed_through)) * 1000000)::bigint
  FROM ${schema}.seal s JOIN ${schema}.seal_summarized d ON d.seq = s.seq
