-- The write API: the only way rows get into account, transfer and credit. Each function is SECURITY DEFINER (it runs with
-- the schema owner's rights, so the application role needs EXECUTE and no table privilege), pins
-- search_path = pg_catalog, <schema>, pg_temp (pg_temp last, so a session's temporary table is never read in place
-- of the ledger's), qualifies every name of the schema, and evaluates every rule once. EXECUTE is revoked from
-- PUBLIC; grant it as the README shows (open_issuer separately: opening an issuer mints money).
--
-- Locks, and why no wait cycle can form (docs/design.md, "Why it never deadlocks"). append_transfers takes, in
-- one order, before it reads anything it decides on:
--   1. the credit lock, advisory (1279607875 'LEDC', 0): shared, or exclusive for a credit that could bring an
--      account's cumulative credits near 2^63 (rare; see "Credit overflow");
--   2. the id locks, advisory shared (1279607881 'LEDI', transfer_id_lock(id)), in key order: findTransfer takes
--      one exclusively, holding nothing else, to wait for an attempt in flight;
--   3. the source accounts' rows, and those of destinations with an upper limit, FOR NO KEY UPDATE, in one
--      statement (on Citus one statement per account, after Citus's shard metadata lock of each of those accounts
--      in share mode, which only a shard move's write block waits for), in id order (COLLATE "C"): two debits of
--      one source (or two credits of one capped account) are serialised here instead of colliding on (source,
--      source_index) after the fact;
-- then it reads with a fresh snapshot, decides every item, and inserts all rows in one statement in id order, so
-- waits on the unique transfer id (two attempts with one new id) are in one order too. Every transaction takes
-- its locks in that global order and waits on nothing after its insert began except earlier ids: no cycle.
--
-- Advisory lock key space: only the two-integer form, pg_advisory_*(classid int4, objid int4), which never meets
-- the one-bigint form applications usually use. Classes: 'LEDC' credits, 'LEDI' transfer ids, 'LEDS' the
-- summariser, 'LEDX' on Citus a writer's own transaction id (taken before the others, on a key no other
-- transaction takes: never waited on; the summariser only reads it in pg_locks).
--
-- Error codes (SQLSTATE, constraint): 22004/22023 malformed arguments (the library never sends them); 25000
-- transfer_read_committed; 23514 account_time_not_future; 23505 account_pkey (account exists), transfer_id_key
-- (a concurrent attempt with the same id committed first: call again); 40001 transfer_credits_contended (call
-- again with p_exclusive_credits); LG002 the funding transfer of open_account was refused (HINT: its status).

-- The latest time a transfer or account may be dated now: the database clock plus the allowed skew.
CREATE OR REPLACE FUNCTION latest_allowed_time() RETURNS timestamptz
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
    SELECT pg_catalog.clock_timestamp()
         + coalesce((SELECT s.max_clock_skew FROM ${flyway:defaultSchema}.setting s), interval '1 minute')
$$;

-- An instant as Java's Instant.toString writes it (ISO 8601 in UTC, the fraction in groups of three digits), for
-- messages that name instants the caller gave.
CREATE OR REPLACE FUNCTION instant_text(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN extract(microseconds FROM t)::bigint % 1000000 = 0 THEN ''
                WHEN extract(microseconds FROM t)::bigint % 1000 = 0 THEN '.' || to_char(t AT TIME ZONE 'UTC', 'MS')
                ELSE '.' || to_char(t AT TIME ZONE 'UTC', 'US') END
        || 'Z'
$$;

-- The detail of INSUFFICIENT_FUNDS: the balance, what is held, the lower limit, the amount.
CREATE OR REPLACE FUNCTION insufficient_funds(acct text, balance numeric, held bigint, lower_limit bigint,
    amount bigint) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT format('account %s has %s%s: the amount %s would take it below', acct,
                  CASE WHEN held = 0 THEN format('balance %s', balance)
                       ELSE format('available balance %s (%s held)', balance - held, held) END,
                  CASE WHEN lower_limit = 0 THEN '' ELSE format(' and lower limit %s', lower_limit) END, amount)
$$;

-- The advisory lock key of a transfer id within class 'LEDI': one of 64, so that a batch takes at most 64 id
-- locks whatever its size (a collision only makes findTransfer wait for an unrelated attempt).
CREATE OR REPLACE FUNCTION transfer_id_lock(id uuid) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT pg_catalog.hashtext(id::text) & 63
$$;

-- What append_transfers reads of one account of a batch: the account (present false when there is none) and, for a
-- source (or a capped destination), its newest transfer row: the next index, cumulative debits, time, chain hash
-- and holds. Like credits_through, a SQL function without SET clause, inlined into the query that calls it (an
-- index probe per account, whatever the batch's size); every name qualified. On Citus (docs/scaling.md) it reads
-- one account's co-located rows.
CREATE OR REPLACE FUNCTION account_head(acct text, with_head boolean)
    RETURNS TABLE (present boolean, currency text, issuer boolean, lower_limit bigint, upper_limit bigint, next bigint,
                   debits bigint, head_at timestamptz, held bigint, hash bytea)
    LANGUAGE sql STABLE
AS $$
    SELECT a.id IS NOT NULL, a.currency, coalesce(a.issuer, false), a.lower_limit, a.upper_limit,
           coalesce(h.source_index OPERATOR(pg_catalog.+) 1, 0), coalesce(h.source_debits, 0), h.recorded_at,
           coalesce(h.source_held, 0),
           coalesce(h.chain_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::pg_catalog.bytea)
      FROM (SELECT NULL) one
      -- (LIMIT 1: a probe of the primary key, never a join the generic plan could turn into a scan of every account)
      LEFT JOIN LATERAL (SELECT a.id, a.currency, a.issuer, a.lower_limit, a.upper_limit
                           FROM ${flyway:defaultSchema}.account a WHERE a.id = acct LIMIT 1) a ON true
      LEFT JOIN LATERAL (SELECT t.source_index, t.source_debits, t.recorded_at, t.chain_hash, t.source_held
                           FROM ${flyway:defaultSchema}.transfer t
                          WHERE (with_head OR a.upper_limit IS NOT NULL) AND t.source = acct
                          ORDER BY t.source_index DESC LIMIT 1) h ON true
$$;

-- The transfer recorded under an id, if any (inlined, as account_head). LIMIT 1 (the id is unique: it changes no
-- result) keeps the inlined query a subquery of its own, probed through transfer_id_key once per item. Without it the
-- planner pulled the query up into append_transfers' join of the batch's items; the generic plan, made once per
-- session while the table was small, then hashed a sequential scan of every transfer in each call, a cost growing
-- with history until an ANALYZE replanned it (in the hot-accounts benchmark: 386 buffer hits per call instead of 9,
-- half of the ledger's server time; QueryPlanTest).
CREATE OR REPLACE FUNCTION transfer_by_id(tid uuid)
    RETURNS TABLE (id uuid, source text, source_index bigint, destination text, amount bigint, currency text,
                   recorded_at timestamptz, reference text, metadata jsonb, kind smallint, pending_id uuid,
                   expires_at timestamptz)
    LANGUAGE sql STABLE
AS $$
    SELECT y.id, y.source, y.source_index, y.destination, y.amount, y.currency, y.recorded_at, y.reference,
           y.metadata, y.kind, y.pending_id, y.expires_at
      FROM ${flyway:defaultSchema}.transfer y WHERE y.id = tid
     LIMIT 1
$$;

-- Records a batch of transfers (one is a batch of one). Items are decided in list order, each seeing the effect of
-- the earlier ones. One result row per item, pos 1..n, status:
--   OK (source_index, recorded_at of the new row), EXISTING (the id is recorded: e_* is that transfer, the same
--   content), ID_REUSED (recorded with other content: e_* is it), SOURCE_NOT_FOUND, DESTINATION_NOT_FOUND,
--   FUNDING_ACCOUNT_NOT_ISSUER, CURRENCY_MISMATCH, INSUFFICIENT_FUNDS, DEBITS_OVERFLOW, CREDITS_OVERFLOW,
--   INVALID_INSTANT, TIME_NOT_FUTURE; ABORTED (linked batch: another item failed, nothing was written);
--   CLOCK_AHEAD (one row, pos 0: p_not_before is later than the database clock plus the allowed skew).
-- p_linked: all or nothing. p_funding: every source must be an issuer (opening balances). p_metadata: per item a
-- JSON object of strings, or NULL (none); NULL for the whole array when no item has metadata. e_metadata is the
-- existing transfer's, as metadata_pairs.
-- Two-phase transfers (NULL arrays: every item immediate): p_kinds 0 immediate, 1 pending, 2 post, 3 void;
-- p_pending_ids the pending transfer a post or void resolves; a pending item's expiry is p_expires, or its recorded
-- time plus p_timeouts, or none. More statuses: INVALID_EXPIRY, PENDING_NOT_FOUND, PENDING_MISMATCH,
-- POST_EXCEEDS_PENDING, PENDING_ALREADY_POSTED, PENDING_ALREADY_VOIDED, PENDING_EXPIRED. expires_at is a new pending
-- transfer's expiry; e_kind, e_pending_id, e_expires_at the existing transfer's.
DROP FUNCTION IF EXISTS append_transfers(uuid[], text[], text[], bigint[], text[], text[], timestamptz, boolean,
    boolean, boolean, text[]);
CREATE OR REPLACE FUNCTION append_transfers(
    p_ids uuid[], p_sources text[], p_destinations text[], p_amounts bigint[], p_currencies text[],
    p_references text[], p_not_before timestamptz, p_linked boolean, p_funding boolean DEFAULT false,
    p_exclusive_credits boolean DEFAULT false, p_metadata text[] DEFAULT NULL, p_kinds smallint[] DEFAULT NULL,
    p_pending_ids uuid[] DEFAULT NULL, p_expires timestamptz[] DEFAULT NULL, p_timeouts interval[] DEFAULT NULL)
    RETURNS TABLE (pos integer, status text, detail text, source_index bigint, recorded_at timestamptz,
                   e_id uuid, e_source text, e_source_index bigint, e_destination text, e_amount bigint,
                   e_currency text, e_recorded_at timestamptz, e_reference text, e_metadata text[],
                   expires_at timestamptz, e_kind smallint, e_pending_id uuid, e_expires_at timestamptz)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
    -- The statements' parameters are arrays: custom plans would see each call's sizes, cost less than the generic
    -- plan's guess, and be planned again on every call (planning was 60% of a transfer). One generic plan each.
    SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
    n          integer := coalesce(cardinality(p_ids), 0);
    my_xid     xid8;
    db_now     timestamptz;
    skew       interval;
    dist       boolean;
    lock_id    text;
    sealed     timestamptz;
    bad        bigint;
    -- The accounts of the batch, by slot (sorted by id).
    acct       text[];
    a_src      boolean[];
    a_found    boolean[];
    a_currency text[];
    a_issuer   boolean[];
    a_lower    bigint[];
    a_upper    bigint[];
    a_locked   boolean[];
    capped     text[];
    a_next     bigint[];
    a_debits   bigint[];
    a_head_at  timestamptz[];
    a_hash     bytea[];
    a_credits  numeric[];
    a_added    numeric[];
    a_latest   timestamptz[];
    -- Per account: its holds (pending debits) as of a_head_at, and the change of its pending credits in this batch.
    a_held     bigint[];
    a_held_at  timestamptz[];
    a_pc_added bigint[];
    -- Per item: kind, pending id, and the expiry the caller asked for (an instant or a timeout).
    kinds      smallint[];
    pids       uuid[];
    exps       timestamptz[];
    tmos       interval[];
    o_exp      timestamptz[];
    o_held     bigint[];
    o_released bigint[];
    x_kind     smallint[];
    x_pid      uuid[];
    x_exp      timestamptz[];
    -- The pending transfers this batch records (their ids and fields), and the pending ids it resolves (and how).
    b_ids      uuid[] := '{}';
    b_src      text[] := '{}';
    b_dst      text[] := '{}';
    b_amount   bigint[] := '{}';
    b_exp      timestamptz[] := '{}';
    r_ids      uuid[] := '{}';
    r_kinds    smallint[] := '{}';
    k          smallint;
    posted     bigint;
    v_exp      timestamptz;
    pend       record;
    pend_res   smallint;
    pst        text;
    pdet       text;
    pcred      bigint;
    expired    bigint;
    -- The items.
    s_slot     integer[];
    d_slot     integer[];
    prev_same  integer[];
    o_status   text[];
    o_detail   text[];
    o_index    bigint[];
    o_at       timestamptz[];
    o_debits   bigint[];
    o_hash     bytea[];
    o_ref      integer[];
    x_id       uuid[];
    x_source   text[];
    x_index    bigint[];
    x_dest     text[];
    x_amount   bigint[];
    x_currency text[];
    x_at       timestamptz[];
    x_ref      text[];
    x_meta     jsonb[];
    meta       jsonb[];
    failed     integer := 0;
    i          integer;
    j          integer;
    ok_order   integer[];
    s          integer;
    d          integer;
    v_amount     bigint;
    v_at         timestamptz;
    st         text;
    det        text;
BEGIN
    IF n = 0 OR n > 8192 THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = format('a batch holds 1 to 8192 transfers, not %s', n);
    END IF;
    IF cardinality(p_sources) IS DISTINCT FROM n OR cardinality(p_destinations) IS DISTINCT FROM n
       OR cardinality(p_amounts) IS DISTINCT FROM n OR cardinality(p_currencies) IS DISTINCT FROM n
       OR cardinality(p_references) IS DISTINCT FROM n THEN
        RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'the argument arrays of a batch have one length';
    END IF;
    IF p_not_before IS NULL OR p_linked IS NULL OR p_funding IS NULL OR p_exclusive_credits IS NULL
       OR array_position(p_ids, NULL) IS NOT NULL OR array_position(p_sources, NULL) IS NOT NULL
       OR array_position(p_destinations, NULL) IS NOT NULL OR array_position(p_amounts, NULL) IS NOT NULL
       OR array_position(p_currencies, NULL) IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = '22004', MESSAGE = 'a transfer needs id, source, destination, amount and currency';
    END IF;
    SELECT min(u.ord) FILTER (WHERE u.amt <= 0 OR u.src = u.dst OR char_length(u.ref) > 256),
           coalesce((SELECT t.max_clock_skew FROM ${flyway:defaultSchema}.setting t), interval '1 minute'),
           coalesce((SELECT t.distributed FROM ${flyway:defaultSchema}.setting t), false)
      INTO bad, skew, dist
      FROM unnest(p_sources, p_destinations, p_amounts, p_references) WITH ORDINALITY u(src, dst, amt, ref, ord);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format('item %s: the amount must be positive, source and'
            ' destination distinct, the reference at most 256 characters', bad);
    END IF;
    -- The advisory locks below order the writers of one node: on Citus every call runs on the coordinator
    -- (docs/design.md, "On Citus"), never on a worker, where Citus would also let it run. (Nested: the inner
    -- expression is planned only where Citus, and its function, exist.)
    IF dist THEN
        IF NOT pg_catalog.citus_is_coordinator() THEN
            RAISE EXCEPTION USING ERRCODE = '55000', MESSAGE = 'on Citus, transfers are recorded through the'
                ' coordinator only, not through a worker: the ledger orders concurrent writers with advisory locks'
                ' on one node';
        END IF;
    END IF;
    IF p_metadata IS NOT NULL THEN
        IF cardinality(p_metadata) IS DISTINCT FROM n THEN
            RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'the argument arrays of a batch have one length';
        END IF;
        meta := p_metadata::jsonb[];
        -- (each item's problem found once: the first one named, by position)
        SELECT format('item %s: %s', x.ord, x.problem) INTO det
          FROM (SELECT u.ord, ${flyway:defaultSchema}.metadata_problem(u.m) AS problem
                  FROM unnest(meta) WITH ORDINALITY u(m, ord) WHERE u.m IS NOT NULL) x
         WHERE x.problem IS NOT NULL
         ORDER BY x.ord LIMIT 1;
        IF det IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = det;
        END IF;
    ELSE
        meta := array_fill(NULL::jsonb, ARRAY[n]);
    END IF;
    kinds := coalesce(p_kinds, array_fill(0::smallint, ARRAY[n]));
    pids := coalesce(p_pending_ids, array_fill(NULL::uuid, ARRAY[n]));
    exps := coalesce(p_expires, array_fill(NULL::timestamptz, ARRAY[n]));
    tmos := coalesce(p_timeouts, array_fill(NULL::interval, ARRAY[n]));
    IF cardinality(kinds) <> n OR cardinality(pids) <> n OR cardinality(exps) <> n OR cardinality(tmos) <> n THEN
        RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'the argument arrays of a batch have one length';
    END IF;
    -- (nothing to check when every two-phase array is NULL: every item is immediate)
    IF p_kinds IS NOT NULL OR p_pending_ids IS NOT NULL OR p_expires IS NOT NULL OR p_timeouts IS NOT NULL THEN
        SELECT min(u.ord) INTO bad
          FROM unnest(kinds, pids, exps, tmos) WITH ORDINALITY u(k, pid, e, tmo, ord)
         WHERE u.k IS NULL OR u.k NOT BETWEEN 0 AND 3 OR (u.k IN (2, 3)) <> (u.pid IS NOT NULL)
            OR (u.k <> 1 AND (u.e IS NOT NULL OR u.tmo IS NOT NULL)) OR (u.e IS NOT NULL AND u.tmo IS NOT NULL)
            OR u.tmo <= interval '0';
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format('item %s: a kind is 0 to 3; a post or void (2, 3)'
                ' names a pending id and nothing else does; only a pending transfer (1) has an expiry, an instant or a'
                ' positive timeout', bad);
        END IF;
    END IF;
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION USING ERRCODE = '25000', CONSTRAINT = 'transfer_read_committed',
            MESSAGE = format('transfers are recorded under READ COMMITTED, not %s',
                             current_setting('transaction_isolation'));
    END IF;
    db_now := clock_timestamp();
    IF p_not_before > db_now + skew THEN
        RETURN QUERY SELECT 0, 'CLOCK_AHEAD'::text, format('the ledger clock reads %s, later than the database clock'
            ' %s plus the allowed skew %s (setting.max_clock_skew); nothing was recorded', p_not_before, db_now, skew),
            NULL::bigint, NULL::timestamptz, NULL::uuid, NULL::text, NULL::bigint, NULL::text, NULL::bigint,
            NULL::text, NULL::timestamptz, NULL::text, NULL::text[], NULL::timestamptz, NULL::smallint, NULL::uuid,
            NULL::timestamptz;
        RETURN;
    END IF;

    -- A transaction id before the seal is read: the summariser waits for every transaction whose id is older than
    -- one it takes after its seal committed, so none can record behind a seal it did not see.
    my_xid := pg_current_xact_id();
    IF dist THEN
        -- On Citus this transaction leaves the coordinator's snapshot before its commits on the workers are done;
        -- the summariser waits for this lock, held until they are (R__5_summarizer.sql). Its own key: never waited on.
        PERFORM pg_advisory_xact_lock_shared(1279607896, my_xid::text::bigint::bit(32)::integer);
    END IF;
    IF p_exclusive_credits THEN
        PERFORM pg_advisory_xact_lock(1279607875, 0);
    ELSE
        PERFORM pg_advisory_xact_lock_shared(1279607875, 0);
    END IF;
    PERFORM count(pg_advisory_xact_lock_shared(1279607881, k.b))
       FROM (SELECT DISTINCT ${flyway:defaultSchema}.transfer_id_lock(u.id) AS b FROM unnest(p_ids) u(id)
              ORDER BY 1 OFFSET 0) k;
    -- The capped destinations come from a partial index (usually empty); then one index scan in id order.
    capped := ARRAY(SELECT c.id FROM ${flyway:defaultSchema}.account c
                     WHERE c.id = ANY (p_destinations) AND c.upper_limit IS NOT NULL);
    IF NOT dist THEN
        PERFORM count(*)
           FROM (SELECT a.id FROM ${flyway:defaultSchema}.account a WHERE a.id = ANY (p_sources || capped)
                  ORDER BY a.id COLLATE "C" FOR NO KEY UPDATE OF a) l;
    ELSE
        -- On Citus, first the shard metadata lock of each account to lock, in share mode (shard id order): Citus
        -- takes none for a SELECT ... FOR UPDATE, and a shard move waits for it before switching the account to its
        -- new placement, which would otherwise happen under the row lock below, held on the old placement; a credit
        -- to a capped account decided on the new one would not wait for this transaction (CitusShardMoveTest).
        PERFORM pg_catalog.lock_shard_metadata(5, ARRAY(
            SELECT DISTINCT pg_catalog.get_shard_id_for_distribution_column('${flyway:defaultSchema}.account', w.a)
              FROM unnest(p_sources || capped) w(a) ORDER BY 1));
        -- (Citus locks rows only in statements of one shard: one statement per account, in the same order)
        FOR lock_id IN SELECT DISTINCT w.a COLLATE "C" FROM unnest(p_sources || capped) w(a) ORDER BY 1 LOOP
            PERFORM 1 FROM ${flyway:defaultSchema}.account a WHERE a.id = lock_id FOR NO KEY UPDATE OF a;
        END LOOP;
    END IF;

    -- Everything below reads with snapshots taken after the locks. The accounts of the batch, sorted, with what
    -- the items need of each (aggregates over an ordered subquery: one sort, not one per array).
    SELECT array_agg(q.id), array_agg(q.src), array_agg(q.found), array_agg(q.currency), array_agg(q.issuer),
           array_agg(q.lower_limit), array_agg(q.upper_limit), array_agg(q.locked), array_agg(q.next),
           array_agg(q.debits), array_agg(q.head_at), array_agg(q.hash), array_agg(q.credits),
           array_agg(q.latest), array_agg(q.held), (SELECT max(sl.sealed_through) FROM ${flyway:defaultSchema}.seal sl)
      INTO acct, a_src, a_found, a_currency, a_issuer, a_lower, a_upper, a_locked, a_next, a_debits, a_head_at, a_hash,
           a_credits, a_latest, a_held,
           sealed
      FROM (SELECT k.id, k.src, a.present AS found, a.currency, a.issuer, a.lower_limit, a.upper_limit,
                   -- (compared with the few capped ones only: every account against every locked id was quadratic)
                   a.upper_limit IS NULL OR k.id = ANY (capped) AS locked,
                   a.next, a.debits, a.head_at, a.held, a.hash, c.credits, c.latest
              FROM (SELECT v.a AS id, bool_or(v.src) AS src
                      FROM (SELECT w.a, true AS src FROM unnest(p_sources) w(a)
                            UNION ALL SELECT w.a, false FROM unnest(p_destinations) w(a)) v
                     GROUP BY v.a) k
              -- (functions of one account: inlined here, an index probe each; on Citus, router queries)
              LEFT JOIN LATERAL ${flyway:defaultSchema}.account_head(k.id, k.src) a ON true
              LEFT JOIN LATERAL ${flyway:defaultSchema}.credits_through(k.id, 'infinity'::timestamptz) c ON true
             ORDER BY k.id) q;
    -- Per item: its accounts' slots, the previous item with the same id, and the transfer already recorded under
    -- its id, if any.
    SELECT array_agg(u.s_slot), array_agg(u.d_slot), array_agg(u.prev), array_agg(u.id), array_agg(u.source),
           array_agg(u.source_index), array_agg(u.destination), array_agg(u.amount), array_agg(u.currency),
           array_agg(u.recorded_at), array_agg(u.reference), array_agg(u.metadata), array_agg(u.kind),
           array_agg(u.pending_id), array_agg(u.expires_at)
      INTO s_slot, d_slot, prev_same, x_id, x_source, x_index, x_dest, x_amount, x_currency, x_at, x_ref, x_meta,
           x_kind, x_pid, x_exp
      FROM (SELECT ss.slot::integer AS s_slot, ds.slot::integer AS d_slot, v.prev::integer AS prev, t.id, t.source,
                   t.source_index, t.destination, t.amount, t.currency, t.recorded_at, t.reference, t.metadata,
                   t.kind, t.pending_id, t.expires_at
              FROM (SELECT x.id, x.src, x.dst, x.ord, lag(x.ord) OVER (PARTITION BY x.id ORDER BY x.ord) AS prev
                      FROM unnest(p_ids, p_sources, p_destinations) WITH ORDINALITY x(id, src, dst, ord)) v
              JOIN unnest(acct) WITH ORDINALITY ss(a, slot) ON ss.a = v.src
              JOIN unnest(acct) WITH ORDINALITY ds(a, slot) ON ds.a = v.dst
              -- LATERAL: one index probe per item, whatever the generic plan guesses about the batch's size
              LEFT JOIN LATERAL ${flyway:defaultSchema}.transfer_by_id(v.id) t ON true
             ORDER BY v.ord) u;
    a_added := array_fill(0::numeric, ARRAY[cardinality(acct)]);
    a_pc_added := array_fill(0::bigint, ARRAY[cardinality(acct)]);
    a_held_at := a_head_at;
    o_exp := array_fill(NULL::timestamptz, ARRAY[n]);
    o_held := array_fill(NULL::bigint, ARRAY[n]);
    o_released := array_fill(NULL::bigint, ARRAY[n]);

    -- (a record with the fields of a pending transfer, read by the guarded checks below before any post sets it)
    SELECT NULL::text AS source, NULL::text AS destination, NULL::bigint AS amount, NULL::text AS currency,
           NULL::timestamptz AS expires_at INTO pend;
    o_status := array_fill(NULL::text, ARRAY[n]);
    o_detail := array_fill(NULL::text, ARRAY[n]);
    o_index := array_fill(NULL::bigint, ARRAY[n]);
    o_at := array_fill(NULL::timestamptz, ARRAY[n]);
    o_debits := array_fill(NULL::bigint, ARRAY[n]);
    o_hash := array_fill(NULL::bytea, ARRAY[n]);
    o_ref := array_fill(NULL::integer, ARRAY[n]);

    FOR i IN 1..n LOOP
        IF failed > 0 THEN
            o_status[i] := 'ABORTED';
            CONTINUE;
        END IF;
        st := NULL;
        k := kinds[i];
        IF x_id[i] IS NULL AND prev_same[i] IS NOT NULL AND o_ref[prev_same[i]] IS NOT NULL THEN
            -- The id was recorded by an earlier item of this batch: a replay of it.
            j := o_ref[prev_same[i]];
            o_ref[i] := j;
            x_id[i] := p_ids[j];
            x_source[i] := p_sources[j];
            x_index[i] := o_index[j];
            x_dest[i] := p_destinations[j];
            x_amount[i] := p_amounts[j];
            x_currency[i] := p_currencies[j];
            x_at[i] := o_at[j];
            x_ref[i] := p_references[j];
            x_meta[i] := meta[j];
            x_kind[i] := kinds[j];
            x_pid[i] := pids[j];
            x_exp[i] := o_exp[j];
        END IF;
        IF x_id[i] IS NOT NULL THEN
            IF x_source[i] = p_sources[i] AND x_dest[i] = p_destinations[i] AND x_amount[i] = p_amounts[i]
               AND x_currency[i] = p_currencies[i] AND x_ref[i] IS NOT DISTINCT FROM p_references[i]
               AND x_meta[i] IS NOT DISTINCT FROM meta[i] AND x_kind[i] = k AND x_pid[i] IS NOT DISTINCT FROM pids[i]
               AND x_exp[i] IS NOT DISTINCT FROM coalesce(exps[i], x_at[i] + tmos[i]) THEN
                st := 'EXISTING';
            ELSE
                st := 'ID_REUSED';
                det := format('transfer id %s was recorded as %s -> %s %s %s%s%s%s, not as %s -> %s %s %s%s%s%s',
                              p_ids[i], x_source[i], x_dest[i], x_amount[i], x_currency[i],
                              coalesce(' reference ' || quote_literal(x_ref[i]), ''),
                              coalesce(' metadata ' || x_meta[i]::text, ''),
                              CASE x_kind[i] WHEN 0 THEN '' WHEN 1 THEN ' pending'
                                   || coalesce(' expiring at ' || ${flyway:defaultSchema}.instant_text(x_exp[i]), '')
                                   ELSE CASE x_kind[i] WHEN 2 THEN ' posting ' ELSE ' voiding ' END || x_pid[i] END,
                              p_sources[i], p_destinations[i], p_amounts[i], p_currencies[i],
                              coalesce(' reference ' || quote_literal(p_references[i]), ''),
                              coalesce(' metadata ' || meta[i]::text, ''),
                              CASE k WHEN 0 THEN '' WHEN 1 THEN ' pending'
                                   || coalesce(' expiring at ' || ${flyway:defaultSchema}.instant_text(exps[i]),
                                               coalesce(' expiring after ' || tmos[i], ''))
                                   ELSE CASE k WHEN 2 THEN ' posting ' ELSE ' voiding ' END || pids[i] END);
            END IF;
        ELSE
            s := s_slot[i];
            d := d_slot[i];
            v_amount := p_amounts[i];
            v_at := greatest(p_not_before, a_head_at[s], a_latest[s] + interval '1 microsecond',
                           sealed + interval '1 microsecond');
            IF a_upper[d] IS NOT NULL THEN
                -- a capped destination's credit follows its every earlier transfer (all under its row lock)
                v_at := greatest(v_at, a_head_at[d], a_latest[d]);
            END IF;
            -- The source's holds as of v_at: a_held[s] holds as of a_held_at[s] (its newest row's time, or a later
            -- v_at of this batch), less the holds expiring since, unresolved (in the table or in this batch). Only
            -- for a source holding something; v_at never goes back for a source within a batch.
            IF a_held[s] > 0 AND v_at > a_held_at[s] THEN
                -- (a query of its own, SELECT INTO: Citus cannot route an assignment whose expression reads a table)
                SELECT coalesce(sum(y.amount), 0) INTO expired FROM ${flyway:defaultSchema}.transfer y
                 WHERE y.source = p_sources[i] AND y.kind = 1 AND y.expires_at > a_held_at[s]
                   AND y.expires_at <= v_at AND y.id <> ALL (r_ids)
                   AND NOT EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.transfer r
                                    WHERE r.source = y.source AND r.pending_id = y.id);
                a_held[s] := a_held[s] - expired
                    - coalesce((SELECT sum(b.amount) FROM unnest(b_ids, b_src, b_amount, b_exp) b(id, src, amount, e)
                                 WHERE b.src = p_sources[i] AND b.e > a_held_at[s] AND b.e <= v_at
                                   AND b.id <> ALL (r_ids)), 0);
                a_held_at[s] := v_at;
            END IF;
            -- A capped destination's pending credits as of v_at. (A statement of its own, run only for a capped
            -- destination: a sub-select in a condition would make PL/pgSQL run that condition through the executor
            -- for every item, 15-20 us each.)
            IF a_upper[d] IS NOT NULL THEN
                pcred := (SELECT pc.pending
                            FROM ${flyway:defaultSchema}.pending_credits_through(p_destinations[i], v_at, v_at) pc);
            END IF;
            IF k = 0 THEN
                posted := v_amount;
            ELSE
                -- A pending transfer's expiry; a post's or void's pending transfer and its resolution, if any.
                posted := CASE WHEN k = 2 THEN v_amount ELSE 0 END;
                v_exp := CASE WHEN k = 1 THEN coalesce(exps[i], v_at + tmos[i]) END;
                pend_res := NULL;
                pst := NULL;
                IF k IN (2, 3) THEN
                    -- A post or void: its pending transfer, a row of the same source (recorded, or earlier in the batch).
                    j := array_position(b_ids, pids[i]);
                    IF j IS NOT NULL THEN
                        SELECT b_src[j] AS source, b_dst[j] AS destination, b_amount[j] AS amount,
                               p_currencies[array_position(p_ids, pids[i])] AS currency, b_exp[j] AS expires_at INTO pend;
                    ELSE
                        SELECT y.source, y.destination, y.amount, y.currency, y.expires_at INTO pend
                          FROM ${flyway:defaultSchema}.transfer y
                         WHERE y.id = pids[i] AND y.source = p_sources[i] AND y.kind = 1;
                    END IF;
                    j := array_position(r_ids, pids[i]);
                    IF j IS NOT NULL THEN
                        pend_res := r_kinds[j];
                    ELSIF pend.source IS NOT NULL THEN
                        SELECT r.kind INTO pend_res FROM ${flyway:defaultSchema}.transfer r
                         WHERE r.source = p_sources[i] AND r.pending_id = pids[i];
                    END IF;
                    IF pend.source IS NULL THEN
                        pst := 'PENDING_NOT_FOUND';
                        pdet := format('%s %s names %s, which is not a pending transfer of %s',
                                       CASE k WHEN 2 THEN 'post' ELSE 'void' END, p_ids[i], pids[i], p_sources[i]);
                    ELSIF pend.destination <> p_destinations[i] OR pend.currency <> p_currencies[i]
                          OR (k = 3 AND pend.amount <> v_amount) THEN
                        pst := 'PENDING_MISMATCH';
                        pdet := format('%s %s of pending %s names %s %s %s; the pending transfer is %s -> %s %s %s',
                                       CASE k WHEN 2 THEN 'post' ELSE 'void' END, p_ids[i], pids[i], p_destinations[i],
                                       v_amount, p_currencies[i], p_sources[i], pend.destination, pend.amount,
                                       pend.currency);
                    ELSIF pend_res IS NOT NULL THEN
                        pst := CASE pend_res WHEN 2 THEN 'PENDING_ALREADY_POSTED' ELSE 'PENDING_ALREADY_VOIDED' END;
                        pdet := format('pending transfer %s was already %s', pids[i],
                                       CASE pend_res WHEN 2 THEN 'posted' ELSE 'voided' END);
                    ELSIF v_at >= pend.expires_at THEN
                        pst := 'PENDING_EXPIRED';
                        pdet := format('pending transfer %s expired at %s; the %s would be recorded at %s', pids[i],
                                       ${flyway:defaultSchema}.instant_text(pend.expires_at),
                                       CASE k WHEN 2 THEN 'post' ELSE 'void' END,
                                       ${flyway:defaultSchema}.instant_text(v_at));
                    ELSIF k = 2 AND v_amount > pend.amount THEN
                        pst := 'POST_EXCEEDS_PENDING';
                        pdet := format('post %s of %s exceeds the %s pending transfer %s holds', p_ids[i], v_amount,
                                       pend.amount, pids[i]);
                    END IF;
                END IF;
            END IF;
            -- One chain of checks for every kind (the two-phase ones guarded by k: an immediate item evaluates the
            -- guards and nothing else of them).
            IF NOT a_found[s] THEN
                st := 'SOURCE_NOT_FOUND';
                det := format('source account %s does not exist', p_sources[i]);
            ELSIF p_funding AND NOT a_issuer[s] THEN
                st := 'FUNDING_ACCOUNT_NOT_ISSUER';
                det := format('account %s funds the opening balance of %s but is not an issuer', p_sources[i],
                              p_destinations[i]);
            ELSIF NOT a_found[d] THEN
                st := 'DESTINATION_NOT_FOUND';
                det := format('destination account %s does not exist', p_destinations[i]);
            ELSIF a_upper[d] IS NOT NULL AND NOT a_locked[d] THEN
                -- Opened (with a cap) after the locks were taken, so not locked: decided as of the locks, when it
                -- did not exist yet (a credit to a capped account is checked only under its lock).
                st := 'DESTINATION_NOT_FOUND';
                det := format('destination account %s was opened while this transfer was being decided',
                              p_destinations[i]);
            ELSIF a_currency[s] <> p_currencies[i] OR a_currency[d] <> p_currencies[i] THEN
                st := 'CURRENCY_MISMATCH';
                det := format('transfer in %s from %s (%s) to %s (%s)', p_currencies[i], p_sources[i],
                              a_currency[s], p_destinations[i], a_currency[d]);
            ELSIF k >= 2 AND pst IS NOT NULL THEN
                -- (a post or void that does not resolve its pending transfer: decided above)
                st := pst;
                det := pdet;
            ELSIF k < 2 AND NOT a_issuer[s] AND a_credits[s] - a_debits[s] - a_held[s] - v_amount < a_lower[s] THEN
                -- (a debit or a hold: available, posted minus held, stays at or above the lower limit)
                st := 'INSUFFICIENT_FUNDS';
                det := ${flyway:defaultSchema}.insufficient_funds(p_sources[i], a_credits[s] - a_debits[s], a_held[s],
                                                                  a_lower[s], v_amount);
            ELSIF k < 2 AND a_upper[d] IS NOT NULL
                  AND a_credits[d] - a_debits[d] + a_pc_added[d] + pcred + v_amount > a_upper[d] THEN
                -- (a credit or a hold for a capped account: posted plus pending credits stay at or below the cap)
                st := 'UPPER_LIMIT_EXCEEDED';
                det := format('account %s has balance %s and upper limit %s: a credit of %s would take it above',
                              p_destinations[i], a_credits[d] - a_debits[d], a_upper[d], v_amount);
            ELSIF a_debits[s]::numeric + (CASE WHEN k < 2 THEN a_held[s]::numeric + v_amount ELSE posted END)
                  > 9223372036854775807 THEN
                st := 'DEBITS_OVERFLOW';
                det := format('cumulative debits of %s are %s (%s more held); adding %s overflows', p_sources[i],
                              a_debits[s], a_held[s], v_amount);
            ELSIF k = 1 AND (v_exp <= v_at OR v_exp > '9999-12-31 23:59:59.999999+00'::timestamptz) THEN
                st := 'INVALID_EXPIRY';
                det := format('pending transfer %s would be recorded at %s and expire at %s; it must expire after it'
                              ' is recorded', p_ids[i], ${flyway:defaultSchema}.instant_text(v_at),
                              ${flyway:defaultSchema}.instant_text(v_exp));
            ELSIF a_credits[d] + posted > 9223372036854775807 THEN
                st := 'CREDITS_OVERFLOW';
                det := format('cumulative credits of %s are %s; adding %s overflows', p_destinations[i],
                              a_credits[d], posted);
            ELSIF v_at > '9999-12-31 23:59:59.999999+00'::timestamptz THEN
                st := 'INVALID_INSTANT';
                det := format('account %s was credited or debited at %s, the latest instant a ledger records; no'
                              ' debit can follow it', p_sources[i], v_at - interval '1 microsecond');
            ELSIF v_at > db_now + skew THEN
                st := 'TIME_NOT_FUTURE';
                det := format('transfer %s would be dated %s, later than the database clock %s plus the allowed skew'
                              ' %s (setting.max_clock_skew); nothing was recorded', p_ids[i], v_at, db_now, skew);
            ELSIF NOT p_exclusive_credits
                  AND (a_added[d] + posted > 4398046511104 OR a_credits[d] + posted > 4611686018427387904) THEN
                -- Under the shared credit lock a transaction adds at most 2^42 to an account and may bring it to
                -- 2^62 at most: the other shared holders in flight add less than 2^61, so the total stays below
                -- 2^63. Beyond that, the call is made again with the exclusive lock (nothing was written yet).
                RAISE EXCEPTION USING ERRCODE = '40001', CONSTRAINT = 'transfer_credits_contended',
                    MESSAGE = format('crediting %s to %s (cumulative credits %s) needs the exclusive credit lock;'
                                     ' call again with p_exclusive_credits', posted, p_destinations[i], a_credits[d]);
            ELSE
                st := 'OK';
                o_ref[i] := i;
                o_index[i] := a_next[s];
                a_next[s] := a_next[s] + 1;
                a_debits[s] := a_debits[s] + posted;
                o_debits[i] := a_debits[s];
                a_head_at[s] := v_at;
                o_at[i] := v_at;
                IF k <> 0 THEN
                    o_exp[i] := v_exp;
                    IF k = 1 THEN
                        a_held[s] := a_held[s] + v_amount;
                        a_pc_added[d] := a_pc_added[d] + v_amount;
                        b_ids := b_ids || p_ids[i];
                        b_src := b_src || p_sources[i];
                        b_dst := b_dst || p_destinations[i];
                        b_amount := b_amount || v_amount;
                        b_exp := b_exp || coalesce(v_exp, 'infinity'::timestamptz);
                    ELSE
                        a_held[s] := a_held[s] - pend.amount;
                        a_pc_added[d] := a_pc_added[d] - pend.amount;
                        o_released[i] := pend.amount;
                        r_ids := r_ids || pids[i];
                        r_kinds := r_kinds || k;
                    END IF;
                END IF;
                o_held[i] := a_held[s];
                o_hash[i] := sha256(a_hash[s] || ${flyway:defaultSchema}.transfer_content(p_ids[i], p_sources[i],
                    o_index[i], p_destinations[i], v_amount, p_currencies[i], v_at, p_references[i], meta[i], k,
                    pids[i], CASE WHEN k = 1 THEN v_exp END));
                a_hash[s] := o_hash[i];
                a_credits[d] := a_credits[d] + posted;
                a_added[d] := a_added[d] + posted;
                a_latest[d] := greatest(a_latest[d], v_at);
            END IF;
        END IF;
        o_status[i] := st;
        o_detail[i] := det;
        det := NULL;
        IF p_linked AND st NOT IN ('OK', 'EXISTING') THEN
            failed := i;
        END IF;
    END LOOP;

    IF failed > 0 THEN
        FOR i IN 1..failed - 1 LOOP
            o_status[i] := 'ABORTED';
        END LOOP;
    ELSE
        IF NOT dist THEN
            -- The transfer rows, then their credit rows (the same rows keyed by destination), in one statement.
            WITH recorded AS (
                INSERT INTO ${flyway:defaultSchema}.transfer AS t (source, source_index, id, destination, amount,
                            currency, recorded_at, reference, source_debits, created_xid, chain_hash, metadata, kind,
                            pending_id, expires_at, source_held)
                SELECT u.src, u.idx, u.id, u.dst, u.amt, u.cur, u.ts, u.ref, u.deb, my_xid, u.h, u.m, u.k, u.pid, u.e,
                       u.held
                  FROM unnest(p_ids, p_sources, o_index, p_destinations, p_amounts, p_currencies, o_at, p_references,
                              o_debits, o_hash, o_status, meta, kinds, pids, o_exp, o_held, o_released)
                       AS u(id, src, idx, dst, amt, cur, ts, ref, deb, h, st, m, k, pid, e, held, rel)
                 WHERE u.st = 'OK'
                 ORDER BY u.id
                RETURNING t.destination, t.recorded_at, t.id, t.amount, t.source, t.source_index, t.currency,
                          t.reference, t.metadata, t.kind, t.pending_id, t.expires_at)
            INSERT INTO ${flyway:defaultSchema}.credit (account, recorded_at, id, amount, source, source_index, currency,
                        reference, metadata, kind, pending_id, expires_at, released)
            SELECT r.destination, r.recorded_at, r.id, r.amount, r.source, r.source_index, r.currency, r.reference,
                   r.metadata, r.kind, r.pending_id, r.expires_at,
                   CASE WHEN r.kind IN (2, 3) THEN o_released[array_position(p_ids, r.id)] END
              FROM recorded r;
        ELSE
            -- The recorded items in id order (as the rows are written on one node).
            ok_order := ARRAY(SELECT u.ord FROM unnest(p_ids, o_status) WITH ORDINALITY u(id, st, ord)
                               WHERE u.st = 'OK' ORDER BY u.id);
            -- On Citus, the ids' own table keeps them unique across sources (R__6_distribution.sql). Its keys are
            -- the only ones two calls can wait for each other on (two first attempts with one new id): inserted one
            -- row a statement, in id order, as on one node (one statement across shards would write them in
            -- parallel, in no fixed order; and Citus reports a unique violation of INSERT ... SELECT as XX000, of
            -- INSERT ... VALUES as 23505). A shard's violation comes without the constraint's name: named here.
            BEGIN
                FOREACH j IN ARRAY ok_order LOOP
                    INSERT INTO ${flyway:defaultSchema}.transfer_id (id, source) VALUES (p_ids[j], p_sources[j]);
                END LOOP;
            EXCEPTION WHEN unique_violation THEN
                RAISE EXCEPTION USING ERRCODE = '23505', CONSTRAINT = 'transfer_id_key', MESSAGE = SQLERRM;
            END;
            -- On Citus, each row by its own INSERT ... VALUES (a router write), in id order. Citus writes an
            -- INSERT ... SELECT's rows to a shard by COPY over a connection it may count as read-only when this
            -- transaction only read through it before: that worker was then left out of the two-phase commit and
            -- committed after the coordinator, so its failure at commit lost the credit of a recorded debit
            -- (CitusLedgerStoreTest, a deferred trigger failing on the destination's shard).
            FOREACH j IN ARRAY ok_order LOOP
                INSERT INTO ${flyway:defaultSchema}.transfer (source, source_index, id, destination, amount, currency,
                            recorded_at, reference, source_debits, created_xid, chain_hash, metadata, kind, pending_id,
                            expires_at, source_held)
                VALUES (p_sources[j], o_index[j], p_ids[j], p_destinations[j], p_amounts[j], p_currencies[j], o_at[j],
                        p_references[j], o_debits[j], my_xid, o_hash[j], meta[j], kinds[j], pids[j], o_exp[j],
                        o_held[j]);
                INSERT INTO ${flyway:defaultSchema}.credit (account, recorded_at, id, amount, source, source_index,
                            currency, reference, metadata, kind, pending_id, expires_at, released)
                VALUES (p_destinations[j], o_at[j], p_ids[j], p_amounts[j], p_sources[j], o_index[j], p_currencies[j],
                        p_references[j], meta[j], kinds[j], pids[j], o_exp[j],
                        CASE WHEN kinds[j] IN (2, 3) THEN o_released[j] END);
            END LOOP;
        END IF;
    END IF;

    RETURN QUERY
        SELECT u.ord::integer, u.st, u.det, u.idx, u.ts, u.xid, u.xsrc, u.xidx, u.xdst, u.xamt, u.xcur, u.xat, u.xref,
               CASE WHEN u.xmeta IS NOT NULL THEN ${flyway:defaultSchema}.metadata_pairs(u.xmeta) END,
               u.exp, u.xkind, u.xpid, u.xexp
          FROM unnest(o_status, o_detail, o_index, o_at, x_id, x_source, x_index, x_dest, x_amount, x_currency, x_at,
                      x_ref, x_meta, o_exp, x_kind, x_pid, x_exp) WITH ORDINALITY
               AS u(st, det, idx, ts, xid, xsrc, xidx, xdst, xamt, xcur, xat, xref, xmeta, exp, xkind, xpid, xexp, ord)
         ORDER BY u.ord;
END
$$;

-- Inserts an account dated no later than the database clock plus the allowed skew. Not granted to anyone: called
-- by open_account and open_issuer.
CREATE OR REPLACE FUNCTION insert_account(p_id text, p_currency text, p_issuer boolean, p_opened_at timestamptz,
    p_lower_limit bigint, p_upper_limit bigint)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
DECLARE
    detail text;
BEGIN
    IF p_opened_at IS NULL OR p_opened_at > ${flyway:defaultSchema}.latest_allowed_time() THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'account_time_not_future',
            MESSAGE = format('opened_at %s of account %s is later than the database clock %s plus the allowed skew'
                             ' (setting.max_clock_skew)', p_opened_at, p_id, clock_timestamp());
    END IF;
    INSERT INTO ${flyway:defaultSchema}.account (id, currency, issuer, opened_at, lower_limit, upper_limit)
    VALUES (p_id, p_currency, p_issuer, p_opened_at, p_lower_limit, p_upper_limit);
EXCEPTION WHEN unique_violation THEN
    -- (Citus relays a shard's unique violation without the constraint's name: named here, for both)
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RAISE EXCEPTION USING ERRCODE = '23505', CONSTRAINT = 'account_pkey', MESSAGE = SQLERRM, DETAIL = detail;
END
$$;

-- Opens an account and, when p_funding_id is given, records its opening balance from the issuer p_funded_by in the
-- same transaction (the account is not opened if that transfer is refused: LG002, HINT the status of
-- append_transfers). Not granted to anyone: open_account and open_issuer call it.
CREATE OR REPLACE FUNCTION open_funded(p_issuer boolean, p_id text, p_currency text, p_opened_at timestamptz,
    p_funding_id uuid, p_funded_by text, p_amount bigint, p_reference text, p_exclusive_credits boolean,
    p_lower_limit bigint, p_upper_limit bigint)
    RETURNS TABLE (source_index bigint, recorded_at timestamptz)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    r record;
BEGIN
    PERFORM ${flyway:defaultSchema}.insert_account(p_id, p_currency, p_issuer, p_opened_at, p_lower_limit,
        p_upper_limit);
    IF p_funding_id IS NULL THEN
        RETURN;
    END IF;
    SELECT * INTO r FROM ${flyway:defaultSchema}.append_transfers(ARRAY[p_funding_id], ARRAY[p_funded_by],
        ARRAY[p_id], ARRAY[p_amount], ARRAY[p_currency], ARRAY[p_reference], p_opened_at, true, true,
        coalesce(p_exclusive_credits, false));
    IF r.status <> 'OK' THEN
        RAISE EXCEPTION USING ERRCODE = 'LG002', HINT = r.status,
            MESSAGE = coalesce(r.detail, format('funding transfer id %s is already recorded, for %s -> %s',
                                                p_funding_id, r.e_source, r.e_destination));
    END IF;
    RETURN QUERY SELECT r.source_index, r.recorded_at;
END
$$;

-- Opens an ordinary account (optionally with its opening balance from an issuer, with an overdraft line: a
-- negative p_lower_limit, and with an upper limit).
CREATE OR REPLACE FUNCTION open_account(p_id text, p_currency text, p_opened_at timestamptz,
    p_funding_id uuid DEFAULT NULL, p_funded_by text DEFAULT NULL, p_amount bigint DEFAULT NULL,
    p_reference text DEFAULT NULL, p_exclusive_credits boolean DEFAULT false, p_lower_limit bigint DEFAULT 0,
    p_upper_limit bigint DEFAULT NULL)
    RETURNS TABLE (source_index bigint, recorded_at timestamptz)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
    SELECT f.source_index, f.recorded_at FROM ${flyway:defaultSchema}.open_funded(false, p_id, p_currency, p_opened_at,
        p_funding_id, p_funded_by, p_amount, p_reference, p_exclusive_credits, coalesce(p_lower_limit, 0),
        p_upper_limit) f
$$;

-- Opens an issuer: an account with no lower bound, whose debits create money. A privilege of its own.
CREATE OR REPLACE FUNCTION open_issuer(p_id text, p_currency text, p_opened_at timestamptz,
    p_funding_id uuid DEFAULT NULL, p_funded_by text DEFAULT NULL, p_amount bigint DEFAULT NULL,
    p_reference text DEFAULT NULL, p_exclusive_credits boolean DEFAULT false)
    RETURNS TABLE (source_index bigint, recorded_at timestamptz)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
    SELECT f.source_index, f.recorded_at FROM ${flyway:defaultSchema}.open_funded(true, p_id, p_currency, p_opened_at,
        p_funding_id, p_funded_by, p_amount, p_reference, p_exclusive_credits, NULL, NULL) f
$$;

REVOKE ALL ON FUNCTION append_transfers(uuid[], text[], text[], bigint[], text[], text[], timestamptz, boolean, boolean,
    boolean, text[], smallint[], uuid[], timestamptz[], interval[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION insert_account(text, text, boolean, timestamptz, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION open_funded(boolean, text, text, timestamptz, uuid, text, bigint, text, boolean, bigint, bigint)
    FROM PUBLIC;
REVOKE ALL ON FUNCTION open_account(text, text, timestamptz, uuid, text, bigint, text, boolean, bigint, bigint)
    FROM PUBLIC;
REVOKE ALL ON FUNCTION open_issuer(text, text, timestamptz, uuid, text, bigint, text, boolean) FROM PUBLIC;
