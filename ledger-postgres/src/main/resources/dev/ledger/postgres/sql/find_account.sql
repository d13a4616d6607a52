SELECT id, currency, issuer, opened_at, lower_limit, upper_limit FROM ${schema}.account WHERE id = :id
