-- Folded state per call id; counted_key is the calls_daily key it is counted under (NULL = not yet terminated).
CREATE TABLE calls (
  call_id TEXT PRIMARY KEY,
  waba_id TEXT NOT NULL,
  phone_number_id TEXT,
  direction TEXT,
  user_number TEXT,
  connected_at_ms INTEGER,
  start_ms INTEGER,
  terminated_at_ms INTEGER,
  duration_sec INTEGER,
  counted_key TEXT
);

-- Terminated calls per WABA-local day of their start; '' = unknown.
CREATE TABLE calls_daily (
  day TEXT NOT NULL,
  waba_id TEXT NOT NULL,
  phone_number_id TEXT NOT NULL,
  country TEXT NOT NULL,
  market TEXT NOT NULL,
  direction TEXT NOT NULL,
  calls INTEGER NOT NULL,
  connected_calls INTEGER NOT NULL,
  duration_sec INTEGER NOT NULL,
  PRIMARY KEY (day, waba_id, phone_number_id, country, market, direction)
);
