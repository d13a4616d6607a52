-- Balances for people querying the ledger by hand: the library's statements and the guard write the same
-- construction out (PostgreSQL never inlines a SQL function with sub-selects and would plan its body again on
-- every call).

-- Cumulative credits of an account over the transfers recorded at or before t: its newest checkpoint through t,
-- plus the credits recorded after the checkpoint.
CREATE OR REPLACE FUNCTION credits_as_of(acct text, t timestamptz) RETURNS numeric
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
    SELECT coalesce(cp.credits, 0)
         + coalesce((SELECT sum(x.amount) FROM ${flyway:defaultSchema}.transfer x
                      WHERE x.destination = acct AND x.recorded_at <= t
                        AND x.recorded_at > coalesce(cp.through, '-infinity')), 0)
      FROM (SELECT NULL) one
      LEFT JOIN LATERAL (SELECT c.credits, c.through FROM ${flyway:defaultSchema}.credit_checkpoint c
                          WHERE c.account = acct AND c.through <= t
                          ORDER BY c.through DESC LIMIT 1) cp ON true
$$;

-- Cumulative debits of an account over the transfers recorded at or before t (debits are dated in index order).
CREATE OR REPLACE FUNCTION debits_as_of(acct text, t timestamptz) RETURNS bigint
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
    SELECT coalesce((SELECT x.source_debits FROM ${flyway:defaultSchema}.transfer x
                      WHERE x.source = acct AND x.recorded_at <= t
                      ORDER BY x.recorded_at DESC, x.source_debits DESC LIMIT 1), 0)
$$;

-- The balance of an account just after the statement line (t, id): over the transfers ordered before or at
-- (recorded_at, id) = (t, id). With id = 'ffffffff-ffff-ffff-ffff-ffffffffffff' it is the balance as of t.
CREATE OR REPLACE FUNCTION balance_through(acct text, t timestamptz, line uuid) RETURNS numeric
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
    SELECT ${flyway:defaultSchema}.credits_as_of(acct, t)
         - coalesce((SELECT sum(x.amount) FROM ${flyway:defaultSchema}.transfer x
                      WHERE x.destination = acct AND x.recorded_at = t AND x.id > line), 0)
         - ${flyway:defaultSchema}.debits_as_of(acct, t)
         + coalesce((SELECT sum(x.amount) FROM ${flyway:defaultSchema}.transfer x
                      WHERE x.source = acct AND x.recorded_at = t AND x.id > line), 0)
$$;

