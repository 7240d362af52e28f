import type { Direction } from '@core';
import { bucketDayOf, dataPointsOf, readCostMicros, readCount, readNumber, readOptionalString, type Json } from './analytics-values';
import { phoneIdOf, type ParseContext } from './parse-pricing';
import type { MetaCallRow } from './pull-sink';

function directionOf(raw: string | null, path: string, ctx: ParseContext): Direction | null {
  if (raw === null) return null;
  const norm = raw.trim().toLowerCase();
  if (norm === 'user_initiated' || norm === 'business_initiated') return norm;
  ctx.warn('unknown call direction kept as null', { path, value: raw });
  return null;
}

export function callRowOf(point: Json, path: string, ctx: ParseContext, defaultDirection: Direction | null): MetaCallRow {
  const bucket = bucketDayOf(point.start, point.end, ctx.timezone, path);
  if (!bucket.aligned) ctx.warn('DAILY bucket does not start at WABA-local midnight', { path, start: point.start, timezone: ctx.timezone });
  const direction = readOptionalString(point.direction, `${path}.direction`);
  const avg = point.average_duration ?? point.averageDuration;
  return {
    day: bucket.day,
    wabaId: ctx.wabaId,
    phoneNumberId: phoneIdOf(readOptionalString(point.phone_number ?? point.phoneNumber, `${path}.phone_number`), ctx),
    country: readOptionalString(point.country, `${path}.country`)?.toUpperCase() ?? null,
    direction: direction === null ? defaultDirection : directionOf(direction, `${path}.direction`, ctx),
    count: readCount(point.count ?? 0, `${path}.count`),
    costMicros: readCostMicros(point.cost, `${path}.cost`),
    averageDurationSec: avg === undefined || avg === null ? null : readNumber(avg, `${path}.average_duration`),
    currency: ctx.currency,
  };
}

/** Merges rows with the same key; the average duration is re-weighted by count. */
export function mergeCallRows(rows: readonly MetaCallRow[]): MetaCallRow[] {
  const byKey = new Map<string, MetaCallRow>();
  for (const row of rows) {
    const key = [row.day, row.phoneNumberId, row.country, row.direction].join('\u0000');
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...row });
      continue;
    }
    const total = seen.count + row.count;
    if (seen.averageDurationSec !== null && row.averageDurationSec !== null && total > 0) {
      seen.averageDurationSec = (seen.averageDurationSec * seen.count + row.averageDurationSec * row.count) / total;
    } else if (seen.averageDurationSec === null || row.averageDurationSec === null) {
      seen.averageDurationSec = seen.averageDurationSec ?? row.averageDurationSec;
    }
    seen.count = total;
    seen.costMicros = seen.costMicros === null || row.costMicros === null ? null : seen.costMicros + row.costMicros;
  }
  return [...byKey.values()];
}

/**
 * `call_analytics`: `{granularity, directions, data_points:[{start,end,cost,count,average_duration,
 * phone_number?,country?,direction?}]}`. Without a DIRECTION dimension, a single `directions` filter
 * on the response names the direction of every point.
 */
export function parseCallAnalytics(container: unknown, ctx: ParseContext, path = 'call_analytics'): MetaCallRow[] {
  const { points, parent } = dataPointsOf(container, path);
  const directions = parent
    ? readOptionalString(typeof parent.directions === 'string' ? parent.directions : null, `${path}.directions`)
    : null;
  const fallback = directions && !directions.includes(',') ? directionOf(directions, `${path}.directions`, ctx) : null;
  return mergeCallRows(points.map((p, i) => callRowOf(p, `${path}.data_points[${i}]`, ctx, fallback)));
}
