-- Every panel request over a clean month asks whether its priced rows carry a pricing problem or were
-- written under another pricing version (pricedUsageUnfit); counting them scanned the month's rows,
-- 1.5 ms a month at full scale (docs/performance.md, "Calls by month summed in SQL"). The problem rows
-- (about a tenth in the bench store) get a partial index holding every column the count reads, and
-- (version, day) leaves nothing to read below and above the current version when every row carries it.
CREATE INDEX priced_usage_problem_day ON priced_usage (day, waba_id, problem) WHERE problem IS NOT NULL;
CREATE INDEX priced_usage_version_day ON priced_usage (version, day);
