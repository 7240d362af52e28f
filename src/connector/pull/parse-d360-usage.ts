import { isObject, readOptionalString, type Json } from './analytics-values';
import { callRowOf, mergeCallRows } from './parse-calls';
import { mergePricingRows, pricingRowOf, type ParseContext } from './parse-pricing';
import type { MetaCallRow, MetaPricingRow } from './pull-sink';

/**
 * 360Dialog "Get Channel Usage" (Partner API). Its response schema is NOT published in the pages we
 * could read (UNCERTAIN, see docs/pulls.md): the reference only says it returns "pricing and call
 * analytics usage for a specific channel. Check Meta documentation for more details." So this parser
 * is tolerant: it walks the JSON (bounded depth) for arrays of Meta-style data points and sorts each
 * point by its metrics: `volume` -> pricing, `count`/`average_duration` -> calls. Meta's snake_case
 * and camelCase names are both read; a top-level `currency` overrides the WABA's.
 */

const MAX_DEPTH = 6;
const MAX_POINTS = 500_000;

interface Found {
  pricing: { point: Json; path: string }[];
  calls: { point: Json; path: string; direction: string | null }[];
}

function isPricingPoint(p: Json): boolean {
  return 'start' in p && ('volume' in p || 'pricing_category' in p || 'pricingCategory' in p);
}

function isCallPoint(p: Json): boolean {
  return 'start' in p && !('volume' in p) && ('count' in p || 'average_duration' in p || 'averageDuration' in p);
}

function walk(node: unknown, path: string, depth: number, direction: string | null, found: Found): void {
  if (depth > MAX_DEPTH || found.pricing.length + found.calls.length > MAX_POINTS) return;
  if (Array.isArray(node)) {
    node.forEach((item, i) => {
      const at = `${path}[${i}]`;
      if (isObject(item) && isPricingPoint(item)) found.pricing.push({ point: item, path: at });
      else if (isObject(item) && isCallPoint(item)) found.calls.push({ point: item, path: at, direction });
      else walk(item, at, depth + 1, direction, found);
    });
    return;
  }
  if (!isObject(node)) return;
  const here = typeof node.directions === 'string' && !node.directions.includes(',') ? node.directions : direction;
  for (const [key, value] of Object.entries(node)) {
    if (typeof value === 'object' && value !== null) walk(value, path ? `${path}.${key}` : key, depth + 1, here, found);
  }
}

export interface D360UsageRows {
  pricing: MetaPricingRow[];
  calls: MetaCallRow[];
}

/** `phoneNumberId` is the channel's phone number id from config (the response is per channel). */
export function parseD360Usage(body: unknown, ctx: ParseContext, phoneNumberId: string | null): D360UsageRows {
  const found: Found = { pricing: [], calls: [] };
  walk(body, '', 0, null, found);
  const currency = isObject(body) ? readOptionalString(typeof body.currency === 'string' ? body.currency : null, 'currency') : null;
  const local: ParseContext = { ...ctx, currency: currency ? currency.toUpperCase() : ctx.currency };
  const pricing = found.pricing.map(({ point, path }) => {
    const row = pricingRowOf(point, path, local);
    return { ...row, phoneNumberId: phoneNumberId ?? row.phoneNumberId };
  });
  const calls = found.calls.map(({ point, path, direction }) => {
    const fallback = direction ? (direction.trim().toLowerCase() as MetaCallRow['direction']) : null;
    const row = callRowOf(point, path, local, fallback === 'user_initiated' || fallback === 'business_initiated' ? fallback : null);
    return { ...row, phoneNumberId: phoneNumberId ?? row.phoneNumberId };
  });
  return { pricing: mergePricingRows(pricing), calls: mergeCallRows(calls) };
}
