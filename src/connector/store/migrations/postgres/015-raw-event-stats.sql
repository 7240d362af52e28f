-- /health's store figures without reading raw_events (docs/api.md, "GET /health"): a count over
-- raw_events is a scan that grows with the store (27M rows at 10M messages), and load balancers
-- probe every few seconds. One row, kept by the ingest transaction that inserts the events
-- (store/postgres/ingest.ts, its last statement, so the row lock is held only while committing):
-- events only as many as ON CONFLICT DO NOTHING actually inserted, received_at_ms the newest such.
CREATE TABLE raw_event_stats (
  id SMALLINT PRIMARY KEY CHECK (id = 1),
  events BIGINT NOT NULL,
  last_received_at_ms BIGINT
);
-- The backfill counts the rows already stored, once. SHARE mode makes a replica's insert wait until
-- this migration commits, so no event lands between the count and the first ingest that adds to it.
LOCK TABLE raw_events IN SHARE MODE;
INSERT INTO raw_event_stats (id, events, last_received_at_ms) SELECT 1, COUNT(*), MAX(received_at_ms) FROM raw_events;
