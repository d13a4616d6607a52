-- verify(): what the store answers as each account's cumulative credits (its newest checkpoint plus later credits).
SELECT a.id, ${schema}.credits_as_of(a.id, 'infinity') FROM ${schema}.account a
