-- verify(): the balances over time: both legs of every transfer, by account in time order.
SELECT account, recorded_at, credit, amount, id, source, source_index
  FROM (SELECT source AS account, recorded_at, false AS credit, amount, id, source, source_index
          FROM ${schema}.transfer
        UNION ALL
        SELECT destination, recorded_at, true, amount, id, source, source_index
          FROM ${schema}.transfer) leg
 ORDER BY account, recorded_at
