SELECT (SELECT h.present FROM ${schema}.account_present(:id) h) AS present,
       (SELECT b.balance FROM ${schema}.balance_through(:id, :as_of,
                                                        'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid) b) AS balance
