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

/** "unique contacts, 30 days < 50 ms": the dashboard's /contacts request over the store's last 30 days, median. */
export const UNIQUE_CONTACTS_TARGET = { medianMs: 50, days: 30 } as const;

/** Met when the request answered rows (an empty answer measures nothing) with a median under 50 ms. */
export function uniqueContactsMet(figure: { rows: number | null; medianMs: number | null }): boolean {
  return (figure.rows ?? 0) > 0 && typeof figure.medianMs === 'number' && figure.medianMs < UNIQUE_CONTACTS_TARGET.medianMs;
}

/**
 * "webhook acknowledged → visible in a panel query < 2 s", held by every sample: the time from a
 * webhook's 200 to the first poll of the panel's request that counts its message.
 */
export const VISIBLE_TARGET = { maxMs: 2_000 } as const;

export function visibleMet(figure: { samples: number; visible: number; maxMs: number | null }): boolean {
  return figure.samples > 0 && figure.visible === figure.samples && typeof figure.maxMs === 'number' && figure.maxMs < VISIBLE_TARGET.maxMs;
}

/**
 * "plugin `runQuery` on the largest dashboard response < 50 ms": the median of runQuery on the real
 * answers of the dashboard panel whose answer has the most rows.
 */
export const QUERY_LAYER_TARGET = { largestDashboardResponseMedianMs: 50 } as const;

export function pluginQueryMet(figure: { rows: number; medianMs: number }): boolean {
  return figure.rows > 0 && figure.medianMs < QUERY_LAYER_TARGET.largestDashboardResponseMedianMs;
}

/**
 * "re-price all 90 days after `rates import` < 60 s, ingest p99 stays < 100 ms meanwhile": the
 * connector's background re-pricer, from the import's commit until the import's re-pricing is done
 * (`importRepriced`), and the p99 of a steady webhook load running all that time.
 */
export const REPRICE_TARGET = { seconds: 60, ingestP99Ms: 100, days: 90 } as const;

/** pricing_dirty's kind bit of the calls (migration 022); 1 is the messages' usage. */
const CALLS_KIND = 2;

/**
 * Whether the marks left in the store are only the load's own: the webhooks that keep arriving
 * during the re-pricing (as the target demands) each mark the day they write, so the month they
 * write into is dirty again as soon as a pass over it ends, and its days from the first one a
 * webhook landed on are answered by query-time pricing meanwhile (stored-pricing.ts). The import's
 * re-pricing is done when every month it marked was written to its end by a pass: a mark the import
 * made owes both kinds (usage and calls) until then, and after it only what was marked since (the
 * load's message webhooks: usage alone, migration 022). So no mark is left that owes the calls or
 * starts before the day the load writes. (A mark is per WABA, but a pass writes a portfolio's
 * WABAs together, so the load's WABA's portfolio partners carry the same first day.)
 */
export function onlyLoadMarksLeft(marks: ReadonlyArray<{ fromDay: string; kinds: number }>, load: { day: string }): boolean {
  return marks.every((m) => m.fromDay >= load.day && (m.kinds & CALLS_KIND) === 0);
}

export function repriceMet(figure: {
  /** Seconds from the import's commit until only the load's own marks were left (`onlyLoadMarksLeft`); null when that never happened. */
  repricedSeconds: number | null;
  loadP99Ms: number | null;
  loadErrors: number;
}): boolean {
  return (
    typeof figure.repricedSeconds === 'number' &&
    figure.repricedSeconds < REPRICE_TARGET.seconds &&
    typeof figure.loadP99Ms === 'number' &&
    figure.loadP99Ms < REPRICE_TARGET.ingestP99Ms &&
    figure.loadErrors === 0
  );
}

/** "every dashboard panel query, 90 days of a 10M-message store: median < 100 ms, p95 < 200 ms, ≥ 100× the raw GROUP BY". */
export const QUERIES_TARGET = { medianMs: 100, p95Ms: 200, speedupVsRaw: 100, messages: 10_000_000 } as const;

/** One panel: all three bounds; a panel without a raw baseline has no ratio to meet it with. */
export function panelMet(figure: { medianMs: number; p95Ms: number; speedup: number | null }): boolean {
  return (
    figure.medianMs < QUERIES_TARGET.medianMs &&
    figure.p95Ms < QUERIES_TARGET.p95Ms &&
    figure.speedup !== null &&
    figure.speedup >= QUERIES_TARGET.speedupVsRaw
  );
}

/**
 * The queries section: the builders agree, and on every engine measured every query was measured on
 * rows and every dashboard panel meets `panelMet`. The `/pricing-input` export the bench times beside
 * them (`panel: false`) is a download no dashboard panel sends: reported with its own `met`, not judged.
 */
export function queriesMet(
  builderIdentical: boolean,
  engines: ReadonlyArray<{ queries: ReadonlyArray<{ panel: boolean; met: boolean }>; notMeasured: number }>,
): boolean {
  return (
    builderIdentical &&
    engines.every((e) => e.queries.some((q) => q.panel) && e.notMeasured === 0 && e.queries.every((q) => !q.panel || q.met))
  );
}

/** "webhook p99 while the heaviest panel queries (any range) run in a loop < 50 ms". */
export const WEBHOOK_UNDER_LOAD_TARGET = { p99Ms: 50 } as const;

/** Met when queries really ran meanwhile, none failed, and the webhooks' p99 under that load was under 50 ms. */
export function webhookUnderLoadMet(figure: {
  loopRequests: number;
  queriesCompleted: number;
  queryErrors: number;
  p99Ms: number;
}): boolean {
  return (
    figure.loopRequests > 0 && figure.queriesCompleted > 0 && figure.queryErrors === 0 && figure.p99Ms < WEBHOOK_UNDER_LOAD_TARGET.p99Ms
  );
}
