-- Scheduled finance reports (see the SQLite twin): the per-period lease and the per-report status.
CREATE TABLE report_deliveries (
  report TEXT COLLATE "C" NOT NULL CHECK (report <> ''),
  period TEXT COLLATE "C" NOT NULL CHECK (period ~ '^[0-9]{4}-[01][0-9]-[0-3][0-9]\.\.[0-9]{4}-[01][0-9]-[0-3][0-9]$'),
  state TEXT NOT NULL CHECK (state IN ('claimed', 'sent', 'failed')),
  claim_id TEXT NOT NULL,
  claimed_at_ms BIGINT NOT NULL,
  lease_until_ms BIGINT NOT NULL,
  attempts INTEGER NOT NULL CHECK (attempts >= 1),
  sent_at_ms BIGINT,
  last_error TEXT,
  PRIMARY KEY (report, period)
);
CREATE TABLE report_runs (
  report TEXT COLLATE "C" PRIMARY KEY CHECK (report <> ''),
  last_run_at_ms BIGINT,
  last_success_at_ms BIGINT,
  last_period TEXT,
  next_run_at_ms BIGINT,
  last_error TEXT,
  last_error_at_ms BIGINT
);
