SELECT id, currency, issuer, opened_at FROM ${schema}.account WHERE id = :id
