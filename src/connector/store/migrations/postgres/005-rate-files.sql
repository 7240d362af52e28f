-- Imported price files kept verbatim (see the SQLite twin): every replica rebuilds the same price book.
CREATE TABLE rate_files (
  kind TEXT COLLATE "C" NOT NULL,
  currency TEXT COLLATE "C" NOT NULL,
  effective_from TEXT COLLATE "C" NOT NULL,
  file_name TEXT NOT NULL,
  imported_at_ms BIGINT NOT NULL,
  content TEXT NOT NULL,
  PRIMARY KEY (kind, currency, effective_from)
);
