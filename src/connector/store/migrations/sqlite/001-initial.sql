-- Every webhook event as received, append-only: a rate card imported later re-prices history from here.
CREATE TABLE raw_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  dedupe_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  waba_id TEXT NOT NULL,
  phone_number_id TEXT,
  at_ms INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX raw_events_waba_at ON raw_events (waba_id, at_ms);

-- One row per (wamid, status) ever seen.
CREATE TABLE message_statuses (
  wamid TEXT NOT NULL,
  status TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (wamid, status)
);

-- Folded state per outbound message; counted_key is the usage_daily key it is counted under (NULL = not counted).
CREATE TABLE messages (
  wamid TEXT PRIMARY KEY,
  waba_id TEXT NOT NULL,
  phone_number_id TEXT,
  recipient TEXT,
  grp TEXT,
  delivered_at_ms INTEGER,
  failed_at_ms INTEGER,
  category TEXT,
  pricing_type TEXT,
  pricing_model TEXT,
  billable INTEGER,
  counted_key TEXT
);

-- Delivered messages per WABA-local day; '' stands for unknown so the key can be a primary key.
CREATE TABLE usage_daily (
  day TEXT NOT NULL,
  waba_id TEXT NOT NULL,
  phone_number_id TEXT NOT NULL,
  country TEXT NOT NULL,
  market TEXT NOT NULL,
  category TEXT NOT NULL,
  pricing_type TEXT NOT NULL,
  pricing_model TEXT NOT NULL,
  grp TEXT NOT NULL,
  messages INTEGER NOT NULL,
  PRIMARY KEY (day, waba_id, phone_number_id, country, market, category, pricing_type, pricing_model, grp)
);

-- Meta's (or 360Dialog's) own figures from the pullers, kept apart from the webhook estimate.
CREATE TABLE pulled_pricing (
  source TEXT NOT NULL,
  waba_id TEXT NOT NULL,
  day TEXT NOT NULL,
  phone_number_id TEXT,
  country TEXT,
  category TEXT,
  pricing_type TEXT,
  tier TEXT,
  volume INTEGER NOT NULL,
  cost_micros TEXT,
  currency TEXT NOT NULL
);
CREATE INDEX pulled_pricing_day ON pulled_pricing (source, waba_id, day);

CREATE TABLE pulled_calls (
  source TEXT NOT NULL,
  waba_id TEXT NOT NULL,
  day TEXT NOT NULL,
  phone_number_id TEXT,
  country TEXT,
  direction TEXT,
  count INTEGER NOT NULL,
  cost_micros TEXT,
  average_duration_sec REAL,
  currency TEXT NOT NULL
);
CREATE INDEX pulled_calls_day ON pulled_calls (source, waba_id, day);

CREATE TABLE pull_cursors (
  waba_id TEXT NOT NULL,
  source TEXT NOT NULL,
  last_complete_day TEXT,
  PRIMARY KEY (waba_id, source)
);
