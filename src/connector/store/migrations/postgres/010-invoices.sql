-- Meta's monthly invoice per WABA as entered (see the SQLite twin): exact decimal text, one row per
-- WABA, month and currency, a re-entry replaces.
CREATE TABLE invoices (
  waba_id TEXT COLLATE "C" NOT NULL CHECK (waba_id <> ''),
  month TEXT COLLATE "C" NOT NULL CHECK (month ~ '^[0-9]{4}-[01][0-9]$'),
  currency TEXT COLLATE "C" NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount TEXT NOT NULL CHECK (amount ~ '^[0-9]+(\.[0-9]+)?$'),
  source TEXT NOT NULL CHECK (source IN ('cli', 'api')),
  entered_at_ms BIGINT NOT NULL,
  PRIMARY KEY (waba_id, month, currency)
);
CREATE INDEX invoices_month ON invoices (month);
