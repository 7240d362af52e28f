-- Twin of migrations/sqlite/017. Priced call rollups (issue 13 item 1): /calls and the monthly
-- reconciliation priced every finished call of the range's months at query time. priced_calls is the
-- calls_daily grain (day x WABA x phone x country x market x direction, '' where unknown, as there)
-- of the calls core prices (business- or user-initiated): each call priced by core on its own (pulses
-- round per call; minute tiers per portfolio and month, in call start order), its figures summed into
-- its own key, so every grain sums exactly and nothing is allocated. cost_micros: the key's priced
-- calls summed, NULL only when none of them has a price (`problem` says why). Rows are written by the
-- re-pricer only, in the same per-day transaction as priced_usage, under the same pricing_dirty marks.
CREATE TABLE priced_calls (
  day TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  phone_number_id TEXT COLLATE "C" NOT NULL,
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
  priced_at_ms BIGINT NOT NULL,
  PRIMARY KEY (day, waba_id, phone_number_id, country, market, direction)
);
CREATE INDEX priced_calls_waba_day ON priced_calls (waba_id, day);

-- Every month already holding calls is owed a pricing of them, from its first day with calls (the
-- earlier day wins against a mark already there, as ingest's marks do).
INSERT INTO pricing_dirty (waba_id, month, from_day, touched_day)
  SELECT waba_id, substr(day, 1, 7), MIN(day), MIN(day) FROM calls_daily GROUP BY waba_id, substr(day, 1, 7)
  ORDER BY 1, 2
  ON CONFLICT (waba_id, month) DO UPDATE SET from_day = LEAST(pricing_dirty.from_day, excluded.from_day),
  touched_day = LEAST(pricing_dirty.touched_day, excluded.touched_day);
