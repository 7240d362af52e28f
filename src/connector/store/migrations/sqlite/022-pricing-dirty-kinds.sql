-- A dirty mark says which priced rollups it is for (docs/performance.md, "Marks per kind"): kinds
-- and touched_kinds are bits, 1 the messages' usage and 2 the calls. A message webhook marks its
-- month for the usage only and a call webhook for the calls only, so a month under steady message
-- webhooks no longer has every call of it priced again by the re-pricer and at query time (about
-- 2.5 s and 100 MB of heap a pass at full scale). touched_kinds: the kinds marked since the
-- re-pricer's claim, as touched_day is their earliest day; once the month's last day is written,
-- they are what is left dirty. Marks already stored are for both kinds: nothing says which.
ALTER TABLE pricing_dirty ADD COLUMN kinds INTEGER NOT NULL DEFAULT 3;
ALTER TABLE pricing_dirty ADD COLUMN touched_kinds INTEGER NOT NULL DEFAULT 0;
UPDATE pricing_dirty SET touched_kinds = 3 WHERE touched_day IS NOT NULL;
