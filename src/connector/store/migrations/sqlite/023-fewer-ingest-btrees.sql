-- Every commit writes each b-tree page it touched to the WAL and waits for it to reach the disk, and a
-- group of one-status webhooks touched fifteen b-trees. Three of them held nothing anything reads
-- (docs/performance.md, "Fewer b-trees per commit, and groups that wait a moment"):
-- message_statuses kept (wamid, status, at_ms) per status event, which raw_events already keeps under
-- the same dedupe key ('status:' wamid ':' status); it becomes a view of those rows, so the same
-- question can still be asked of the store.
-- raw_events_waba_at indexed raw events by WABA and time; raw events are only read by kind and time
-- (raw_events_kind_at).
DROP TABLE message_statuses;
CREATE VIEW message_statuses AS
  SELECT json_extract(body, '$.id') AS wamid, json_extract(body, '$.status') AS status, at_ms FROM raw_events WHERE kind = 'status';
DROP INDEX raw_events_waba_at;
