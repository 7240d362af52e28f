-- Meta's monthly invoice per WABA as entered (see the SQLite twin): exact decimal text, one row per
-- WABA, month and currency, a re-entry replaces.
CREATE TABLE invoices (
  waba_id TEXT COLLATE "C" NOT NULL,
  month TEXT COLLATE "C" NOT NULL,
  currency TEXT COLLATE "C" NOT NULL,
  amount TEXT NOT NULL,
  source TEXT NOT NULL,
  entered_at_ms BIGINT NOT NULL,
  PRIMARY KEY (waba_id, month, currency)
);
CREATE INDEX invoices_month ON invoices (month);
