-- Folded state per call id; counted_key is the calls_daily key it is counted under (NULL = not yet terminated).
CREATE TABLE calls (
  call_id TEXT COLLATE "C" PRIMARY KEY,
  waba_id TEXT NOT NULL,
  phone_number_id TEXT,
  direction TEXT,
  user_number TEXT,
  connected_at_ms BIGINT,
  start_ms BIGINT,
  terminated_at_ms BIGINT,
  duration_sec BIGINT,
  counted_key TEXT
);

-- Terminated calls per WABA-local day of their start; '' = unknown.
CREATE TABLE calls_daily (
  day TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  phone_number_id TEXT COLLATE "C" NOT NULL,
  country TEXT COLLATE "C" NOT NULL,
  market TEXT COLLATE "C" NOT NULL,
  direction TEXT COLLATE "C" NOT NULL,
  calls BIGINT NOT NULL,
  connected_calls BIGINT NOT NULL,
  duration_sec BIGINT NOT NULL,
  PRIMARY KEY (day, waba_id, phone_number_id, country, market, direction)
);
