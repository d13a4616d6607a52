-- The time through which balances are summarised (null before the first summary).
SELECT max(s.sealed_through) FROM ${schema}.seal s JOIN ${schema}.seal_summarized d ON d.seq = s.seq
