-- Inbound messages per WABA-local day; referral_source_id is the click-to-WhatsApp ad id ('' = not from an ad).
CREATE TABLE inbound_daily (
  day TEXT NOT NULL,
  waba_id TEXT NOT NULL,
  phone_number_id TEXT NOT NULL,
  country TEXT NOT NULL,
  referral_source_id TEXT NOT NULL,
  messages INTEGER NOT NULL,
  PRIMARY KEY (day, waba_id, phone_number_id, country, referral_source_id)
);
