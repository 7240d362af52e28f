-- /health's store figures without reading raw_events (docs/api.md, "GET /health"): a count over
-- raw_events is a scan that grows with the store (27M rows at 10M messages), and load balancers
-- probe every few seconds. One row, kept by the ingest transaction (store/sqlite/store.ts): events
-- only as many as ON CONFLICT DO NOTHING actually inserted, received_at_ms the newest such. The
-- backfill counts the rows already stored, once, inside this migration's write transaction.
CREATE TABLE raw_event_stats (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  events INTEGER NOT NULL,
  last_received_at_ms INTEGER
);
INSERT INTO raw_event_stats (id, events, last_received_at_ms) SELECT 1, COUNT(*), MAX(received_at_ms) FROM raw_events;
