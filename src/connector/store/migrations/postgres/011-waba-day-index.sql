-- The first and last WABA-local day with stored data, per WABA, as indexed MIN/MAX seeks: queries
-- clamp their day range to it, so a dashboard asking for 1900..2999 costs what the data costs.
-- usage_pricing stands in for usage_daily (same days and WABAs, far fewer rows to index).
CREATE INDEX usage_pricing_waba_day ON usage_pricing (waba_id, day);
CREATE INDEX calls_daily_waba_day ON calls_daily (waba_id, day);
CREATE INDEX inbound_daily_waba_day ON inbound_daily (waba_id, day);
CREATE INDEX contacts_daily_waba_day ON contacts_daily (waba_id, day);
