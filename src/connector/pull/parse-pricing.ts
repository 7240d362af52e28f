import { toCategory, toPricingType, type Category, type PricingType } from '@core';
import { bucketDayOf, dataPointsOf, phoneDigits, readCostMicros, readCount, readOptionalString, type Json } from './analytics-values';
import type { MetaPricingRow } from './pull-sink';

export interface ParseContext {
  wabaId: string;
  timezone: string;
  currency: string;
  /** Display number digits -> phone number id (from the WABA's phone_numbers edge). */
  phoneIds: ReadonlyMap<string, string>;
  /** Problems that do not stop the pull (unknown enum values, misaligned buckets). */
  warn(message: string, detail: object): void;
}

export function phoneIdOf(raw: string | null, ctx: ParseContext): string | null {
  if (raw === null) return null;
  const digits = phoneDigits(raw);
  return ctx.phoneIds.get(digits) ?? ctx.phoneIds.get(raw) ?? (digits || raw);
}

function categoryOf(raw: string | null, path: string, ctx: ParseContext): Category | null {
  if (raw === null) return null;
  try {
    return toCategory(raw, path);
  } catch {
    // e.g. GROUP_* categories: kept with category null so no volume or cost is lost.
    ctx.warn('unknown pricing category kept as null', { path, value: raw });
    return null;
  }
}

function pricingTypeOf(raw: string | null, path: string, ctx: ParseContext): PricingType | null {
  if (raw === null) return null;
  try {
    return toPricingType(raw, path);
  } catch {
    ctx.warn('unknown pricing type kept as null', { path, value: raw });
    return null;
  }
}

/** Sums rows that share every key (HALF_HOUR data or a proxy's finer split collapse to one day). */
export function mergePricingRows(rows: readonly MetaPricingRow[]): MetaPricingRow[] {
  const byKey = new Map<string, MetaPricingRow>();
  for (const row of rows) {
    const key = [row.day, row.phoneNumberId, row.country, row.category, row.pricingType, row.tier].join('\u0000');
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...row });
      continue;
    }
    seen.volume += row.volume;
    seen.costMicros = seen.costMicros === null || row.costMicros === null ? null : seen.costMicros + row.costMicros;
  }
  return [...byKey.values()];
}

export function pricingRowOf(point: Json, path: string, ctx: ParseContext): MetaPricingRow {
  const bucket = bucketDayOf(point.start, point.end, ctx.timezone, path);
  if (!bucket.aligned) ctx.warn('DAILY bucket does not start at WABA-local midnight', { path, start: point.start, timezone: ctx.timezone });
  return {
    day: bucket.day,
    wabaId: ctx.wabaId,
    phoneNumberId: phoneIdOf(readOptionalString(point.phone_number ?? point.phoneNumber, `${path}.phone_number`), ctx),
    country: readOptionalString(point.country, `${path}.country`)?.toUpperCase() ?? null,
    category: categoryOf(
      readOptionalString(point.pricing_category ?? point.pricingCategory, `${path}.pricing_category`),
      `${path}.pricing_category`,
      ctx,
    ),
    pricingType: pricingTypeOf(
      readOptionalString(point.pricing_type ?? point.pricingType, `${path}.pricing_type`),
      `${path}.pricing_type`,
      ctx,
    ),
    tier: readOptionalString(point.tier, `${path}.tier`),
    volume: readCount(point.volume, `${path}.volume`),
    costMicros: readCostMicros(point.cost, `${path}.cost`),
    currency: ctx.currency,
  };
}

/**
 * `pricing_analytics` (Meta, PMP): `{data:[{data_points:[{start,end,phone_number?,country?,tier?,
 * pricing_type?,pricing_category?,volume,cost?}]}]}`. A missing `cost` (partner credit line) gives
 * costMicros null, never 0.
 */
export function parsePricingAnalytics(container: unknown, ctx: ParseContext, path = 'pricing_analytics'): MetaPricingRow[] {
  const { points } = dataPointsOf(container, path);
  return mergePricingRows(points.map((p, i) => pricingRowOf(p, `${path}.data_points[${i}]`, ctx)));
}
