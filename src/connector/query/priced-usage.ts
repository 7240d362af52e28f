import {
  addDays,
  firstDayOf,
  isKnownPricingType,
  monthOf,
  priceUsage,
  toCategory,
  toPricingType,
  type Category,
  type PricedRow,
  type PricingModel,
  type PricingProblem,
  type PricingType,
  type UsageRow,
} from '@core';
import type { UsageDailyRow } from '../store';
import { currencyOfDay, type QueryContext, type WabaInfo } from './query-context';
import type { LocalDays } from './day-range';

export interface PricedUsage {
  rows: PricedRow[];
  problems: PricingProblem[];
  tierCounts: Map<string, number>;
}

/** Messages are outbound; Meta's `service` category is the user-initiated side of the origin split. */
export const directionOf = (category: string) => (category === 'service' ? 'user_initiated' : 'business_initiated');

function pricingTypeOf(r: UsageDailyRow, category: Category): PricingType {
  if (r.pricingType) {
    try {
      return toPricingType(r.pricingType);
    } catch {
      // An unknown type from a newer API version: price it as charged rather than drop it.
    }
  }
  return category === 'service' ? 'free_customer_service' : 'regular';
}

export function toUsageRow(r: UsageDailyRow, waba: WabaInfo): (UsageRow & { category: Category; pricingType: PricingType }) | null {
  let category: Category;
  try {
    category = toCategory(r.category);
  } catch {
    return null;
  }
  return {
    day: r.day,
    wabaId: r.wabaId,
    portfolioId: waba.portfolio,
    currency: currencyOfDay(waba, r.day),
    market: r.market,
    category,
    pricingType: pricingTypeOf(r, category),
    pricingModel: (r.pricingModel === 'CBP' ? 'CBP' : 'PMP') as PricingModel,
    // Charged units: conversations on CBP days (counted once, on their first delivery), messages on PMP days.
    units: r.units,
    messages: r.messages,
    dims: { phone: r.phoneNumberId, country: r.country, group: r.group, direction: directionOf(category) },
  };
}

/**
 * Like toUsageRow, but a category or pricing type we do not know (e.g. meta_business_agent) is kept
 * as stored (lower snake case) instead of dropping the row: priceUsage counts it, prices it null and
 * reports it (unknown_category / unknown_pricing_type), so delivered totals include it.
 */
export function toUsageRowKeepingUnknown(r: UsageDailyRow, waba: WabaInfo): UsageRow {
  const strict = toUsageRow(r, waba);
  if (strict && (r.pricingType === null || isKnownPricingType(r.pricingType))) return strict;
  const category = strict?.category ?? r.category;
  return {
    day: r.day,
    wabaId: r.wabaId,
    portfolioId: waba.portfolio,
    currency: currencyOfDay(waba, r.day),
    market: r.market,
    category,
    pricingType: r.pricingType ?? 'regular',
    pricingModel: (r.pricingModel === 'CBP' ? 'CBP' : 'PMP') as PricingModel,
    units: r.units,
    messages: r.messages,
    dims: { phone: r.phoneNumberId, country: r.country, group: r.group, direction: directionOf(category) },
  };
}

type Cache = Map<string, { generation: number; at: number; value: Promise<PricedUsage> }>;
// Per store, so two connectors in one process (tests) never share priced rows.
const caches = new WeakMap<object, Cache>();
/**
 * Our own commits and price reloads move the generation; rows written by another replica (or by a
 * CLI import into the same file) show up within this long even though our generation did not move.
 */
const CACHE_MS = 15_000;
/**
 * Under steady ingest the generation moves on every commit; re-pricing on each query would keep the
 * event loop busy and delay webhook acknowledgements (seen in the soak: p50 ~1 s). Priced rows are
 * therefore reused for this long even when newer events exist: panels may lag ingest by up to 2 s.
 */
const MIN_REFRESH_MS = 2_000;
// A 90-day span of a large sender is hundreds of thousands of priced rows: keep only a few spans.
const CACHE_ENTRIES = 4;

/**
 * Prices every stored usage row from the first day of `span`'s first month through its last day.
 * Starting at the month start is what makes volume tiers right for a window that starts mid-month;
 * all WABAs are priced together because tiers are counted per portfolio.
 */
/**
 * `fine`: the full daily rollup (phone, country and group kept as dims). `pricing`: the rollup at the
 * grain prices depend on (day x WABA x market x category x pricing type x model), a few thousand rows
 * for 90 days; its costs equal the fine rows' summed per key, because pricing reads only those keys.
 */
export type UsageGrain = 'fine' | 'pricing';

export function pricedUsage(ctx: QueryContext, span: LocalDays, grain: UsageGrain = 'fine'): Promise<PricedUsage> {
  const fromDay = firstDayOf(monthOf(span.fromDay));
  const key = `${grain}|${fromDay}|${span.toDay}`;
  let cache = caches.get(ctx.store);
  if (!cache) caches.set(ctx.store, (cache = new Map()));
  const hit = cache.get(key);
  // The cache ages on the machine's monotonic clock, not on ctx.now(): a connector pinned to an
  // instant (--as-of) would otherwise never see webhooks that arrive after its first query.
  const now = performance.now();
  const age = hit ? now - hit.at : Infinity;
  if (hit && (age < MIN_REFRESH_MS || (hit.generation === ctx.generation() && age < CACHE_MS))) return hit.value;
  const value = (async () => {
    const range = { fromDay, toDay: span.toDay };
    const stored = grain === 'fine' ? await ctx.store.usageDaily(range) : await ctx.store.usagePricingDaily(range);
    const rows: UsageRow[] = [];
    for (const r of stored) {
      const waba = ctx.wabas.get(r.wabaId);
      if (!waba) continue;
      rows.push(toUsageRowKeepingUnknown(r, waba));
    }
    return priceUsage(rows, ctx.priceBook());
  })();
  // A fine span of a large sender is hundreds of MB: keep one; pricing-grain spans are small.
  const limit = grain === 'fine' ? 1 : CACHE_ENTRIES;
  const sameGrain = [...cache.keys()].filter((k) => k.startsWith(`${grain}|`));
  while (sameGrain.length >= limit) cache.delete(sameGrain.shift() as string);
  cache.set(key, { generation: ctx.generation(), at: now, value });
  value.catch(() => cache.delete(key));
  return value;
}

export const dayBefore = (day: string) => addDays(day, -1);
