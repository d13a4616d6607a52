-- verify(): every account.
SELECT id, currency, issuer FROM ${schema}.account
