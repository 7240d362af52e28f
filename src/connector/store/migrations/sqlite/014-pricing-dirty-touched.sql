-- The re-pricer makes progress on a month that keeps receiving webhooks (docs/performance.md, "The
-- re-pricer"). touched_day: the earliest day marked since the re-pricer last began reading the
-- month (NULL: none since). Ingest and imports lower it as they lower from_day; claiming the month
-- clears it; each day the re-pricer writes moves from_day up to the earlier of the next day and
-- touched_day, so the days before an ingest's day stay clean. gen (delete-if-unchanged) is gone:
-- under steady traffic it never held still, and the month was never cleared.
ALTER TABLE pricing_dirty ADD COLUMN touched_day TEXT;
UPDATE pricing_dirty SET touched_day = from_day;
ALTER TABLE pricing_dirty DROP COLUMN gen;
