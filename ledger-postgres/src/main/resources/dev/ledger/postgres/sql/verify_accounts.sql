-- verify(): every account.
SELECT id, currency, issuer, lower_limit FROM ${schema}.account
