-- PostgreSQL twin of migrations/sqlite/001-initial.sql. Text keys use COLLATE "C" so comparisons and
-- ORDER BY are bytewise, as in SQLite; times are epoch milliseconds (BIGINT).

-- Every webhook event as received, append-only: a rate card imported later re-prices history from here.
CREATE TABLE raw_events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dedupe_key TEXT COLLATE "C" NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  phone_number_id TEXT,
  at_ms BIGINT NOT NULL,
  received_at_ms BIGINT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX raw_events_waba_at ON raw_events (waba_id, at_ms);

-- One row per (wamid, status) ever seen.
CREATE TABLE message_statuses (
  wamid TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  at_ms BIGINT NOT NULL,
  PRIMARY KEY (wamid, status)
);

-- Folded state per outbound message; counted_key is the usage_daily key it is counted under (NULL = not counted).
-- Ingest locks a message's row (SELECT ... FOR UPDATE) before folding a status into it, so replicas
-- folding statuses of the same wamid concurrently cannot lose an update.
CREATE TABLE messages (
  wamid TEXT COLLATE "C" PRIMARY KEY,
  waba_id TEXT NOT NULL,
  phone_number_id TEXT,
  recipient TEXT,
  grp TEXT,
  delivered_at_ms BIGINT,
  failed_at_ms BIGINT,
  category TEXT,
  pricing_type TEXT,
  pricing_model TEXT,
  billable BOOLEAN,
  counted_key TEXT
);

-- Delivered messages per WABA-local day; '' stands for unknown so the key can be a primary key.
CREATE TABLE usage_daily (
  day TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  phone_number_id TEXT COLLATE "C" NOT NULL,
  country TEXT COLLATE "C" NOT NULL,
  market TEXT COLLATE "C" NOT NULL,
  category TEXT COLLATE "C" NOT NULL,
  pricing_type TEXT COLLATE "C" NOT NULL,
  pricing_model TEXT COLLATE "C" NOT NULL,
  grp TEXT COLLATE "C" NOT NULL,
  messages BIGINT NOT NULL,
  PRIMARY KEY (day, waba_id, phone_number_id, country, market, category, pricing_type, pricing_model, grp)
);

-- Meta's (or 360Dialog's) own figures from the pullers, kept apart from the webhook estimate.
-- seq keeps insertion order (SQLite's rowid).
CREATE TABLE pulled_pricing (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  day TEXT COLLATE "C" NOT NULL,
  phone_number_id TEXT,
  country TEXT,
  category TEXT,
  pricing_type TEXT,
  tier TEXT,
  volume BIGINT NOT NULL,
  cost_micros TEXT,
  currency TEXT NOT NULL
);
CREATE INDEX pulled_pricing_day ON pulled_pricing (source, waba_id, day);

CREATE TABLE pulled_calls (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  day TEXT COLLATE "C" NOT NULL,
  phone_number_id TEXT,
  country TEXT,
  direction TEXT,
  count BIGINT NOT NULL,
  cost_micros TEXT,
  average_duration_sec DOUBLE PRECISION,
  currency TEXT NOT NULL
);
CREATE INDEX pulled_calls_day ON pulled_calls (source, waba_id, day);

CREATE TABLE pull_cursors (
  waba_id TEXT COLLATE "C" NOT NULL,
  source TEXT COLLATE "C" NOT NULL,
  last_complete_day TEXT,
  PRIMARY KEY (waba_id, source)
);
