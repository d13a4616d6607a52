-- verify(): every account's credits as the balances read them (newest checkpoint plus the credits after it). The accounts
-- first (a materialized CTE: on Citus an intermediate result), then credits_through per account (on Citus a
-- single-shard query each).
WITH accounts AS MATERIALIZED (SELECT a.id FROM ${schema}.account a)
SELECT accounts.id, c.credits
  FROM accounts, LATERAL ${schema}.credits_through(accounts.id, 'infinity'::timestamptz) c
