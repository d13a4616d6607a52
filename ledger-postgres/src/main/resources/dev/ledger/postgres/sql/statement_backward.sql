-- A page of an account's statement, backward, and the balance just after its first line, from one snapshot (on Citus,
-- of the account's shard: every function here reads the account's rows only). Absent bounds are bound as null:
-- [:from, :to) of recorded_at, and the cursor (:after_at, :after_id) exclusive.
WITH lines AS (
    SELECT l.id, l.source, l.source_index, l.destination, l.amount, l.currency, l.recorded_at, l.reference,
           CASE WHEN l.metadata IS NOT NULL THEN ${schema}.metadata_pairs(l.metadata) END AS metadata,
           l.kind, l.pending_id, l.expires_at
      FROM ${schema}.statement_lines_backward(:account, coalesce(:from::timestamptz, '-infinity'::timestamptz),
               coalesce(:to::timestamptz, 'infinity'::timestamptz), coalesce(:after_at::timestamptz, 'infinity'::timestamptz),
               coalesce(:after_id::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid), :n) l),
first AS (SELECT recorded_at, id FROM lines ORDER BY recorded_at DESC, id DESC LIMIT 1)
SELECT lines.*,
       (SELECT b.balance FROM first, ${schema}.balance_through(:account, first.recorded_at, first.id) b)
           AS first_balance,
       -- a pending transfer's resolution, if any (its kind: 2 post, 3 void): a row of the same source
       CASE WHEN lines.kind = 1 THEN (SELECT r.kind FROM ${schema}.resolution_kind(lines.source, lines.id) r)
       END AS resolved_kind
  FROM lines
 ORDER BY recorded_at DESC, id DESC
