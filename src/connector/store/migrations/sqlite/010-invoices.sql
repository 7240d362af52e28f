-- Meta's monthly invoice per WABA as entered by finance (`waspend invoice import`, PUT /api/v1/invoices).
-- The amount is kept as the exact decimal string (micro-unit precision): invoices in IDR or COP exceed
-- what a float or a 2^53 integer of micro-units holds to the cent. A re-entry of the same
-- WABA, month and currency replaces the earlier one (a corrected invoice). The checks are a last line
-- of defence behind the importers' own validation.
CREATE TABLE invoices (
  waba_id TEXT NOT NULL CHECK (waba_id <> ''),
  month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
  currency TEXT NOT NULL CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
  amount TEXT NOT NULL CHECK (amount GLOB '[0-9]*' AND amount NOT GLOB '*[^0-9.]*'),
  source TEXT NOT NULL CHECK (source IN ('cli', 'api')),
  entered_at_ms INTEGER NOT NULL,
  PRIMARY KEY (waba_id, month, currency)
);
CREATE INDEX invoices_month ON invoices (month);
