-- Hourly usage is read from the per-message state by delivery time (counted messages only).
CREATE INDEX messages_delivered ON messages (delivered_at_ms) WHERE counted_key IS NOT NULL;
