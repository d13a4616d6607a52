-- The balance summariser's one function: the only writer of seals, seal horizons and credit checkpoints, which it
-- computes itself (docs/design.md, "Balances that do not grow with history"). Each call is one step, at the start
-- of a transaction of its own, which the caller commits (or rolls back, for BUSY, IDLE and WAITING):
--   SEALED      inserted a seal through statement_timestamp() - p_seal_lag (at most now: never a seal in the
--               future), when no seal is pending and some transfer was recorded since the newest seal;
--   HORIZON     the pending seal is committed (visible to this transaction, which had no id when it read it):
--               recorded this transaction's id as the seal's horizon, assigned after the seal committed;
--   WAITING     a transaction with an id below the horizon is still running (it may have read the seals before
--               the pending one committed, and may still record behind it);
--   SUMMARIZED  every such transaction has ended: wrote, for each account credited in the sealed interval (a
--               pending transfer, a post or a void to it counts), its cumulative credits and its pending credits
--               through the seal (and through the end of every p_checkpoint_every-th credit
--               within the interval), and marked the seal summarised;
--   BUSY        another summariser of this schema holds the lock; IDLE nothing to do.
CREATE OR REPLACE FUNCTION summarizer_step(p_seal_lag interval, p_checkpoint_every integer DEFAULT 128)
    RETURNS TABLE (outcome text, checkpoints bigint)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, ${flyway:defaultSchema}, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    pending  bigint;
    through  timestamptz;
    horizon  xid8;
    previous timestamptz;
    written  bigint;
    -- The interval (previous, through] on the expression of the BRIN index, recorded_at - epoch: two finite
    -- bounds, so that the index skips every block range outside the interval (an open lower bound, or an OR with
    -- it, would read every range before the upper one). -1,000,000 years lies before every timestamptz.
    lo       interval;
    hi       interval;
BEGIN
    IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = '25001',
            MESSAGE = 'summarizer_step must be the first write of its transaction: commit before calling it';
    END IF;
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION USING ERRCODE = '25000',
            MESSAGE = format('the summariser runs under READ COMMITTED, not %s', current_setting('transaction_isolation'));
    END IF;
    IF p_seal_lag IS NULL OR p_seal_lag < interval '0' OR p_checkpoint_every IS NULL OR p_checkpoint_every < 1 THEN
        RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format('the seal lag must be at least 0 (not %s) and'
            ' checkpoints every 1 or more credits (not %s)', p_seal_lag, p_checkpoint_every);
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
        INSERT INTO ${flyway:defaultSchema}.seal (sealed_through)
        SELECT through
         WHERE through > previous
           AND EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.credit t
                        WHERE t.recorded_at > previous AND t.recorded_at <= through
                          AND t.recorded_at - '1970-01-01 00:00:00+00'::timestamptz > lo
                          AND t.recorded_at - '1970-01-01 00:00:00+00'::timestamptz <= hi);
        RETURN QUERY SELECT CASE WHEN FOUND THEN 'SEALED' ELSE 'IDLE' END, 0::bigint;
        RETURN;
    END IF;

    SELECT h.horizon INTO horizon FROM ${flyway:defaultSchema}.seal_horizon h WHERE h.seq = pending;
    IF horizon IS NULL THEN
        INSERT INTO ${flyway:defaultSchema}.seal_horizon (seq, horizon) VALUES (pending, pg_current_xact_id());
        RETURN QUERY SELECT 'HORIZON'::text, 0::bigint;
        RETURN;
    END IF;
    IF pg_snapshot_xmin(pg_current_snapshot()) < horizon THEN
        RETURN QUERY SELECT 'WAITING'::text, 0::bigint;
        RETURN;
    END IF;

    SELECT s.sealed_through INTO through FROM ${flyway:defaultSchema}.seal s WHERE s.seq = pending;
    SELECT coalesce(max(s.sealed_through), '-infinity') INTO previous
      FROM ${flyway:defaultSchema}.seal s JOIN ${flyway:defaultSchema}.seal_summarized d ON d.seq = s.seq;
    lo := CASE WHEN previous = '-infinity' THEN interval '-1000000 years'
               ELSE previous - '1970-01-01 00:00:00+00'::timestamptz END;
    hi := through - '1970-01-01 00:00:00+00'::timestamptz;
    WITH credited AS (
        SELECT t.account, t.recorded_at, coalesce(sum(t.amount) FILTER (WHERE t.kind IN (0, 2)), 0) AS amount,
               -- pending credits recorded (holds to the account) less those released (its posts and voids)
               coalesce(sum(t.amount) FILTER (WHERE t.kind = 1), 0) - coalesce(sum(t.released), 0) AS pend,
               count(*) AS n
          FROM ${flyway:defaultSchema}.credit t
         WHERE t.recorded_at > previous AND t.recorded_at <= through
           AND t.recorded_at - '1970-01-01 00:00:00+00'::timestamptz > lo
           AND t.recorded_at - '1970-01-01 00:00:00+00'::timestamptz <= hi
         GROUP BY t.account, t.recorded_at),
    running AS (
        SELECT c.account, c.recorded_at, c.n AS group_n,
               sum(c.amount) OVER w AS amount,
               sum(c.pend) OVER w AS pend,
               sum(c.n) OVER w AS n,
               row_number() OVER (PARTITION BY c.account ORDER BY c.recorded_at DESC) AS from_end
          FROM credited c
        WINDOW w AS (PARTITION BY c.account ORDER BY c.recorded_at ROWS UNBOUNDED PRECEDING)),
    points AS (
        SELECT r.account, CASE WHEN r.from_end = 1 THEN through ELSE r.recorded_at END AS through, r.amount,
               r.pend
          FROM running r
         WHERE r.from_end = 1 OR floor(r.n / p_checkpoint_every) > floor((r.n - r.group_n) / p_checkpoint_every)),
    ins AS (
        -- Each point adds its running credits to the account's cumulative credits through the previous seal, read
        -- per point (one index lookup; an account has one point per 128 credits at most). Not a join of the
        -- points with their distinct accounts: planned for a narrow seal interval, that join became a nested
        -- loop, quadratic in the accounts credited (2.7 s for 6,800 of them).
        -- The pending credits through the point likewise: those through the previous seal (the balance read of
        -- R__3_balances.sql), plus the running holds less releases, less the holds to the account expiring in
        -- (previous seal, point] unresolved (an index range of its holds by expiry: usually none).
        INSERT INTO ${flyway:defaultSchema}.credit_checkpoint AS cc (account, through, credits, pending)
        SELECT p.account, p.through, b.credits + p.amount,
               pb.pending + p.pend
               - coalesce((SELECT sum(y.amount) FROM ${flyway:defaultSchema}.credit y
                            WHERE y.account = p.account AND y.kind = 1 AND y.expires_at > previous
                              AND y.expires_at <= p.through
                              AND NOT EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.credit r
                                               WHERE r.account = p.account AND r.pending_id = y.id)), 0)
          FROM points p
          CROSS JOIN LATERAL ${flyway:defaultSchema}.credits_through(p.account, previous) b
          CROSS JOIN LATERAL ${flyway:defaultSchema}.pending_credits_through(p.account, previous, previous) pb
         -- Credits beyond bigint (only by tampering) leave that account without checkpoints, and its reads
         -- fail; every other account is still summarised, and verify() names it.
         WHERE b.credits + p.amount <= 9223372036854775807
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT count(*) INTO written FROM ins;
    INSERT INTO ${flyway:defaultSchema}.seal_summarized (seq) VALUES (pending);
    RETURN QUERY SELECT 'SUMMARIZED'::text, written;
END
$$;

REVOKE ALL ON FUNCTION summarizer_step(interval, integer) FROM PUBLIC;
