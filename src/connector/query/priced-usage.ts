import {
  addDays,
  daysInMonth,
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
import type { PricedDimension, UsageDailyRow } from '../store';
import { childKeyOf, pricingKeyOf, splitParent, type GrainChild } from './grain-allocation';
import { currencyOfDay, type QueryContext, type WabaInfo } from './query-context';
import type { LocalDays } from './day-range';

export interface PricedUsage {
  rows: PricedRow[];
  problems: PricingProblem[];
  tierCounts: Map<string, number>;
}

/** Messages are outbound; Meta's `service` category is the user-initiated side of the origin split. */
export const directionOf = (category: string) => (category === 'service' ? 'user_initiated' : 'business_initiated');

const grainDims = (direction: string) => Object.freeze({ phone: null, country: null, group: null, direction });
/**
 * The dims of a row at the pricing grain (no phone, country or group): one frozen object per direction,
 * shared by every such row, instead of one per row in every month the query worker keeps priced
 * (docs/performance.md, "Shared strings, summed reads and kept bodies").
 */
const GRAIN_DIMS: Readonly<Record<ReturnType<typeof directionOf>, Readonly<Record<string, string | null>>>> = {
  user_initiated: grainDims('user_initiated'),
  business_initiated: grainDims('business_initiated'),
};

function dimsOf(r: UsageDailyRow, category: string): Readonly<Record<string, string | null>> {
  const direction = directionOf(category);
  if (r.phoneNumberId === null && r.country === null && r.group === null) return GRAIN_DIMS[direction];
  return { phone: r.phoneNumberId, country: r.country, group: r.group, direction };
}

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
    dims: dimsOf(r, category),
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
    dims: dimsOf(r, category),
  };
}

interface CacheEntry {
  generation: number;
  at: number;
  value: Promise<unknown>;
  /** A month's pricing (`monthPricing`): the price book it used and, when its month had no usage mark, the month's stamp. */
  book?: unknown;
  stamp?: string | null;
}
type Cache = Map<string, CacheEntry>;
// Per store, so two connectors in one process (tests) never share priced rows.
const caches = new WeakMap<object, Cache>();
/**
 * Our own commits and price reloads move the generation, and on PostgreSQL so do the other replicas'
 * (their NOTIFY, docs/replicas.md). What nothing announces (a CLI import into a SQLite file, a
 * listening connection cut without the connector noticing) shows up within this long regardless.
 */
const CACHE_MS = 15_000;
/**
 * Under steady ingest the generation moves on every commit; re-pricing on each query would keep the
 * query thread pricing the same span over and over. Priced rows are therefore reused for this long
 * even when newer events exist, so a webhook shows in a panel within this plus one query-time pricing
 * (issue 13: < 2 s). It was 1.5 s, chosen when queries ran on the HTTP thread, where a refresh
 * delayed webhook acknowledgements (the soak's p50 ~1 s); at 1.5 s the slowest of 30 samples at full
 * scale took 2,262 ms. Queries now run in the query worker (`query.worker`, on by default but for an
 * in-memory SQLite store), so a refresh costs that thread, not the acknowledgements; and the re-pricer
 * prices in a worker of its own (`query.repricingWorker`), so no refresh waits behind a month's
 * pricing (docs/performance.md, "Webhook to visible" and "The re-pricer in a worker of its own").
 */
const MIN_REFRESH_MS = 750;
/**
 * Months priced at the pricing grain kept at once (a few thousand rows each: 15,000 a month at full
 * scale): a dashboard's spans reach back three months, and a month is kept once for every last day
 * a span gives it (the current month's today, a past month's end).
 */
const MONTH_ENTRIES = 8;

/**
 * Prices the usage of `span` at the pricing grain (day x WABA x market x category x pricing type x
 * model: the rollup prices depend on, a few thousand rows for 90 days) from the first day of its first
 * month: starting at the month start is what makes volume tiers right for a window that starts
 * mid-month; all WABAs are priced together because tiers are counted per portfolio. Finer grains are
 * this pricing allocated (`allocatedUsage`), never a pricing of their own.
 *
 * Each month is priced on its own (`monthPricing`) and the months put together: tiers and the CBP
 * allowance count per month, core prices rows in the order they come (the read is by day first) and
 * lists problems by day, so the parts are the span's pricing row for row (tested against one pricing
 * of the whole span, priced-usage.test.ts). What that buys is that a month nothing touched is not
 * priced again when a webhook for another month moves the generation.
 */
export async function pricedUsage(ctx: QueryContext, span: LocalDays): Promise<PricedUsage> {
  let marks: Promise<ReadonlySet<string>> | undefined;
  const usageMarked = () =>
    (marks ??= ctx.store
      .pricingDirty()
      .then((all) => new Set(all.filter((m) => ctx.wabas.has(m.wabaId) && m.kinds.includes('usage')).map((m) => m.month))));
  const parts: Promise<PricedUsage>[] = [];
  for (let month = monthOf(span.fromDay); month <= monthOf(span.toDay); month = monthOf(addDays(firstDayOf(month), daysInMonth(month)))) {
    const monthEnd = addDays(firstDayOf(month), daysInMonth(month) - 1);
    parts.push(monthPricing(ctx, month, monthEnd < span.toDay ? monthEnd : span.toDay, usageMarked));
  }
  const done = await Promise.all(parts);
  if (done.length === 1) return done[0] as PricedUsage;
  // The months put together are kept beside them: while no month was priced again, every panel over
  // the span gets the same object rather than a copy of ~45,000 rows at full scale each.
  let joined = spans.get(ctx.store);
  if (!joined) spans.set(ctx.store, (joined = new Map()));
  const key = `${span.fromDay}|${span.toDay}`;
  const kept = joined.get(key);
  if (kept && kept.parts.length === done.length && kept.parts.every((p, i) => p === done[i])) return kept.value;
  const value: PricedUsage = {
    rows: done.flatMap((p) => p.rows),
    problems: done.flatMap((p) => p.problems),
    tierCounts: new Map(done.flatMap((p) => [...p.tierCounts])),
  };
  joined.delete(key);
  joined.set(key, { parts: done, value });
  for (const k of joined.keys()) {
    if (joined.size <= MONTH_ENTRIES) break;
    joined.delete(k);
  }
  return value;
}

/** Spans of several months put together (`pricedUsage`), per store, with the month pricings they were made of. */
const spans = new WeakMap<object, Map<string, { parts: readonly PricedUsage[]; value: PricedUsage }>>();

/**
 * One month's pricing from its first day to `toDay`, cached as the other pricings are (MIN_REFRESH_MS,
 * the generation, CACHE_MS) with one more way to stay: while the stored priced rollups are read
 * (`readPricedRollups`: the re-pricer runs), a month that had no usage mark when it was priced, has
 * none now and whose stamp (`pricedUsageStamp`: its pricing-grain rows' count and latest write) has
 * not moved holds the same usage, whatever else the generation counts, and its pricing is reused up
 * to CACHE_MS. Under steady webhooks for today, a 90-day panel used to price all three months at every
 * refresh; now it prices the current month, which they mark.
 */
function monthPricing(
  ctx: QueryContext,
  month: string,
  toDay: string,
  usageMarked: () => Promise<ReadonlySet<string>>,
): Promise<PricedUsage> {
  const fromDay = firstDayOf(month);
  const key = `pricing-month|${toDay}`;
  let cache = caches.get(ctx.store);
  if (!cache) caches.set(ctx.store, (cache = new Map()));
  const entries = cache;
  const book = ctx.priceBook();
  const now = performance.now();
  const hit = entries.get(key);
  const compute = (): Promise<PricedUsage> => {
    const entry: CacheEntry = { generation: ctx.generation(), at: now, value: undefined as never, book, stamp: null };
    entry.value = (async () => {
      // The mark and the stamp are read before the rows: whatever lands after them moves one of the two.
      if (ctx.readPricedRollups && !(await usageMarked()).has(month)) entry.stamp = await ctx.store.pricedUsageStamp({ fromDay, toDay });
      const rows: UsageRow[] = [];
      for (const r of await ctx.store.usagePricingDaily({ fromDay, toDay })) {
        const waba = ctx.wabas.get(r.wabaId);
        if (waba) rows.push(toUsageRowKeepingUnknown(r, waba));
      }
      return priceUsage(rows, book);
    })();
    const months = [...entries.keys()].filter((k) => k.startsWith('pricing-month|'));
    while (months.length >= MONTH_ENTRIES) entries.delete(months.shift() as string);
    entries.set(key, entry);
    entry.value.catch(() => entries.delete(key));
    return entry.value as Promise<PricedUsage>;
  };
  if (!hit || hit.book !== book) return compute();
  const age = now - hit.at;
  if (age < MIN_REFRESH_MS || (hit.generation === ctx.generation() && age < CACHE_MS)) return hit.value as Promise<PricedUsage>;
  if (age >= CACHE_MS || !ctx.readPricedRollups) return compute();
  const generation = ctx.generation();
  return (async () => {
    const value = hit.value as Promise<PricedUsage>;
    await value;
    if (hit.stamp && !(await usageMarked()).has(month) && (await ctx.store.pricedUsageStamp({ fromDay, toDay })) === hit.stamp) {
      // Unchanged up to the generation read before the checks: later queries at it need not check again.
      hit.generation = generation;
      return value;
    }
    return entries.get(key) === hit ? compute() : ((entries.get(key)?.value as Promise<PricedUsage> | undefined) ?? compute());
  })();
}

/** Rows of `span` at a grain finer than the pricing grain, each carrying its share of its pricing-grain row. */
export interface AllocatedUsage {
  rows: (PricedRow & { dims: Record<string, string | null> })[];
  problems: PricingProblem[];
}

/**
 * The usage of `span` at the grain of `dims` (country, phone, group, in that order), priced at the
 * pricing grain from the month's first day and each pricing-grain row's billable units and cost
 * allocated to its rows of that grain by `splitParent` (largest remainder over charged units), the
 * rule the stored finer grains follow (re-pricer.ts). The span's pricing grain is summed here from
 * the same read of the fine rollup, so parent and children always add up, whatever ingest commits
 * meanwhile; the month's days before the span, which only count towards the tiers, are read at the
 * pricing grain. Rows start at `span.fromDay`; problems cover the month from its first day.
 */
export function allocatedUsage(ctx: QueryContext, span: LocalDays, dims: readonly PricedDimension[]): Promise<AllocatedUsage> {
  const fromDay = firstDayOf(monthOf(span.fromDay));
  // One span at a time: its rows are about as many as the fine rollup's.
  return cached(ctx, `alloc:${dims.join(',')}`, `${fromDay}|${span.fromDay}|${span.toDay}`, 1, async () => {
    const parents = new Map<string, UsageRow & { messages: number }>();
    const children = new Map<string, Map<string, GrainChild & { dims: Record<string, string | null> }>>();
    const addParent = (r: UsageDailyRow, waba: WabaInfo) => {
      const u = toUsageRowKeepingUnknown(r, waba);
      const k = pricingKeyOf(u);
      let p = parents.get(k);
      if (!p) {
        const grain = toUsageRowKeepingUnknown({ ...r, phoneNumberId: null, country: null, group: null, messages: 0, units: 0 }, waba);
        parents.set(k, (p = { ...grain, messages: 0 }));
      }
      p.units += u.units;
      p.messages += u.messages ?? u.units;
      return { u, k };
    };
    // The days before the span only set the tiers: their pricing-grain rows will do, and a month's
    // fine rollup (a dirty month under webhooks is read from today on) is never held for them.
    if (fromDay < span.fromDay)
      for (const r of await ctx.store.usagePricingDaily({ fromDay, toDay: addDays(span.fromDay, -1) })) {
        const waba = ctx.wabas.get(r.wabaId);
        if (waba) addParent(r, waba);
      }
    // Summed in SQL to the grain asked for (a day of a large sender's fine rollup is ~9,400 rows, ~700
    // by group): the children are those sums whoever adds them, and a parent is the same sum either way.
    for (const r of await ctx.store.usageDaily({ fromDay: span.fromDay, toDay: span.toDay, keep: dims })) {
      const waba = ctx.wabas.get(r.wabaId);
      if (!waba) continue;
      const { u, k } = addParent(r, waba);
      const messages = u.messages ?? u.units;
      const values = u.dims ?? {};
      const key = childKeyOf(dims, values);
      let byKey = children.get(k);
      if (!byKey) children.set(k, (byKey = new Map()));
      let c = byKey.get(key);
      if (!c) {
        const kept: Record<string, string | null> = { phone: null, country: null, group: null, direction: values.direction ?? null };
        for (const d of dims) kept[d] = values[d] ?? null;
        byKey.set(key, (c = { key, messages: 0, units: 0, dims: kept }));
      }
      c.messages += messages;
      c.units += u.units;
    }
    const priced = priceUsage([...parents.values()], ctx.priceBook());
    const rows: AllocatedUsage['rows'] = [];
    for (const p of priced.rows) {
      const byKey = children.get(pricingKeyOf(p));
      if (!byKey) continue;
      // Children in share-key order: the order the stored finer grains are written and read in.
      const list = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const parts = splitParent(p, list);
      list.forEach((c, i) => {
        const part = parts[i] as { billable: number; costMicros: PricedRow['costMicros'] };
        const { tiers: _tiers, ...parent } = p;
        rows.push({ ...parent, messages: c.messages, units: c.units, billable: part.billable, costMicros: part.costMicros, dims: c.dims });
      });
    }
    return { rows, problems: priced.problems };
  });
}

/**
 * The cache shared by the query-time pricings: per store, grain and span, refreshed as described above
 * (CACHE_MS, MIN_REFRESH_MS); at most `limit` spans of one grain are kept. `agedFrom: 'settled'`
 * counts MIN_REFRESH_MS from when the value was ready instead of from its start: for a pricing that
 * takes longer than that (the calls of a month, ~2 s at full scale), every query queued behind it
 * in the query worker would otherwise find it already too old and price the month again.
 */
export function cached<T>(
  ctx: QueryContext,
  grain: string,
  span: string,
  limit: number,
  compute: () => Promise<T>,
  agedFrom: 'start' | 'settled' = 'start',
): Promise<T> {
  const key = `${grain}|${span}`;
  let cache = caches.get(ctx.store);
  if (!cache) caches.set(ctx.store, (cache = new Map()));
  const hit = cache.get(key);
  // The cache ages on the machine's monotonic clock, not on ctx.now(): a connector pinned to an
  // instant (--as-of) would otherwise never see webhooks that arrive after its first query.
  const now = performance.now();
  const age = hit ? now - hit.at : Infinity;
  if (hit && (age < MIN_REFRESH_MS || (hit.generation === ctx.generation() && age < CACHE_MS))) return hit.value as Promise<T>;
  const value = compute();
  const sameGrain = [...cache.keys()].filter((k) => k.startsWith(`${grain}|`));
  while (sameGrain.length >= limit) cache.delete(sameGrain.shift() as string);
  const entry = { generation: ctx.generation(), at: now, value };
  cache.set(key, entry);
  value.then(
    () => {
      if (agedFrom === 'settled') entry.at = performance.now();
    },
    () => cache.delete(key),
  );
  return value;
}
