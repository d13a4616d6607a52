-- verify(): the balances over time: both legs of every transfer (debits from transfer, credits from credit), by
-- account in time order.
SELECT account, recorded_at, credit, amount, id, source, source_index
  FROM (SELECT source AS account, recorded_at, false AS credit, amount, id, source, source_index
          FROM ${schema}.transfer
        UNION ALL
        SELECT account, recorded_at, true, amount, id, source, source_index
          FROM ${schema}.credit) leg
 ORDER BY account, recorded_at
