/**
 * Issue 13's "Targets" table as the bench judges it: each target as stated there, and the rule that
 * turns a section's measured figures into `met`. Pure functions of their inputs, so the rules are
 * tested with figures made by hand (tests/integration/bench-targets.test.ts), never by timing.
 */

/** "connector peak RSS at 10M messages (ingest and queries) < 400 MB". */
export const MEMORY_TARGET = { peakRssMb: 400, messages: 10_000_000 } as const;

/** Every connector process measured must stay under the target; no process measured meets nothing. */
export function memoryMet(peaksMb: readonly (number | null)[]): boolean {
  const measured = peaksMb.filter((v): v is number => typeof v === 'number');
  return measured.length > 0 && measured.every((mb) => mb < MEMORY_TARGET.peakRssMb);
}

/**
 * "SQLite durable ingest, 1 status per body: ≥ 50 % of the bare node:http ceiling of the same run
 * and ≥ 15,000 events/s, p99 < 50 ms".
 */
export const INGEST_TARGET = { ceilingShare: 0.5, eventsPerSec: 15_000, p99Ms: 50, backend: 'sqlite', statusesPerBody: 1 } as const;

/** Events/s of the headline as a share of the ceiling's events/s (both one status per body), 3 decimals. */
export function ceilingShare(eventsPerSec: number, ceilingEventsPerSec: number): number | null {
  if (!(ceilingEventsPerSec > 0) || !Number.isFinite(eventsPerSec)) return null;
  return Math.round((eventsPerSec / ceilingEventsPerSec) * 1000) / 1000;
}

export function ingestMet(
  headline: { eventsPerSec: number; p99Ms: number },
  ceilingEventsPerSec: number,
  /** No non-2xx answer and no socket error in any run. */
  clean: boolean,
): boolean {
  // Judged on the exact ratio, not the rounded share reported beside it (49.96 % would round to 50 %).
  return (
    clean &&
    ceilingEventsPerSec > 0 &&
    headline.eventsPerSec >= INGEST_TARGET.ceilingShare * ceilingEventsPerSec &&
    headline.eventsPerSec >= INGEST_TARGET.eventsPerSec &&
    headline.p99Ms < INGEST_TARGET.p99Ms
  );
}
