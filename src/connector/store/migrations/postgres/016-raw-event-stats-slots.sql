-- Migration 015's one row made every replica's ingest transaction wait at its last statement until
-- the transaction before it had committed (the row lock is held through COMMIT and its WAL flush),
-- so the replicas' commits took turns on that row. Sixteen rows (slots) instead: an ingest adds to
-- the first slot no other transaction holds (store/postgres/ingest.ts, FOR UPDATE SKIP LOCKED), and
-- /health sums them, at most 16 rows by the CHECK. 015's row stays, with its values, as slot 1, so
-- the total stays exact; and a replica still on the previous version (its UPDATE ... WHERE id = 1)
-- keeps adding to it while a rolling upgrade runs.
ALTER TABLE raw_event_stats DROP CONSTRAINT raw_event_stats_id_check;
ALTER TABLE raw_event_stats ADD CONSTRAINT raw_event_stats_id_check CHECK (id BETWEEN 1 AND 16);
INSERT INTO raw_event_stats (id, events, last_received_at_ms) SELECT s, 0, NULL FROM generate_series(2, 16) AS s;
