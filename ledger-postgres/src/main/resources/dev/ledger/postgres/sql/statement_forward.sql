-- A page of an account's statement, forward, and the balance just after its first line, from one snapshot. Absent
-- bounds are bound as null: [:from, :to) of recorded_at, and the cursor (:after_at, :after_id) exclusive.
WITH lines AS (
    SELECT * FROM (
        (SELECT id, source, source_index, destination, amount, currency, recorded_at, reference,
                CASE WHEN metadata IS NOT NULL THEN ${schema}.metadata_pairs(metadata) END AS metadata,
                kind, pending_id, expires_at
           FROM ${schema}.transfer
          WHERE source = :account
            AND recorded_at >= coalesce(:from::timestamptz, '-infinity'::timestamptz)
            AND recorded_at < coalesce(:to::timestamptz, 'infinity'::timestamptz)
            AND (recorded_at, id) > (coalesce(:after_at::timestamptz, '-infinity'::timestamptz), coalesce(:after_id::uuid, '00000000-0000-0000-0000-000000000000'::uuid))
          ORDER BY recorded_at, id LIMIT :n)
        UNION ALL
        (SELECT id, source, source_index, account AS destination, amount, currency, recorded_at, reference,
                CASE WHEN metadata IS NOT NULL THEN ${schema}.metadata_pairs(metadata) END AS metadata,
                kind, pending_id, expires_at
           FROM ${schema}.credit
          WHERE account = :account
            AND recorded_at >= coalesce(:from::timestamptz, '-infinity'::timestamptz)
            AND recorded_at < coalesce(:to::timestamptz, 'infinity'::timestamptz)
            AND (recorded_at, id) > (coalesce(:after_at::timestamptz, '-infinity'::timestamptz), coalesce(:after_id::uuid, '00000000-0000-0000-0000-000000000000'::uuid))
          ORDER BY recorded_at, id LIMIT :n)) both_sides
     ORDER BY recorded_at, id LIMIT :n),
first AS (SELECT recorded_at, id FROM lines ORDER BY recorded_at, id LIMIT 1)
SELECT lines.*,
       (SELECT b.balance FROM first, ${schema}.balance_through(:account, first.recorded_at, first.id) b)
           AS first_balance,
       -- a pending transfer's resolution, if any (its kind: 2 post, 3 void): a row of the same source
       CASE WHEN lines.kind = 1 THEN (SELECT r.kind FROM ${schema}.transfer r
                                      WHERE r.source = lines.source AND r.pending_id = lines.id) END AS resolved_kind
  FROM lines
 ORDER BY recorded_at, id
