-- The same sixteen slots as on PostgreSQL (migrations/postgres/016), so both engines keep one
-- schema. SQLite has one writer, so its ingest adds to slot 1 only (store/sqlite/store.ts); /health
-- sums the slots either way. SQLite cannot change a CHECK in place: the table is rebuilt, 015's row
-- copied as slot 1 with its values, so the total stays exact.
CREATE TABLE raw_event_stats_016 (
  id INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 16),
  events INTEGER NOT NULL,
  last_received_at_ms INTEGER
);
INSERT INTO raw_event_stats_016 (id, events, last_received_at_ms) SELECT id, events, last_received_at_ms FROM raw_event_stats;
WITH RECURSIVE s(id) AS (SELECT 2 UNION ALL SELECT id + 1 FROM s WHERE id < 16)
INSERT INTO raw_event_stats_016 (id, events, last_received_at_ms) SELECT id, 0, NULL FROM s;
DROP TABLE raw_event_stats;
ALTER TABLE raw_event_stats_016 RENAME TO raw_event_stats;
