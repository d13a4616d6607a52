-- verify(): the credit rows that do not match their transfer one to one: a transfer without its credit row, a
-- credit row without its transfer, or one whose copy of the transfer differs, a post's or void's released amount
-- included (the amount of the pending transfer it resolves) (by transfer id; empty when sound).
-- Each side of every transfer read once (materialized CTEs: on Citus, intermediate results, since transfer is
-- distributed by source and credit by destination), then compared.
WITH t AS MATERIALIZED (SELECT id, source, source_index, destination, amount, currency, recorded_at, reference,
                               metadata, kind, pending_id, expires_at FROM ${schema}.transfer),
     c AS MATERIALIZED (SELECT id, account, source, source_index, amount, currency, recorded_at, reference, metadata,
                               kind, pending_id, expires_at, released FROM ${schema}.credit)
SELECT coalesce(t.id, c.id) AS id, t.id IS NOT NULL AS has_transfer, c.id IS NOT NULL AS has_credit,
       coalesce(t.source, c.source) AS source, coalesce(t.source_index, c.source_index) AS source_index,
       coalesce(t.destination, c.account) AS account
  FROM t
  FULL JOIN c ON c.id = t.id
  LEFT JOIN t p ON t.kind IN (2, 3) AND p.source = t.source AND p.id = t.pending_id
 WHERE t.id IS NULL OR c.id IS NULL
    OR (t.destination, t.recorded_at, t.amount, t.source, t.source_index, t.currency)
       IS DISTINCT FROM (c.account, c.recorded_at, c.amount, c.source, c.source_index, c.currency)
    OR t.reference IS DISTINCT FROM c.reference OR t.metadata IS DISTINCT FROM c.metadata
    OR (t.kind, t.pending_id, t.expires_at) IS DISTINCT FROM (c.kind, c.pending_id, c.expires_at)
    OR c.released IS DISTINCT FROM p.amount
 ORDER BY 1, 2 DESC
