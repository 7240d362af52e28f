-- Priced call rollups (issue 13 item 1): /calls and the monthly reconciliation priced every finished
-- call of the range's months at query time. priced_calls is the calls_daily grain (day x WABA x
-- phone x country x market x direction, '' where unknown, as there) of the calls core prices
-- (business- or user-initiated): each call priced by core on its own (pulses round per call; minute
-- tiers per portfolio and month, in call start order), its figures summed into its own key, so every
-- grain sums exactly and nothing is allocated. cost_micros: the key's priced calls summed, NULL only
-- when none of them has a price (`problem` says why). Rows are written by the re-pricer only, in the
-- same per-day transaction as priced_usage, under the same pricing_dirty marks.
CREATE TABLE priced_calls (
  day TEXT NOT NULL,
  waba_id TEXT NOT NULL,
  phone_number_id TEXT NOT NULL,
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
  priced_at_ms INTEGER NOT NULL,
  PRIMARY KEY (day, waba_id, phone_number_id, country, market, direction)
) WITHOUT ROWID;
CREATE INDEX priced_calls_waba_day ON priced_calls (waba_id, day);

-- Every month already holding calls is owed a pricing of them, from its first day with calls (the
-- earlier day wins against a mark already there, as ingest's marks do).
INSERT INTO pricing_dirty (waba_id, month, from_day, touched_day)
  SELECT waba_id, substr(day, 1, 7), MIN(day), MIN(day) FROM calls_daily WHERE true GROUP BY waba_id, substr(day, 1, 7)
  ON CONFLICT (waba_id, month) DO UPDATE SET from_day = MIN(from_day, excluded.from_day),
  touched_day = MIN(COALESCE(touched_day, excluded.touched_day), excluded.touched_day);
