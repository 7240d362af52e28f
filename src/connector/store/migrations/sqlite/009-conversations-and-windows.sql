-- Issue 11: charged units apart from delivered messages (CBP conversations), the conversation and the
-- verdict's origin per message, and each contact's window openers for the classifier.

-- The status's conversation (id, origin category, expiry) and where the verdict came from: 'meta' (a
-- status carried pricing) or 'inferred' (window classifier on stored inbound messages, referrals and
-- calls). counted_units is what the message adds to usage_daily.units (0 inside a CBP conversation).
ALTER TABLE messages ADD COLUMN conversation_id TEXT;
ALTER TABLE messages ADD COLUMN conversation_origin TEXT;
ALTER TABLE messages ADD COLUMN conversation_expires_ms INTEGER;
ALTER TABLE messages ADD COLUMN verdict_source TEXT;
ALTER TABLE messages ADD COLUMN counted_units INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET verdict_source = 'meta' WHERE category IS NOT NULL;
UPDATE messages SET counted_units = 1 WHERE counted_key IS NOT NULL;
-- The classifier reads one contact's recent outbound messages.
CREATE INDEX messages_contact ON messages (phone_number_id, recipient, delivered_at_ms);

-- Charged units: messages on PMP days, conversations on CBP days. Rows counted before this migration
-- counted every message as a unit.
ALTER TABLE usage_daily ADD COLUMN units INTEGER NOT NULL DEFAULT 0;
UPDATE usage_daily SET units = messages;
ALTER TABLE usage_pricing ADD COLUMN units INTEGER NOT NULL DEFAULT 0;
UPDATE usage_pricing SET units = messages;

-- One CBP conversation: its unit is counted once, under base_key (the usage key of its earliest
-- delivered message) with the category of its origin; counted_key is where it is counted now.
CREATE TABLE conversations (
  waba_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  origin TEXT,
  first_at_ms INTEGER,
  first_wamid TEXT,
  base_key TEXT,
  counted_key TEXT,
  PRIMARY KEY (waba_id, conversation_id)
);

-- What opens a customer service window (inbound message, user call, accepted business call) or, with
-- referral = 1, may open a free entry point window, per business phone number and contact.
CREATE TABLE contact_events (
  phone_number_id TEXT NOT NULL,
  contact TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  referral INTEGER NOT NULL,
  PRIMARY KEY (phone_number_id, contact, at_ms, kind, id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO contact_events (phone_number_id, contact, at_ms, kind, id, referral)
  SELECT COALESCE(phone_number_id, ''), json_extract(body, '$.from'), at_ms, 'inbound_message', json_extract(body, '$.id'),
    CASE WHEN json_extract(body, '$.referral') IS NULL THEN 0 ELSE 1 END
  FROM raw_events WHERE kind = 'inbound' AND json_extract(body, '$.from') IS NOT NULL AND json_extract(body, '$.id') IS NOT NULL;
INSERT OR IGNORE INTO contact_events (phone_number_id, contact, at_ms, kind, id, referral)
  SELECT COALESCE(phone_number_id, ''), user_number, connected_at_ms,
    CASE WHEN direction = 'business_initiated' THEN 'business_call_accepted' ELSE 'user_call' END, call_id, 0
  FROM calls WHERE user_number IS NOT NULL AND connected_at_ms IS NOT NULL;
