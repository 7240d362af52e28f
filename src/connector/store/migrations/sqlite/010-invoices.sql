-- Meta's monthly invoice per WABA as entered by finance (`waspend invoice import`, PUT /api/v1/invoices).
-- The amount is kept as the exact decimal string (micro-unit precision): invoices in IDR or COP exceed
-- what a float or a 2^53 integer of micro-units holds to the cent. A re-entry of the same
-- WABA, month and currency replaces the earlier one (a corrected invoice).
CREATE TABLE invoices (
  waba_id TEXT NOT NULL,
  month TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount TEXT NOT NULL,
  source TEXT NOT NULL,
  entered_at_ms INTEGER NOT NULL,
  PRIMARY KEY (waba_id, month, currency)
);
CREATE INDEX invoices_month ON invoices (month);
