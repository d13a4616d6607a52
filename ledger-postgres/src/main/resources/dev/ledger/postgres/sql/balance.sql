-- The balance now: all credits (R__3_balances.sql) minus the newest row's cumulative debits (account_head,
-- R__4_writes.sql). Only functions of the one account: on Citus each is a single-shard query (docs/scaling.md).
SELECT h.present, c.credits - h.debits AS balance
  FROM ${schema}.account_head(:id, true) h, ${schema}.credits_through(:id, 'infinity'::timestamptz) c
