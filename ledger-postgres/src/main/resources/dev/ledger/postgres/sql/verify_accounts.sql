-- verify(): every account.
SELECT id, currency, issuer, lower_limit, upper_limit FROM ${schema}.account
