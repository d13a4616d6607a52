-- Balances. The credit side is written once, here, in credits_through; every read of the library, the write
-- functions and the summariser use it. It is a set-returning SQL function without SET clause or SECURITY
-- DEFINER, so PostgreSQL inlines it into the query that calls it and plans it as part of that query (a scalar
-- function with sub-selects is never inlined and would be planned again on every call). Every name of the schema
-- in it is qualified, so a temporary table of the same name is never read in its place.

-- Cumulative credits of an account over the transfers recorded at or before t ('infinity': all), the time of the
-- newest credit row counted after its checkpoint (null when there is none), and how many such rows there are: its
-- newest checkpoint through t, plus the credits recorded after the checkpoint (rows of credit, keyed by the account
-- like the checkpoints). Only immediate transfers and posts (kind 0 and 2) credit; a pending transfer's or a void's
-- row is dated like a credit (a debit of the account is dated after it) but credits nothing.
DROP FUNCTION IF EXISTS credits_through(text, timestamptz);
CREATE OR REPLACE FUNCTION credits_through(acct text, t timestamptz)
    RETURNS TABLE (credits numeric, latest timestamptz, rows_after bigint)
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce(cp.credits, 0) + coalesce(x.total, 0), x.latest, x.n
      FROM (SELECT NULL) one
      LEFT JOIN LATERAL (SELECT c.credits, c.through FROM ${flyway:defaultSchema}.credit_checkpoint c
                          WHERE c.account = acct AND c.through <= t
                          ORDER BY c.through DESC LIMIT 1) cp ON true
      LEFT JOIN LATERAL (SELECT pg_catalog.sum(y.amount) FILTER (WHERE y.kind IN (0, 2)) AS total,
                                pg_catalog.max(y.recorded_at) AS latest, pg_catalog.count(*) AS n
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

-- The pending debits of an account over its rows recorded at or before t, as of the instant e (e = t for a balance
-- as of t; t = 'infinity' and e = now for the balance now): the holds of its newest such row (source_held, as of that
-- row's time), less those expiring in (that time, e] unresolved. A hold expiring by e was resolved, if ever, before
-- its expiry, so by that row: "unresolved" is "no resolution at all". When e is before that row's time (a clock
-- behind the newest row, for the balance now) the holds expiring in (e, that time] unresolved are added back: they
-- have not expired yet at e. Reads the holds expiring between the newest row and e, never the account's history.
DROP FUNCTION IF EXISTS held_through(text, timestamptz);
CREATE OR REPLACE FUNCTION held_through(acct text, t timestamptz, e timestamptz)
    RETURNS TABLE (held bigint)
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce(h.source_held, 0)
         - coalesce((SELECT pg_catalog.sum(CASE WHEN y.expires_at <= e THEN y.amount ELSE -y.amount END)
                       FROM ${flyway:defaultSchema}.transfer y
                      WHERE y.source = acct AND y.kind = 1
                        AND y.expires_at > LEAST(h.recorded_at, e) AND y.expires_at <= GREATEST(h.recorded_at, e)
                        AND NOT EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.transfer r
                                         WHERE r.source = acct AND r.pending_id = y.id)), 0)::bigint
      FROM (SELECT NULL) one
      LEFT JOIN LATERAL (SELECT y.source_held, y.recorded_at FROM ${flyway:defaultSchema}.transfer y
                          WHERE y.source = acct AND y.recorded_at <= t
                          ORDER BY y.recorded_at DESC, y.source_debits DESC, y.source_index DESC LIMIT 1) h ON true
$$;

-- The pending credits of an account over the rows recorded at or before t, as of the instant e (as held_through):
-- its newest checkpoint's, plus the pending transfers to it recorded since (through t], less the holds their
-- resolutions released since, less the holds to it expiring since (through e] unresolved (or plus those expiring in
-- (e, through] when e is before the checkpoint). Each term is a difference of quantities that only grow in time (holds recorded, released, expired), so
-- the checkpoint's value plus the differences is exact; the rows read are those since the checkpoint.
DROP FUNCTION IF EXISTS pending_credits_through(text, timestamptz);
CREATE OR REPLACE FUNCTION pending_credits_through(acct text, t timestamptz, e timestamptz)
    RETURNS TABLE (pending bigint)
    LANGUAGE sql STABLE
AS $$
    SELECT (coalesce(cp.pending, 0) + coalesce(x.held, 0) - coalesce(x.released, 0)
            - coalesce((SELECT pg_catalog.sum(CASE WHEN y.expires_at <= e THEN y.amount ELSE -y.amount END)
                          FROM ${flyway:defaultSchema}.credit y
                         WHERE y.account = acct AND y.kind = 1
                           AND y.expires_at > LEAST(coalesce(cp.through, '-infinity'::timestamptz), e)
                           AND y.expires_at <= GREATEST(coalesce(cp.through, '-infinity'::timestamptz), e)
                           AND NOT EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.credit r
                                            WHERE r.account = acct AND r.pending_id = y.id)), 0))::bigint
      FROM (SELECT NULL) one
      LEFT JOIN LATERAL (SELECT c.pending, c.through FROM ${flyway:defaultSchema}.credit_checkpoint c
                          WHERE c.account = acct AND c.through <= t
                          ORDER BY c.through DESC LIMIT 1) cp ON true
      LEFT JOIN LATERAL (SELECT pg_catalog.sum(y.amount) FILTER (WHERE y.kind = 1) AS held,
                                pg_catalog.sum(y.released) AS released
                           FROM ${flyway:defaultSchema}.credit y
                          WHERE y.account = acct AND y.recorded_at <= t
                            AND y.recorded_at > coalesce(cp.through, '-infinity'::timestamptz)) x ON true
$$;

-- The credits and debits of an account recorded at exactly t and ordered after the statement line (t, line), id
-- order: what balance_through takes back from the balance as of t.
CREATE OR REPLACE FUNCTION after_line(acct text, t timestamptz, line uuid)
    RETURNS TABLE (credits numeric, debits numeric)
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce((SELECT pg_catalog.sum(y.amount) FROM ${flyway:defaultSchema}.credit y
                      WHERE y.account = acct AND y.recorded_at = t AND y.id > line AND y.kind IN (0, 2)), 0),
           coalesce((SELECT pg_catalog.sum(y.amount) FROM ${flyway:defaultSchema}.transfer y
                      WHERE y.source = acct AND y.recorded_at = t AND y.id > line AND y.kind IN (0, 2)), 0)
$$;

-- The balance of an account just after the statement line (t, line): over the transfers ordered before or at
-- (recorded_at, id) = (t, line). With line = 'ffffffff-ffff-ffff-ffff-ffffffffffff' it is the balance as of t.
-- (Functions only, no table: on Citus each is a single-shard query, R__6_distribution.sql.)
CREATE OR REPLACE FUNCTION balance_through(acct text, t timestamptz, line uuid)
    RETURNS TABLE (balance numeric)
    LANGUAGE sql STABLE
AS $$
    SELECT c.credits - d.debits - l.credits + l.debits
      FROM ${flyway:defaultSchema}.credits_through(acct, t) c, ${flyway:defaultSchema}.debits_through(acct, t) d,
           ${flyway:defaultSchema}.after_line(acct, t, line) l
$$;

-- Whether the account exists.
CREATE OR REPLACE FUNCTION account_present(acct text)
    RETURNS TABLE (present boolean)
    LANGUAGE sql STABLE
AS $$
    SELECT EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.account a WHERE a.id = acct)
$$;

-- The kind of the transfer that resolved the pending transfer pid of source src (2 post, 3 void), if any.
CREATE OR REPLACE FUNCTION resolution_kind(src text, pid uuid)
    RETURNS TABLE (kind smallint)
    LANGUAGE sql STABLE
AS $$
    SELECT r.kind FROM ${flyway:defaultSchema}.transfer r WHERE r.source = src AND r.pending_id = pid
$$;

-- A page of an account's statement lines, its debits (transfer rows of the source) and credits (credit rows),
-- in (recorded_at, id) order after the cursor (after_at, after_id) exclusive, within [t_from, t_to): forward, and
-- backward below. Both sides of one account: one shard on Citus.
CREATE OR REPLACE FUNCTION statement_lines_forward(acct text, t_from timestamptz, t_to timestamptz,
    after_at timestamptz, after_id uuid, n integer)
    RETURNS TABLE (id uuid, source text, source_index bigint, destination text, amount bigint, currency text,
                   recorded_at timestamptz, reference text, metadata jsonb, kind smallint, pending_id uuid,
                   expires_at timestamptz)
    LANGUAGE sql STABLE
AS $$
    SELECT * FROM (
        (SELECT y.id, y.source, y.source_index, y.destination, y.amount, y.currency, y.recorded_at, y.reference,
                y.metadata, y.kind, y.pending_id, y.expires_at
           FROM ${flyway:defaultSchema}.transfer y
          WHERE y.source = acct AND y.recorded_at >= t_from AND y.recorded_at < t_to
            AND (y.recorded_at, y.id) > (after_at, after_id)
          ORDER BY y.recorded_at, y.id LIMIT n)
        UNION ALL
        (SELECT y.id, y.source, y.source_index, y.account, y.amount, y.currency, y.recorded_at, y.reference,
                y.metadata, y.kind, y.pending_id, y.expires_at
           FROM ${flyway:defaultSchema}.credit y
          WHERE y.account = acct AND y.recorded_at >= t_from AND y.recorded_at < t_to
            AND (y.recorded_at, y.id) > (after_at, after_id)
          ORDER BY y.recorded_at, y.id LIMIT n)) both_sides
     ORDER BY 7, 1 LIMIT n
$$;

CREATE OR REPLACE FUNCTION statement_lines_backward(acct text, t_from timestamptz, t_to timestamptz,
    after_at timestamptz, after_id uuid, n integer)
    RETURNS TABLE (id uuid, source text, source_index bigint, destination text, amount bigint, currency text,
                   recorded_at timestamptz, reference text, metadata jsonb, kind smallint, pending_id uuid,
                   expires_at timestamptz)
    LANGUAGE sql STABLE
AS $$
    SELECT * FROM (
        (SELECT y.id, y.source, y.source_index, y.destination, y.amount, y.currency, y.recorded_at, y.reference,
                y.metadata, y.kind, y.pending_id, y.expires_at
           FROM ${flyway:defaultSchema}.transfer y
          WHERE y.source = acct AND y.recorded_at >= t_from AND y.recorded_at < t_to
            AND (y.recorded_at, y.id) < (after_at, after_id)
          ORDER BY y.recorded_at DESC, y.id DESC LIMIT n)
        UNION ALL
        (SELECT y.id, y.source, y.source_index, y.account, y.amount, y.currency, y.recorded_at, y.reference,
                y.metadata, y.kind, y.pending_id, y.expires_at
           FROM ${flyway:defaultSchema}.credit y
          WHERE y.account = acct AND y.recorded_at >= t_from AND y.recorded_at < t_to
            AND (y.recorded_at, y.id) < (after_at, after_id)
          ORDER BY y.recorded_at DESC, y.id DESC LIMIT n)) both_sides
     ORDER BY 7 DESC, 1 DESC LIMIT n
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
