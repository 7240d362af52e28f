-- Twin of migrations/sqlite/009: charged units apart from delivered messages (CBP conversations), the
-- conversation and verdict origin per message, and each contact's window openers for the classifier.
ALTER TABLE messages ADD COLUMN conversation_id TEXT COLLATE "C";
ALTER TABLE messages ADD COLUMN conversation_origin TEXT;
ALTER TABLE messages ADD COLUMN conversation_expires_ms BIGINT;
ALTER TABLE messages ADD COLUMN verdict_source TEXT;
ALTER TABLE messages ADD COLUMN counted_units BIGINT NOT NULL DEFAULT 0;
UPDATE messages SET verdict_source = 'meta' WHERE category IS NOT NULL;
UPDATE messages SET counted_units = 1 WHERE counted_key IS NOT NULL;
CREATE INDEX messages_contact ON messages (phone_number_id, recipient, delivered_at_ms);

ALTER TABLE usage_daily ADD COLUMN units BIGINT NOT NULL DEFAULT 0;
UPDATE usage_daily SET units = messages;
ALTER TABLE usage_pricing ADD COLUMN units BIGINT NOT NULL DEFAULT 0;
UPDATE usage_pricing SET units = messages;

-- Locked FOR UPDATE (after the message rows, in key order) while a batch moves a conversation's unit.
CREATE TABLE conversations (
  waba_id TEXT COLLATE "C" NOT NULL,
  conversation_id TEXT COLLATE "C" NOT NULL,
  origin TEXT,
  first_at_ms BIGINT,
  first_wamid TEXT COLLATE "C",
  base_key TEXT,
  counted_key TEXT,
  PRIMARY KEY (waba_id, conversation_id)
);

-- What opens a customer service window or (referral) may open a free entry point window, per phone number and contact.
CREATE TABLE contact_events (
  phone_number_id TEXT COLLATE "C" NOT NULL,
  contact TEXT COLLATE "C" NOT NULL,
  at_ms BIGINT NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  referral BOOLEAN NOT NULL,
  PRIMARY KEY (phone_number_id, contact, at_ms, kind, id)
);
-- jsonb refuses the escape \u0000 (kept in raw bodies); it is read as U+FFFD here, as ingest does.
INSERT INTO contact_events (phone_number_id, contact, at_ms, kind, id, referral)
  SELECT COALESCE(phone_number_id, ''), b ->> 'from', at_ms, 'inbound_message', b ->> 'id', (b -> 'referral') IS NOT NULL
  FROM (SELECT phone_number_id, at_ms, replace(body, '\u0000', '\uFFFD')::jsonb AS b FROM raw_events WHERE kind = 'inbound') AS r
  WHERE b ->> 'from' IS NOT NULL AND b ->> 'id' IS NOT NULL
  ON CONFLICT DO NOTHING;
INSERT INTO contact_events (phone_number_id, contact, at_ms, kind, id, referral)
  SELECT COALESCE(phone_number_id, ''), user_number, connected_at_ms,
    CASE WHEN direction = 'business_initiated' THEN 'business_call_accepted' ELSE 'user_call' END, call_id, FALSE
  FROM calls WHERE user_number IS NOT NULL AND connected_at_ms IS NOT NULL
  ON CONFLICT DO NOTHING;
