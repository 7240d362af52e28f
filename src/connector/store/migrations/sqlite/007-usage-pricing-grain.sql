-- usage_daily summed to the grain prices depend on (day x WABA x market x category x pricing type x
-- model), kept in the same transaction: panels that do not split by phone, country or group price
-- and read a few thousand rows instead of the fine rollup.
CREATE TABLE usage_pricing (
  day TEXT NOT NULL,
  waba_id TEXT NOT NULL,
  market TEXT NOT NULL,
  category TEXT NOT NULL,
  pricing_type TEXT NOT NULL,
  pricing_model TEXT NOT NULL,
  messages INTEGER NOT NULL,
  PRIMARY KEY (day, waba_id, market, category, pricing_type, pricing_model)
) WITHOUT ROWID;
INSERT INTO usage_pricing (day, waba_id, market, category, pricing_type, pricing_model, messages)
  SELECT day, waba_id, market, category, pricing_type, pricing_model, SUM(messages) FROM usage_daily
  GROUP BY day, waba_id, market, category, pricing_type, pricing_model;
