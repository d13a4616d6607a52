SELECT EXISTS (SELECT 1 FROM ${schema}.account a WHERE a.id = :id) AS present,
       (SELECT b.balance FROM ${schema}.balance_through(:id, :as_of,
                                                        'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid) b) AS balance
