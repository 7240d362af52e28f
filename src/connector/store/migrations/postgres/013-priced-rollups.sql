-- Twin of migrations/sqlite/013. Priced rollups (issue 13): cost is stored, not recomputed by every query. priced_usage is the pricing
-- grain (usage_pricing's key with category, pricing type and model as core prices them), where tier
-- crossings and CBP allowances are exact; the three finer grains the panels split by carry that cost
-- allocated by largest remainder over charged units, so every grain sums to the same total.
-- cost_micros NULL: no price known, `problem` says why. Rows are written by the re-pricer only.
CREATE TABLE priced_usage (
  day TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  market TEXT COLLATE "C" NOT NULL,
  category TEXT COLLATE "C" NOT NULL,
  pricing_type TEXT COLLATE "C" NOT NULL,
  pricing_model TEXT COLLATE "C" NOT NULL,
  portfolio_id TEXT COLLATE "C" NOT NULL,
  currency TEXT COLLATE "C" NOT NULL,
  messages BIGINT NOT NULL,
  units BIGINT NOT NULL,
  billable BIGINT NOT NULL,
  cost_micros BIGINT,
  problem TEXT,
  -- JSON [[lower, upper, units, rateMicros], ...] of a tiered row, else NULL.
  tiers TEXT,
  version TEXT COLLATE "C" NOT NULL,
  priced_at_ms BIGINT NOT NULL,
  PRIMARY KEY (day, waba_id, market, category, pricing_type, pricing_model)
);
CREATE INDEX priced_usage_waba_day ON priced_usage (waba_id, day);

CREATE TABLE priced_usage_country (
  day TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  country TEXT COLLATE "C" NOT NULL,
  market TEXT COLLATE "C" NOT NULL,
  category TEXT COLLATE "C" NOT NULL,
  pricing_type TEXT COLLATE "C" NOT NULL,
  pricing_model TEXT COLLATE "C" NOT NULL,
  currency TEXT COLLATE "C" NOT NULL,
  messages BIGINT NOT NULL,
  units BIGINT NOT NULL,
  billable BIGINT NOT NULL,
  cost_micros BIGINT,
  PRIMARY KEY (day, waba_id, country, market, category, pricing_type, pricing_model)
);
CREATE INDEX priced_usage_country_waba_day ON priced_usage_country (waba_id, day);

CREATE TABLE priced_usage_phone (
  day TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  phone_number_id TEXT COLLATE "C" NOT NULL,
  market TEXT COLLATE "C" NOT NULL,
  category TEXT COLLATE "C" NOT NULL,
  pricing_type TEXT COLLATE "C" NOT NULL,
  pricing_model TEXT COLLATE "C" NOT NULL,
  currency TEXT COLLATE "C" NOT NULL,
  messages BIGINT NOT NULL,
  units BIGINT NOT NULL,
  billable BIGINT NOT NULL,
  cost_micros BIGINT,
  PRIMARY KEY (day, waba_id, phone_number_id, market, category, pricing_type, pricing_model)
);
CREATE INDEX priced_usage_phone_waba_day ON priced_usage_phone (waba_id, day);

CREATE TABLE priced_usage_group (
  day TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  grp TEXT COLLATE "C" NOT NULL,
  market TEXT COLLATE "C" NOT NULL,
  category TEXT COLLATE "C" NOT NULL,
  pricing_type TEXT COLLATE "C" NOT NULL,
  pricing_model TEXT COLLATE "C" NOT NULL,
  currency TEXT COLLATE "C" NOT NULL,
  messages BIGINT NOT NULL,
  units BIGINT NOT NULL,
  billable BIGINT NOT NULL,
  cost_micros BIGINT,
  PRIMARY KEY (day, waba_id, grp, market, category, pricing_type, pricing_model)
);
CREATE INDEX priced_usage_group_waba_day ON priced_usage_group (waba_id, day);

-- What the re-pricer owes: per WABA and WABA-local month, the first day whose prices may be stale.
-- Ingest upserts it in its own transaction (from_day = the earlier day, gen + 1); the re-pricer
-- deletes a row only if gen is still the one it started from, so a mark made meanwhile survives.
CREATE TABLE pricing_dirty (
  waba_id TEXT COLLATE "C" NOT NULL,
  month TEXT COLLATE "C" NOT NULL,
  from_day TEXT COLLATE "C" NOT NULL,
  gen BIGINT NOT NULL,
  PRIMARY KEY (waba_id, month)
);

-- One re-pricer at a time per portfolio and month (several replicas on one database): a lease.
CREATE TABLE pricing_leases (
  portfolio_id TEXT COLLATE "C" NOT NULL,
  month TEXT COLLATE "C" NOT NULL,
  holder TEXT COLLATE "C" NOT NULL,
  lease_until_ms BIGINT NOT NULL,
  PRIMARY KEY (portfolio_id, month)
);

-- The pricing rules and WABA settings the stored prices were computed under; a change marks everything dirty.
CREATE TABLE pricing_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version TEXT COLLATE "C" NOT NULL
);

-- Every month already stored is owed a pricing.
INSERT INTO pricing_dirty (waba_id, month, from_day, gen)
  SELECT waba_id, substr(day, 1, 7), MIN(day), 1 FROM usage_pricing GROUP BY waba_id, substr(day, 1, 7);
