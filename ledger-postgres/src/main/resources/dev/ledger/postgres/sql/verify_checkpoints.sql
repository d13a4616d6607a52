-- verify(): every credit checkpoint, by account and time.
SELECT account, through, credits FROM ${schema}.credit_checkpoint ORDER BY account, through
