SELECT id, currency, issuer, opened_at, lower_limit FROM ${schema}.account WHERE id = :id
