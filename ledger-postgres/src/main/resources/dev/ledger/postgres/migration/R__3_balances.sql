-- Balances. The credit side is written once, here, in credits_through; every read of the library, the write
-- functions and the summariser use it. It is a set-returning SQL function without SET clause or SECURITY
-- DEFINER, so PostgreSQL inlines it into the query that calls it and plans it as part of that query (a scalar
-- function with sub-selects is never inlined and would be planned again on every call). Every name of the schema
-- in it is qualified, so a temporary table of the same name is never read in its place.

-- Cumulative credits of an account over the transfers recorded at or before t ('infinity': all), and the time of
-- the newest credit counted after its checkpoint (null when there is none): its newest checkpoint through t, plus
-- the credits recorded after the checkpoint (rows of credit, keyed by the account like the checkpoints).
CREATE OR REPLACE FUNCTION credits_through(acct text, t timestamptz)
    RETURNS TABLE (credits numeric, latest timestamptz)
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce(cp.credits, 0) + coalesce(x.total, 0), x.latest
      FROM (SELECT NULL) one
      LEFT JOIN LATERAL (SELECT c.credits, c.through FROM ${flyway:defaultSchema}.credit_checkpoint c
                          WHERE c.account = acct AND c.through <= t
                          ORDER BY c.through DESC LIMIT 1) cp ON true
      LEFT JOIN LATERAL (SELECT pg_catalog.sum(y.amount) AS total, pg_catalog.max(y.recorded_at) AS latest
                           FROM ${flyway:defaultSchema}.credit y
                          WHERE y.account = acct AND y.recorded_at <= t
                            AND y.recorded_at > coalesce(cp.through, '-infinity'::timestamptz)) x ON true
$$;

-- Cumulative debits of an account over the transfers recorded at or before t (debits are dated in index order).
CREATE OR REPLACE FUNCTION debits_through(acct text, t timestamptz)
    RETURNS TABLE (debits bigint)
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce((SELECT y.source_debits FROM ${flyway:defaultSchema}.transfer y
                                 WHERE y.source = acct AND y.recorded_at <= t
                                 ORDER BY y.recorded_at DESC, y.source_debits DESC LIMIT 1), 0)
$$;

-- The balance of an account just after the statement line (t, line): over the transfers ordered before or at
-- (recorded_at, id) = (t, line). With line = 'ffffffff-ffff-ffff-ffff-ffffffffffff' it is the balance as of t.
CREATE OR REPLACE FUNCTION balance_through(acct text, t timestamptz, line uuid)
    RETURNS TABLE (balance numeric)
    LANGUAGE sql STABLE
AS $$
    SELECT c.credits - d.debits
         - coalesce((SELECT pg_catalog.sum(y.amount) FROM ${flyway:defaultSchema}.credit y
                                 WHERE y.account = acct AND y.recorded_at = t AND y.id > line), 0)
         + coalesce((SELECT pg_catalog.sum(y.amount) FROM ${flyway:defaultSchema}.transfer y
                                 WHERE y.source = acct AND y.recorded_at = t AND y.id > line), 0)
      FROM ${flyway:defaultSchema}.credits_through(acct, t) c, ${flyway:defaultSchema}.debits_through(acct, t) d
$$;

-- For people querying by hand: the same, as scalars.
CREATE OR REPLACE FUNCTION credits_as_of(acct text, t timestamptz) RETURNS numeric
    LANGUAGE sql STABLE
AS $$
    SELECT c.credits FROM ${flyway:defaultSchema}.credits_through(acct, t) c
$$;

CREATE OR REPLACE FUNCTION debits_as_of(acct text, t timestamptz) RETURNS bigint
    LANGUAGE sql STABLE
AS $$
    SELECT d.debits FROM ${flyway:defaultSchema}.debits_through(acct, t) d
$$;
