-- Twin of migrations/sqlite/018. The finished calls of a day range (`finishedCalls`: the re-pricer's
-- read of a month's calls, and /calls for a month still dirty) found by the day of the key each call
-- is counted under, instead of a scan of every call ever stored. The expression is the one the read
-- filters on, so the planner can use it.
CREATE INDEX calls_counted_day ON calls ((counted_key::json ->> 0));
