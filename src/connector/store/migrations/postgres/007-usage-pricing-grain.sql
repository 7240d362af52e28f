-- Twin of migrations/sqlite/007: usage_daily summed to the pricing grain, kept in the same transaction.
CREATE TABLE usage_pricing (
  day TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  market TEXT COLLATE "C" NOT NULL,
  category TEXT COLLATE "C" NOT NULL,
  pricing_type TEXT COLLATE "C" NOT NULL,
  pricing_model TEXT COLLATE "C" NOT NULL,
  messages BIGINT NOT NULL,
  PRIMARY KEY (day, waba_id, market, category, pricing_type, pricing_model)
);
INSERT INTO usage_pricing (day, waba_id, market, category, pricing_type, pricing_model, messages)
  SELECT day, waba_id, market, category, pricing_type, pricing_model, SUM(messages) FROM usage_daily
  GROUP BY day, waba_id, market, category, pricing_type, pricing_model;
