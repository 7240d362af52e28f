import { firstDayOf, monthOf } from '@core';
import type { LocalDays } from './day-range';
import type { QueryContext } from './query-context';

/**
 * How long a kept body is reused, as `monthPricing` reuses a month on the same evidence
 * (priced-usage.ts, CACHE_MS): what the marks and the stamp do not show (none known) is bounded too.
 */
export const KEPT_BODY_MS = 15_000;
/** Bodies kept per store, and the largest kept: the panels' answers, not the bulk exports. */
export const KEPT_BODIES = 4;
export const KEPT_BODY_MAX_CHARS = 2 * 1024 * 1024;

interface Kept {
  /** The span's evidence when the body was made (`evidenceOf`). */
  evidence: string;
  at: number;
  chunks: readonly string[];
}

const kept = new WeakMap<object, Map<string, Kept>>();

/**
 * What says that the stored usage of `span` has not changed since: no usage mark in its months and
 * the same stamp of the priced pricing grain from its first month's first day (the mark is set in
 * the transaction that changes the usage, and the re-pricer's rewrite that clears it moves the
 * stamp). null when there is no such evidence: a month is marked, or the priced rollups are not
 * kept (`readPricedRollups` off), so the stamp says nothing.
 */
async function evidenceOf(ctx: QueryContext, span: LocalDays): Promise<string | null> {
  if (!ctx.readPricedRollups) return null;
  const from = monthOf(span.fromDay);
  const to = monthOf(span.toDay);
  const marks = await ctx.store.pricingDirty();
  if (marks.some((m) => ctx.wabas.has(m.wabaId) && m.kinds.includes('usage') && m.month >= from && m.month <= to)) return null;
  return `${span.fromDay}|${span.toDay}|${await ctx.store.pricedUsageStamp({ fromDay: firstDayOf(from), toDay: span.toDay })}`;
}

/**
 * The chunks of a body made from the stored usage of `span` (already cut to the data: a day with
 * data outside it changes the span, hence the evidence), kept per store and `key` (the request) and
 * given again while the evidence holds, for up to KEPT_BODY_MS. A dashboard asks for the same last
 * month on every refresh; the month is read and grouped once. The evidence is read before the rows:
 * whatever commits after it marks a month or moves the stamp.
 */
export async function* keptBody(
  ctx: QueryContext,
  key: string,
  span: LocalDays | null,
  make: () => AsyncGenerator<string>,
): AsyncGenerator<string> {
  let bodies = kept.get(ctx.store);
  if (!bodies) kept.set(ctx.store, (bodies = new Map()));
  const evidence = span && (await evidenceOf(ctx, span));
  const now = performance.now();
  const hit = bodies.get(key);
  // A kept body's evidence is a string: no evidence (null) never matches it.
  if (hit && hit.evidence === evidence && now - hit.at < KEPT_BODY_MS) {
    yield* hit.chunks;
    return;
  }
  const chunks: string[] = [];
  let chars = 0;
  for await (const chunk of make()) {
    if (chars <= KEPT_BODY_MAX_CHARS) chunks.push(chunk);
    chars += chunk.length;
    yield chunk;
  }
  bodies.delete(key);
  if (evidence === null || chars > KEPT_BODY_MAX_CHARS) return;
  bodies.set(key, { evidence, at: now, chunks });
  for (const k of bodies.keys()) {
    if (bodies.size <= KEPT_BODIES) break;
    bodies.delete(k);
  }
}
