-- Inbound messages per WABA-local day; referral_source_id is the click-to-WhatsApp ad id ('' = not from an ad).
CREATE TABLE inbound_daily (
  day TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  phone_number_id TEXT COLLATE "C" NOT NULL,
  country TEXT COLLATE "C" NOT NULL,
  referral_source_id TEXT COLLATE "C" NOT NULL,
  messages BIGINT NOT NULL,
  PRIMARY KEY (day, waba_id, phone_number_id, country, referral_source_id)
);
