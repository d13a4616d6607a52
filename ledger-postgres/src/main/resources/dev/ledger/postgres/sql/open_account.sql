SELECT source_index, recorded_at
  FROM ${schema}.open_account(:id, :currency, :opened_at, :funding_id::uuid, :funded_by::text, :amount::bigint,
                                   :reference::text, :exclusive, :lower_limit::bigint, :upper_limit::bigint)
