-- verify(): no transfer may be dated after the database clock plus the allowed skew (setting.max_clock_skew).
SELECT ${schema}.latest_allowed_time()
