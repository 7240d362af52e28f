-- Twin of migrations/sqlite/021. Month totals of the pricing grain and of the country and group
-- grains with the market (issue 13 item 1). A panel bucketed by month sums a month of day rows in SQL:
-- ~10,000 rows a month and grain at full scale, 10-25 ms a month and grain on SQLite whatever the
-- filters, because GROUP BY over keys the day-first primary key does not order needs a sort ("Allocated
-- cost by group" read four such months twice: 164-183 ms). Each row here is the sum of the day rows of
-- one WABA-local month and key, kept apart by whether the day rows had a cost (`unpriced`, as the month
-- sums do); `day_rows` counts the day rows summed, so a key whose days all moved to another key (a
-- market that gained a rate) is deleted, not left at zero. The re-pricer keeps them in the transaction
-- that writes a day: the day's old rows taken away before it deletes them, its new rows added after, so
-- a month row always equals the sum of its days, dirty month or clean.
CREATE TABLE priced_usage_month (
  month TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  market TEXT COLLATE "C" NOT NULL,
  category TEXT COLLATE "C" NOT NULL,
  pricing_type TEXT COLLATE "C" NOT NULL,
  currency TEXT COLLATE "C" NOT NULL,
  unpriced SMALLINT NOT NULL,
  day_rows BIGINT NOT NULL,
  messages BIGINT NOT NULL,
  units BIGINT NOT NULL,
  billable BIGINT NOT NULL,
  cost_micros BIGINT,
  PRIMARY KEY (month, waba_id, market, category, pricing_type, currency, unpriced)
);

CREATE TABLE priced_usage_country_month (
  month TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  country TEXT COLLATE "C" NOT NULL,
  market TEXT COLLATE "C" NOT NULL,
  category TEXT COLLATE "C" NOT NULL,
  pricing_type TEXT COLLATE "C" NOT NULL,
  currency TEXT COLLATE "C" NOT NULL,
  unpriced SMALLINT NOT NULL,
  day_rows BIGINT NOT NULL,
  messages BIGINT NOT NULL,
  units BIGINT NOT NULL,
  billable BIGINT NOT NULL,
  cost_micros BIGINT,
  PRIMARY KEY (month, waba_id, country, market, category, pricing_type, currency, unpriced)
);

CREATE TABLE priced_usage_group_month (
  month TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  grp TEXT COLLATE "C" NOT NULL,
  market TEXT COLLATE "C" NOT NULL,
  category TEXT COLLATE "C" NOT NULL,
  pricing_type TEXT COLLATE "C" NOT NULL,
  currency TEXT COLLATE "C" NOT NULL,
  unpriced SMALLINT NOT NULL,
  day_rows BIGINT NOT NULL,
  messages BIGINT NOT NULL,
  units BIGINT NOT NULL,
  billable BIGINT NOT NULL,
  cost_micros BIGINT,
  PRIMARY KEY (month, waba_id, grp, market, category, pricing_type, currency, unpriced)
);

-- What the stored rows already say.
INSERT INTO priced_usage_month
  SELECT substr(day, 1, 7), waba_id, market, category, pricing_type, currency, CASE WHEN cost_micros IS NULL THEN 1 ELSE 0 END,
    COUNT(*), SUM(messages), SUM(units), SUM(billable), SUM(cost_micros)
  FROM priced_usage
  GROUP BY substr(day, 1, 7), waba_id, market, category, pricing_type, currency, CASE WHEN cost_micros IS NULL THEN 1 ELSE 0 END;
INSERT INTO priced_usage_country_month
  SELECT substr(day, 1, 7), waba_id, country, market, category, pricing_type, currency, CASE WHEN cost_micros IS NULL THEN 1 ELSE 0 END,
    COUNT(*), SUM(messages), SUM(units), SUM(billable), SUM(cost_micros)
  FROM priced_usage_country
  GROUP BY substr(day, 1, 7), waba_id, country, market, category, pricing_type, currency, CASE WHEN cost_micros IS NULL THEN 1 ELSE 0 END;
INSERT INTO priced_usage_group_month
  SELECT substr(day, 1, 7), waba_id, grp, market, category, pricing_type, currency, CASE WHEN cost_micros IS NULL THEN 1 ELSE 0 END,
    COUNT(*), SUM(messages), SUM(units), SUM(billable), SUM(cost_micros)
  FROM priced_usage_group
  GROUP BY substr(day, 1, 7), waba_id, grp, market, category, pricing_type, currency, CASE WHEN cost_micros IS NULL THEN 1 ELSE 0 END;
