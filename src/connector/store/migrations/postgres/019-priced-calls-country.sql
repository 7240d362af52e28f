-- Twin of migrations/sqlite/019. The call panels' grain (issue 13 item 1): priced_calls keeps the
-- calls_daily key, phone included (137,577 rows for 90 days of the full-scale bench store), and
-- summing it per day in SQL still scans all of them (~150 ms a panel). priced_calls_country is
-- priced_calls without the phone: the same figures summed per day, WABA, country, market, direction
-- and currency, written by the re-pricer from the day's priced_calls rows in the same transaction (so
-- the two always agree), and read by the panels that neither split nor filter by phone.
CREATE TABLE priced_calls_country (
  day TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  country TEXT COLLATE "C" NOT NULL,
  market TEXT COLLATE "C" NOT NULL,
  direction TEXT COLLATE "C" NOT NULL,
  portfolio_id TEXT COLLATE "C" NOT NULL,
  currency TEXT COLLATE "C" NOT NULL,
  calls BIGINT NOT NULL,
  duration_sec BIGINT NOT NULL,
  pulses BIGINT NOT NULL,
  cost_micros BIGINT,
  problem TEXT,
  version TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (day, waba_id, country, market, direction, currency)
);

-- What the stored priced_calls rows already say.
INSERT INTO priced_calls_country
  SELECT day, waba_id, country, market, direction, MIN(portfolio_id), currency, SUM(calls), SUM(duration_sec), SUM(pulses),
    SUM(cost_micros), MIN(problem), MIN(version)
  FROM priced_calls GROUP BY day, waba_id, country, market, direction, currency;
