-- The balance views of an account from one snapshot: posted (credits minus debits), pending debits and pending
-- credits over the rows recorded at or before :through, the holds counted as of :expired_by (R__3_balances.sql).
-- As of T: both are T. Now: :through is null (all rows) and :expired_by the ledger clock's reading.
WITH bound AS (SELECT coalesce(CAST(:through AS timestamptz), 'infinity'::timestamptz) AS t)
SELECT (SELECT h.present FROM ${schema}.account_present(:id) h) AS present,
       (SELECT b.balance FROM ${schema}.balance_through(:id, bound.t,
                                                        'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid) b) AS posted,
       (SELECT h.held FROM ${schema}.held_through(:id, bound.t, :expired_by) h) AS held,
       (SELECT p.pending FROM ${schema}.pending_credits_through(:id, bound.t, :expired_by) p) AS pending
  FROM bound
