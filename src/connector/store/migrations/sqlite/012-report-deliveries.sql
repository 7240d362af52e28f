-- Scheduled finance reports (config `reports:`, docs/reports.md).
-- report_deliveries: one row per report and period ('YYYY-MM-DD..YYYY-MM-DD'), the lease that keeps
-- several replicas from sending the same period twice. A replica claims it with one
-- INSERT ... ON CONFLICT DO UPDATE ... WHERE (state <> 'sent' AND lease_until_ms <= now); the claim
-- holds until lease_until_ms, a failure sets lease_until_ms to the next retry, 'sent' is final.
CREATE TABLE report_deliveries (
  report TEXT NOT NULL CHECK (report <> ''),
  period TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]..[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  state TEXT NOT NULL CHECK (state IN ('claimed', 'sent', 'failed')),
  claim_id TEXT NOT NULL,
  claimed_at_ms INTEGER NOT NULL,
  lease_until_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL CHECK (attempts >= 1),
  sent_at_ms INTEGER,
  last_error TEXT,
  PRIMARY KEY (report, period)
);
-- report_runs: what /health and the metrics show per report, shared by every replica.
CREATE TABLE report_runs (
  report TEXT PRIMARY KEY CHECK (report <> ''),
  last_run_at_ms INTEGER,
  last_success_at_ms INTEGER,
  last_period TEXT,
  next_run_at_ms INTEGER,
  last_error TEXT,
  last_error_at_ms INTEGER
);
