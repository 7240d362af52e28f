-- Every commit writes what it changed in each index and table to the WAL; a group of one-status
-- webhooks changed fifteen. Three of them held nothing anything reads (docs/performance.md,
-- "Fewer b-trees per commit, and groups that wait a moment"):
-- message_statuses kept (wamid, status, at_ms) per status event, which raw_events already keeps under
-- the same dedupe key ('status:' wamid ':' status); it becomes a view of those rows, so the same
-- question can still be asked of the store.
-- raw_events_waba_at indexed raw events by WABA and time; raw events are only read by kind and time
-- (raw_events_kind_at).
DROP TABLE message_statuses;
CREATE VIEW message_statuses AS
  SELECT body::jsonb ->> 'id' AS wamid, body::jsonb ->> 'status' AS status, at_ms FROM raw_events WHERE kind = 'status';
DROP INDEX raw_events_waba_at;
