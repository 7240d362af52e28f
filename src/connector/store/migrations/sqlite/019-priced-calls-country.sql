-- The call panels' grain (issue 13 item 1): priced_calls keeps the calls_daily key, phone included
-- (137,577 rows for 90 days of the full-scale bench store), and summing it per day in SQL still
-- scans all of them (~150 ms a panel). priced_calls_country is priced_calls without the phone: the
-- same figures summed per day, WABA, country, market, direction and currency, written by the
-- re-pricer from the day's priced_calls rows in the same transaction (so the two always agree), and
-- read by the panels that neither split nor filter by phone.
CREATE TABLE priced_calls_country (
  day TEXT NOT NULL,
  waba_id TEXT NOT NULL,
  country TEXT NOT NULL,
  market TEXT NOT NULL,
  direction TEXT NOT NULL,
  portfolio_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  calls INTEGER NOT NULL,
  duration_sec INTEGER NOT NULL,
  pulses INTEGER NOT NULL,
  cost_micros INTEGER,
  problem TEXT,
  version TEXT NOT NULL,
  PRIMARY KEY (day, waba_id, country, market, direction, currency)
) WITHOUT ROWID;

-- What the stored priced_calls rows already say.
INSERT INTO priced_calls_country
  SELECT day, waba_id, country, market, direction, MIN(portfolio_id), currency, SUM(calls), SUM(duration_sec), SUM(pulses),
    SUM(cost_micros), MIN(problem), MIN(version)
  FROM priced_calls WHERE true GROUP BY day, waba_id, country, market, direction, currency;
