-- The balance now: all credits (R__3_balances.sql) minus the newest row's cumulative debits.
SELECT EXISTS (SELECT 1 FROM ${schema}.account a WHERE a.id = :id) AS present,
       (SELECT c.credits FROM ${schema}.credits_through(:id, 'infinity'::timestamptz) c)
       - coalesce((SELECT t.source_debits FROM ${schema}.transfer t WHERE t.source = :id
                    ORDER BY t.source_index DESC LIMIT 1), 0) AS balance
