-- The balance summariser's one function: the only writer of seals, seal horizons and credit checkpoints, which it
-- computes itself (docs/design.md, "Balances that do not grow with history"). Each call is one step, at the start
-- of a transaction of its own, which the caller commits (or rolls back, for BUSY, IDLE and WAITING):
--   SEALED      inserted a seal through statement_timestamp() - p_seal_lag (at most now: never a seal in the
--               future), when no seal is pending and some transfer was recorded since the newest seal;
--   HORIZON     the pending seal is committed (visible to this transaction, which had no id when it read it):
--               recorded this transaction's id as the seal's horizon, assigned after the seal committed;
--   WAITING     a transaction with an id below the horizon is still running (it may have read the seals before
--               the pending one committed, and may still record behind it); on Citus also while such a transaction
--               is still committing on a worker, or before the seal is committed on every worker (below);
--   SUMMARIZED  every such transaction has ended: wrote, for each account credited in the sealed interval (a
--               pending transfer, a post or a void to it counts), its cumulative credits and its pending credits
--               through the end of every p_checkpoint_every-th credit within the interval, and through the seal
--               when at least p_checkpoint_after credit rows follow its newest checkpoint by then (fewer are
--               left for a later seal: a read sums them, at most p_checkpoint_after - 1 more rows than at each
--               seal, and the summariser writes one row per account every p_checkpoint_after credits instead of
--               one per account per round); and marked the seal summarised;
--   BUSY        another summariser of this schema holds the lock; IDLE nothing to do.
--
-- On Citus (setting.distributed; docs/scaling.md, "The summariser on Citus") the horizon is a transaction id of the
-- coordinator, where every writer runs, and its snapshot is not enough: a transfer that wrote on two workers commits
-- on the coordinator first (it leaves the coordinator's snapshot) and then sends COMMIT PREPARED to each worker, so
-- for a moment its rows there are still invisible; and a worker that missed the COMMIT PREPARED (a lost connection,
-- a restart) holds the transaction prepared until Citus's recovery commits it. So the step also waits
--   * before taking the horizon, until the seal is committed on every worker holding a copy of the reference table
--     (a writer that reads any copy of the seal after the horizon was taken sees it);
--   * once the snapshot shows no transaction below the horizon, while a writer below the horizon still holds its
--     id lock (advisory 'LEDX', the low 32 bits of its transaction id, taken by append_transfers right after the
--     id and released only once Citus has finished committing on the workers), and then while a worker holds a
--     prepared transaction whose coordinator transaction (pg_dist_transaction.outer_xid, by gid) is below it.
-- In that order: a writer below the horizon is in the snapshot until its local commit, holds its lock from before
-- then until its commits on the workers are done or failed, and a failed one stays prepared.
-- The checkpoints are computed by one multi-shard read of the sealed interval's credits into arrays, then one query
-- over the arrays calling the functions of one account (Citus runs no shard query from inside another), and are
-- written one row per statement on Citus (an INSERT ... SELECT of many rows is a COPY, which Citus may leave out of
-- the two-phase commit on a connection it had only read through: see append_transfers).

-- On Citus: a command's one-line answer from every active worker (p_relation null), or from every other active node
-- holding a copy of p_relation's shard (the command's %s replaced by the shard's name there; a worker just added to
-- the cluster holds no copy of a reference table until Citus replicates it there; this node's copy is the one the
-- caller reads itself), run as the current user (in summarizer_step, the schema owner, who must be able to log in
-- to the workers: README, docs/scaling.md). A worker that does not answer is an error naming it and what it said,
-- so that a misconfigured cluster shows in every round's failure instead of holding the summaries back in silence.
CREATE OR REPLACE FUNCTION summarizer_worker_answers(p_command text, p_relation regclass)
    RETURNS TABLE (nodename text, nodeport integer, answer text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    names    text[];
    ports    integer[];
    commands text[];
    ok       boolean[];
    results  text[];
BEGIN
    IF p_relation IS NULL THEN
        SELECT array_agg(w.node_name), array_agg(w.node_port), array_agg(p_command)
          INTO names, ports, commands
          FROM pg_catalog.master_get_active_worker_nodes() w;
    ELSE
        SELECT array_agg(n.nodename ORDER BY n.nodeid), array_agg(n.nodeport ORDER BY n.nodeid),
               array_agg(replace(p_command, '%s', pg_catalog.shard_name(p_relation, d.shardid)) ORDER BY n.nodeid)
          INTO names, ports, commands
          FROM pg_catalog.pg_dist_shard d
          JOIN pg_catalog.pg_dist_placement p ON p.shardid = d.shardid
          JOIN pg_catalog.pg_dist_node n ON n.groupid = p.groupid
         WHERE d.logicalrelid = p_relation AND n.isactive AND n.noderole = 'primary'
           AND n.groupid <> (SELECT l.groupid FROM pg_catalog.pg_dist_local_group l);
    END IF;
    IF names IS NULL THEN
        RETURN;
    END IF;
    SELECT array_agg(w.node_name), array_agg(w.node_port), array_agg(w.success), array_agg(w.result)
      INTO names, ports, ok, results
      FROM pg_catalog.master_run_on_worker(names, ports, commands, true) w;
    IF false = ANY (ok) THEN
        RAISE EXCEPTION USING ERRCODE = '08001', MESSAGE = format('the balance summariser could not run on Citus'
            ' worker(s) %s; the schema owner %s must be able to log in to every worker (docs/scaling.md,'
            ' "Setting up")',
            (SELECT string_agg(format('%s:%s (%s)', u.n, u.p, u.r), ', ')
               FROM unnest(names, ports, ok, results) u(n, p, s, r) WHERE NOT u.s), current_user);
    END IF;
    RETURN QUERY SELECT u.n, u.p, u.r FROM unnest(names, ports, results) u(n, p, r);
END
$$;

REVOKE ALL ON FUNCTION summarizer_worker_answers(text, regclass) FROM PUBLIC;

DROP FUNCTION IF EXISTS summarizer_step(interval, integer);
CREATE OR REPLACE FUNCTION summarizer_step(p_seal_lag interval, p_checkpoint_every integer DEFAULT 128,
                                           p_checkpoint_after integer DEFAULT 1)
    RETURNS TABLE (outcome text, checkpoints bigint)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    dist      boolean;
    pending   bigint;
    through   timestamptz;
    horizon   xid8;
    previous  timestamptz;
    written   bigint := 0;
    n         bigint;
    credited  boolean;
    -- The interval (previous, through] on the expression of the BRIN index, recorded_at - epoch: two finite
    -- bounds, so that the index skips every block range outside the interval (an open lower bound, or an OR with
    -- it, would read every range before the upper one). -1,000,000 years lies before every timestamptz.
    lo        interval;
    hi        interval;
    -- the checkpoints: account, through, cumulative credits, pending credits
    c_account text[];
    c_through timestamptz[];
    c_credits bigint[];
    c_pending bigint[];
BEGIN
    IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = '25001',
            MESSAGE = 'summarizer_step must be the first write of its transaction: commit before calling it';
    END IF;
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION USING ERRCODE = '25000',
            MESSAGE = format('the summariser runs under READ COMMITTED, not %s', current_setting('transaction_isolation'));
    END IF;
    -- (both checkpoint counts capped at 128: a caller cannot make the reads sum more credits than that)
    IF p_seal_lag IS NULL OR p_seal_lag < interval '0' OR p_checkpoint_every IS NULL
       OR p_checkpoint_every NOT BETWEEN 1 AND 128 OR p_checkpoint_after IS NULL
       OR p_checkpoint_after NOT BETWEEN 1 AND 128 THEN
        RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format('the seal lag must be at least 0 (not %s), and'
            ' checkpoints every 1 to 128 credits (not %s) and after 1 to 128 credits (not %s)', p_seal_lag,
            p_checkpoint_every, p_checkpoint_after);
    END IF;
    dist := coalesce((SELECT t.distributed FROM ${flyway:defaultSchema}.setting t), false);
    IF dist THEN
        -- (as append_transfers: the lock below and the horizon are the coordinator's)
        IF NOT pg_catalog.citus_is_coordinator() THEN
            RAISE EXCEPTION USING ERRCODE = '55000', MESSAGE = 'on Citus, the summariser runs on the coordinator'
                ' only, not on a worker: its lock and its horizon are the coordinator''s';
        END IF;
        -- (each step reads the distributed credits, then writes a reference table: Citus allows that over one
        -- connection per node only)
        PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    END IF;
    IF NOT pg_try_advisory_xact_lock(1279607891, hashtext('${flyway:defaultSchema}')) THEN
        RETURN QUERY SELECT 'BUSY'::text, 0::bigint;
        RETURN;
    END IF;

    SELECT min(s.seq) INTO pending FROM ${flyway:defaultSchema}.seal s
     WHERE NOT EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.seal_summarized d WHERE d.seq = s.seq);
    IF pending IS NULL THEN
        SELECT coalesce(max(s.sealed_through), '-infinity') INTO previous FROM ${flyway:defaultSchema}.seal s;
        through := date_trunc('milliseconds', statement_timestamp()) - p_seal_lag;
        lo := CASE WHEN previous = '-infinity' THEN interval '-1000000 years'
                   ELSE previous - '1970-01-01 00:00:00+00'::timestamptz END;
        hi := through - '1970-01-01 00:00:00+00'::timestamptz;
        credited := through > previous
            AND EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.credit t
                         WHERE t.recorded_at > previous AND t.recorded_at <= through
                           AND t.recorded_at - '1970-01-01 00:00:00+00'::timestamptz > lo
                           AND t.recorded_at - '1970-01-01 00:00:00+00'::timestamptz <= hi);
        IF credited THEN
            INSERT INTO ${flyway:defaultSchema}.seal (sealed_through) VALUES (through);
        END IF;
        RETURN QUERY SELECT CASE WHEN credited THEN 'SEALED' ELSE 'IDLE' END, 0::bigint;
        RETURN;
    END IF;

    SELECT h.horizon INTO horizon FROM ${flyway:defaultSchema}.seal_horizon h WHERE h.seq = pending;
    IF horizon IS NULL THEN
        IF dist THEN
            -- the seal on every worker's copy of the reference table (its shard there, read directly)
            IF EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.summarizer_worker_answers(
                           'SELECT count(*) FROM %s WHERE seq = ' || pending, '${flyway:defaultSchema}.seal'::regclass) w
                        WHERE w.answer <> '1') THEN
                RETURN QUERY SELECT 'WAITING'::text, 0::bigint;
                RETURN;
            END IF;
        END IF;
        INSERT INTO ${flyway:defaultSchema}.seal_horizon (seq, horizon) VALUES (pending, pg_current_xact_id());
        RETURN QUERY SELECT 'HORIZON'::text, 0::bigint;
        RETURN;
    END IF;
    IF pg_snapshot_xmin(pg_current_snapshot()) < horizon THEN
        RETURN QUERY SELECT 'WAITING'::text, 0::bigint;
        RETURN;
    END IF;
    IF dist THEN
        -- a writer below the horizon still committing on the workers: its id lock (ids compared modulo 2^32, the
        -- way PostgreSQL compares 32-bit ids: every running id lies within 2^31 of the horizon)
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_locks l
                    WHERE l.locktype = 'advisory' AND l.classid = 1279607896 AND l.objsubid = 2
                      AND l.database = (SELECT b.oid FROM pg_catalog.pg_database b WHERE b.datname = current_database())
                      AND (horizon::text::bigint - l.objid::bigint + 4294967296) % 4294967296
                          BETWEEN 1 AND 2147483647) THEN
            RETURN QUERY SELECT 'WAITING'::text, 0::bigint;
            RETURN;
        END IF;
        -- a worker holding a prepared transaction of a coordinator transaction below the horizon
        IF EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.summarizer_worker_answers(
                       'SELECT coalesce(string_agg(gid, '' ''), '''') FROM pg_catalog.pg_prepared_xacts'
                       ' WHERE database = current_database()', NULL) w
                    WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_dist_transaction x
                                   WHERE x.gid = ANY (string_to_array(w.answer, ' ')) AND x.outer_xid < horizon
                                     AND x.groupid = (SELECT nd.groupid FROM pg_catalog.pg_dist_node nd
                                                       WHERE nd.nodename = w.nodename AND nd.nodeport = w.nodeport))) THEN
            RETURN QUERY SELECT 'WAITING'::text, 0::bigint;
            RETURN;
        END IF;
    END IF;

    SELECT s.sealed_through INTO through FROM ${flyway:defaultSchema}.seal s WHERE s.seq = pending;
    SELECT coalesce(max(s.sealed_through), '-infinity') INTO previous
      FROM ${flyway:defaultSchema}.seal s JOIN ${flyway:defaultSchema}.seal_summarized d ON d.seq = s.seq;
    lo := CASE WHEN previous = '-infinity' THEN interval '-1000000 years'
               ELSE previous - '1970-01-01 00:00:00+00'::timestamptz END;
    hi := through - '1970-01-01 00:00:00+00'::timestamptz;
    -- The points: for each account credited in (previous, through] (a pending transfer, a post or a void to it
    -- counts), the end of every p_checkpoint_every-th credit within the interval, and the seal (kept below only
    -- when at least p_checkpoint_after credit rows follow the account's newest checkpoint by then), each with the
    -- account's credits and pending credits (holds less releases) recorded since the previous seal; read into
    -- arrays. Each point adds them to the account's cumulative credits through the previous seal, read per point
    -- (one index lookup; an account has one point per 128 credits at most). Not a join of the points with their
    -- distinct accounts: planned for a narrow seal interval, that join became a nested loop, quadratic in the
    -- accounts credited (2.7 s for 6,800 of them). The pending credits through the point likewise: those through
    -- the previous seal as of the point (R__3_balances.sql: less the holds to the account expiring in between
    -- unresolved), plus the running holds less releases. Credits beyond bigint (only by tampering) leave that
    -- account without checkpoints, and its reads fail; every other account is still summarised, and verify()
    -- names it.
    WITH points AS (
        SELECT e.account, CASE WHEN e.from_end = 1 THEN through ELSE e.recorded_at END AS through, e.amount, e.pend,
               e.n, e.at_every
          FROM (SELECT r.*, floor(r.n / p_checkpoint_every) > floor((r.n - r.group_n) / p_checkpoint_every) AS at_every
          FROM (SELECT c.account, c.recorded_at, c.n AS group_n,
                       sum(c.amount) OVER w AS amount,
                       sum(c.pend) OVER w AS pend,
                       sum(c.n) OVER w AS n,
                       row_number() OVER (PARTITION BY c.account ORDER BY c.recorded_at DESC) AS from_end
                  FROM (SELECT t.account, t.recorded_at,
                               coalesce(sum(t.amount) FILTER (WHERE t.kind IN (0, 2)), 0) AS amount,
                               -- pending credits recorded (holds to the account) less those released (its posts
                               -- and voids)
                               coalesce(sum(t.amount) FILTER (WHERE t.kind = 1), 0) - coalesce(sum(t.released), 0)
                                   AS pend,
                               count(*) AS n
                          FROM ${flyway:defaultSchema}.credit t
                         WHERE t.recorded_at > previous AND t.recorded_at <= through
                           AND t.recorded_at - '1970-01-01 00:00:00+00'::timestamptz > lo
                           AND t.recorded_at - '1970-01-01 00:00:00+00'::timestamptz <= hi
                         GROUP BY t.account, t.recorded_at) c
                WINDOW w AS (PARTITION BY c.account ORDER BY c.recorded_at ROWS UNBOUNDED PRECEDING)) r) e
         WHERE e.from_end = 1 OR e.at_every),
    listed AS (
        SELECT array_agg(p.account) AS account, array_agg(p.through) AS through, array_agg(p.amount) AS amount,
               array_agg(p.pend) AS pend, array_agg(p.n) AS n, array_agg(p.at_every) AS at_every
          FROM points p)
    SELECT array_agg(p.account), array_agg(p.through), array_agg((b.credits + p.amount)::bigint),
           array_agg(pb.pending + p.pend::bigint)
      INTO c_account, c_through, c_credits, c_pending
      FROM listed l
     CROSS JOIN LATERAL unnest(l.account, l.through, l.amount, l.pend, l.n, l.at_every)
                        p(account, through, amount, pend, n, at_every)
     CROSS JOIN LATERAL ${flyway:defaultSchema}.credits_through(p.account, previous) b
     CROSS JOIN LATERAL ${flyway:defaultSchema}.pending_credits_through(p.account, previous, p.through) pb
     WHERE b.credits + p.amount <= 9223372036854775807
       -- (the seal's point only once enough credit rows follow the newest checkpoint: those through the previous
       -- seal that no checkpoint counts, plus the interval's)
       AND (p.at_every OR b.rows_after + p.n >= p_checkpoint_after);
    IF NOT dist THEN
        INSERT INTO ${flyway:defaultSchema}.credit_checkpoint (account, through, credits, pending)
        SELECT * FROM unnest(c_account, c_through, c_credits, c_pending)
        ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS written = ROW_COUNT;
    ELSE
        FOR i IN 1 .. coalesce(cardinality(c_account), 0) LOOP
            INSERT INTO ${flyway:defaultSchema}.credit_checkpoint (account, through, credits, pending)
            VALUES (c_account[i], c_through[i], c_credits[i], c_pending[i])
            ON CONFLICT DO NOTHING;
            GET DIAGNOSTICS n = ROW_COUNT;
            written := written + n;
        END LOOP;
    END IF;
    INSERT INTO ${flyway:defaultSchema}.seal_summarized (seq) VALUES (pending);
    RETURN QUERY SELECT 'SUMMARIZED'::text, written;
END
$$;

REVOKE ALL ON FUNCTION summarizer_step(interval, integer, integer) FROM PUBLIC;
