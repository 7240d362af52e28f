-- Imported price files (Meta's rates CSV, tier and call-rate CSVs), kept verbatim: the price book is
-- rebuilt from them at start and after every import, so history is re-priced by a later import.
-- A re-import of the same kind/currency/effective date replaces the earlier text (a corrected file).
CREATE TABLE rate_files (
  kind TEXT NOT NULL,
  currency TEXT NOT NULL,
  effective_from TEXT NOT NULL,
  file_name TEXT NOT NULL,
  imported_at_ms INTEGER NOT NULL,
  content TEXT NOT NULL,
  PRIMARY KEY (kind, currency, effective_from)
);
