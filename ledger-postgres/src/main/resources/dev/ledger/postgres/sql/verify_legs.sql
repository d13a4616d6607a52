-- verify(): the balances over time: both legs of every transfer (debits from transfer, credits from credit), by
-- account in time order; the amount a leg moves the posted balance by (0 for a pending transfer or a void, whose
-- holds verify() follows from the transfers).
SELECT account, recorded_at, credit, amount, id, source, source_index
  FROM (SELECT source AS account, recorded_at, false AS credit, CASE WHEN kind IN (1, 3) THEN 0 ELSE amount END
                   AS amount, id, source, source_index
          FROM ${schema}.transfer
        UNION ALL
        SELECT account, recorded_at, true, CASE WHEN kind IN (1, 3) THEN 0 ELSE amount END, id, source, source_index
          FROM ${schema}.credit) leg
 ORDER BY account, recorded_at
