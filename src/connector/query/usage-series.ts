import {
  InputError,
  isKnownCategory,
  isKnownPricingType,
  marketOfCountry,
  OTHER_MARKET,
  toDecimalString,
  type Micros,
  type PricingProblem,
} from '@core';
import type { UsageDimension, UsageQuery, UsageResponse, UsageRowDto } from '@contract';
import { bucketOf } from './buckets';
import { localDays, spanOf, withinData, type LocalDays } from './day-range';
import { hourlyFacts } from './hourly-usage';
import { fineDimensionsOf } from './grain-allocation';
import { allocatedUsage, directionOf, pricedUsage } from './priced-usage';
import { selectedWabas, type QueryContext, type WabaInfo } from './query-context';
import { storedPricingGrain, type PricingGrainRow } from './stored-pricing';

/** A usage fact before grouping: one priced rollup row or one row of Meta's pricing analytics. */
interface Fact {
  day: string;
  waba: WabaInfo;
  phone: string | null;
  country: string | null;
  market: string;
  category: string | null;
  pricingType: string | null;
  direction: string;
  group: string | null;
  messages: number;
  billable: number;
  costMicros: Micros | null;
  /** The currency of `costMicros`: the WABA's on that day (estimate) or the one Meta labelled its figures with. */
  currency: string;
  /** Set on hourly facts: the WABA-local hour label and its start instant. */
  hour?: { bucket: string; time: number };
}

const FIELD: Record<UsageDimension, keyof UsageRowDto> = {
  waba: 'wabaId',
  phone: 'phoneNumberId',
  country: 'country',
  market: 'market',
  category: 'category',
  pricing_type: 'pricingType',
  direction: 'direction',
  group: 'group',
};
/** Dimensions the contract allows to be null; the others are left out of the row when unknown. */
const NULLABLE = new Set<UsageDimension>(['country', 'group']);

function dimValue(f: Fact, d: UsageDimension): string | null {
  switch (d) {
    case 'waba':
      return f.waba.id;
    case 'phone':
      return f.phone;
    case 'country':
      return f.country;
    case 'market':
      return f.market;
    case 'category':
      return f.category;
    case 'pricing_type':
      return f.pricingType;
    case 'direction':
      return f.direction;
    case 'group':
      return f.group;
  }
}

const matches = (values: readonly string[], v: string | null) => values.length === 0 || (v !== null && values.includes(v));

function passes(f: Fact, q: UsageQuery): boolean {
  return (
    matches(q.phone, f.phone) &&
    matches(q.country, f.country) &&
    matches(q.category, f.category) &&
    matches(q.pricingType, f.pricingType) &&
    matches(q.direction, f.direction) &&
    matches(q.group, f.group)
  );
}

async function estimateFacts(
  ctx: QueryContext,
  ranges: Map<string, LocalDays>,
  span: LocalDays,
  q: UsageQuery,
): Promise<{ facts: Fact[]; problems: UsageResponse['problems'] }> {
  const priced = await usageAtGrain(ctx, span, q, ranges);
  const facts: Fact[] = [];
  // Filters are applied before a fact is built: most panels keep a small part of the priced rows.
  const keep = (values: readonly string[], v: string | null | undefined) => values.length === 0 || (v != null && values.includes(v));
  for (const r of priced.rows) {
    const range = ranges.get(r.wabaId);
    if (!range || r.day < range.fromDay || r.day > range.toDay) continue;
    const dims = r.dims ?? {};
    if (
      !keep(q.category, r.category) ||
      !keep(q.pricingType, r.pricingType) ||
      !keep(q.country, dims.country) ||
      !keep(q.phone, dims.phone) ||
      !keep(q.group, dims.group) ||
      !keep(q.direction, dims.direction ?? directionOf(r.category))
    )
      continue;
    facts.push({
      day: r.day,
      waba: ctx.wabas.get(r.wabaId) as WabaInfo,
      phone: dims.phone ?? null,
      country: dims.country ?? null,
      market: r.market,
      category: r.category,
      pricingType: r.pricingType,
      direction: dims.direction ?? directionOf(r.category),
      group: dims.group ?? null,
      messages: r.messages ?? r.units,
      billable: r.billable,
      costMicros: r.costMicros,
      currency: r.currency,
    });
  }
  // Core reports a gap once per day it meets it (a market without a rate: every day of the range);
  // the answer names each once. October of the full-scale bench store listed 899 for 29 distinct.
  const problems = new Map<string, UsageResponse['problems'][number]>();
  for (const p of priced.problems) {
    if (p.day < span.fromDay || p.day > span.toDay || UNPRICED_CODES.has(p.code)) continue;
    const key = `${p.code}\u0000${p.message}`;
    if (!problems.has(key)) problems.set(key, { code: p.code, message: p.message });
  }
  return { facts, problems: [...problems.values(), ...unpricedProblems(facts, priced.problems)] };
}

/**
 * The usage of `span` at the grain the query names: the pricing grain when it neither splits nor
 * filters by phone, country or group, else that finer grain with each pricing-grain row's cost
 * allocated to it by largest remainder (grain-allocation.ts). Stored where the months are clean and
 * the grain is stored (the pricing grain or one finer dimension), priced at query time otherwise:
 * the same rule both ways, so the same answer.
 */
export async function usageAtGrain(
  ctx: QueryContext,
  span: LocalDays,
  q: UsageQuery,
  ranges: ReadonlyMap<string, LocalDays>,
): Promise<{ rows: readonly PricingGrainRow[]; problems: readonly PricingProblem[] }> {
  const dims = fineDimensionsOf(q);
  const [dim] = dims;
  if (ctx.readPricedRollups && dims.length <= 1) {
    const filter = {
      wabaIds: [...ranges.keys()],
      values: dim ? q[dim] : [],
      categories: q.category,
      pricingTypes: q.pricingType,
      // Hours split each day's figure by the market's own messages, so they keep it.
      withoutMarket: q.interval !== 'hour' && !q.by.includes('market'),
    };
    // Month buckets add a month's days up anyway: the store does it (a 90-day panel by phone reads
    // ~25 rows per phone instead of ~5,000).
    const stored = await storedPricingGrain(ctx, span, dim, filter, q.interval === 'month' ? ranges : undefined);
    if (stored) return stored;
  }
  return dim === undefined ? pricedUsage(ctx, span) : allocatedUsage(ctx, span, dims);
}

/** Core's codes for rows it counts but cannot price because Meta sent a value we do not know (or a per-token category). */
const UNPRICED_CODES = new Set<string>(['unknown_category', 'unknown_pricing_type', 'unpriced_per_token']);

interface Unpriced {
  code: string;
  category: string;
  messages: number;
  charged: number;
  pricingType: string | null;
}

/** A problem's sentence: charged conversations when its rows hold no message (a CBP conversation's origin). */
function unpricedMessage(p: Unpriced): string {
  if (p.messages === 0)
    return `${p.charged} charged conversation(s) of origin "${p.category}" that waspend does not know: counted, not priced`;
  if (p.code === 'unknown_pricing_type')
    return `${p.messages} delivered ${p.category} message(s) with pricing type "${p.pricingType}" that waspend does not know: counted, not priced`;
  if (p.code === 'unpriced_per_token')
    return `${p.messages} delivered "${p.category}" message(s): Meta charges them per token, which webhooks do not report: counted, not priced`;
  return `${p.messages} delivered message(s) in category "${p.category}" that waspend does not know: counted, not priced`;
}

/**
 * One problem per code and category with the delivered messages the answer counts but cannot price
 * (after the query's filters and range), so the count matches the rows the user sees. A CBP
 * conversation's unit counts under its origin's category, apart from its messages: an origin we do
 * not know leaves a row of 0 messages that Meta still charges, reported as conversations.
 */
function unpricedProblems(facts: readonly Fact[], core: readonly PricingProblem[]): UsageResponse['problems'] {
  const perToken = new Set(core.filter((p) => p.code === 'unpriced_per_token').map((p) => p.category));
  const out = new Map<string, Unpriced>();
  for (const f of facts) {
    if (f.costMicros !== null || f.category === null) continue;
    const knownCategory = isKnownCategory(f.category);
    const knownType = f.pricingType === null || isKnownPricingType(f.pricingType);
    if (knownCategory && knownType) continue;
    const code = knownCategory ? 'unknown_pricing_type' : perToken.has(f.category) ? 'unpriced_per_token' : 'unknown_category';
    const key = `${code}\u0000${f.category}`;
    const cur = out.get(key) ?? { code, category: f.category, messages: 0, charged: 0, pricingType: f.pricingType };
    cur.messages += f.messages;
    cur.charged += f.billable;
    out.set(key, cur);
  }
  return [...out.values()]
    .filter((p) => p.messages > 0 || p.charged > 0)
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.category < b.category ? -1 : a.category > b.category ? 1 : 0))
    .map((p) => ({ code: p.code, category: p.category, count: p.messages > 0 ? p.messages : p.charged, message: unpricedMessage(p) }));
}

function marketOn(country: string | null, day: string): string {
  if (!country) return OTHER_MARKET;
  try {
    return marketOfCountry(country, day).market;
  } catch {
    return OTHER_MARKET;
  }
}

async function metaFacts(ctx: QueryContext, ranges: Map<string, LocalDays>): Promise<Fact[]> {
  const facts: Fact[] = [];
  for (const [wabaId, range] of ranges) {
    const waba = ctx.wabas.get(wabaId);
    if (!waba) continue;
    for (const r of await ctx.store.pulledPricing('meta_pricing', { ...range, wabaId })) {
      const category = r.category;
      const charged = r.pricingType === null || r.pricingType === 'regular';
      facts.push({
        day: r.day,
        waba,
        phone: r.phoneNumberId,
        country: r.country,
        market: marketOn(r.country, r.day),
        category,
        pricingType: r.pricingType,
        direction: directionOf(category ?? ''),
        group: null,
        messages: r.volume,
        billable: charged ? r.volume : 0,
        costMicros: r.costMicros,
        currency: r.currency,
      });
    }
  }
  return facts;
}

export async function usageFacts(ctx: QueryContext, q: UsageQuery): Promise<{ facts: Fact[]; problems: UsageResponse['problems'] }> {
  const ranges = new Map(selectedWabas(ctx, q.waba).map((w) => [w.id, localDays(q.from, q.to, w.timezone)]));
  const span = spanOf([...ranges.values()]);
  if (!span) return { facts: [], problems: [] };
  if (q.interval === 'hour') {
    if (q.source === 'meta') throw new InputError('interval', 'hour', "is not available for source=meta: Meta's analytics are daily");
    const hourly = await hourlyFacts(ctx, q, ranges, span, (s) => usageAtGrain(ctx, s, q, ranges));
    const facts: Fact[] = hourly.map((h) => ({
      day: h.day,
      waba: h.waba,
      phone: h.phone,
      country: h.country,
      market: h.market,
      category: h.category,
      pricingType: h.pricingType,
      direction: directionOf(h.category),
      group: h.group,
      messages: h.messages,
      billable: h.billable,
      costMicros: h.costMicros,
      currency: h.currency,
      hour: { bucket: h.hour, time: h.time },
    }));
    const kept = facts.filter((f) => passes(f, q));
    return { facts: kept, problems: unpricedProblems(kept, []) };
  }
  if (q.source !== 'meta') {
    // Cut to the days any configured WABA has data on (not only the selected ones): pricing problems are
    // reported for the whole span, so this keeps them exactly as for the uncut range.
    const read = await withinData(ctx.store, span, [...ctx.wabas.keys()]);
    return read ? estimateFacts(ctx, ranges, read, q) : { facts: [], problems: [] };
  }
  return { facts: (await metaFacts(ctx, ranges)).filter((f) => passes(f, q)), problems: [] };
}

/** The usage series (GET /api/v1/usage): delivered messages, charged units and cost per bucket and dimension. */
export async function usageSeries(ctx: QueryContext, q: UsageQuery): Promise<UsageResponse> {
  const { facts, problems } = await usageFacts(ctx, q);
  // Groups are found through one map per key part (bucket, currency, each dimension's value, null as
  // ''), so a fact adds to its group without a key string or an array: the joined key, the sort
  // order, is built once per group. Per fact they were most of what a 90-day panel allocated under
  // webhooks (docs/performance.md, "Marks per kind and months kept").
  type Group = { key: string; row: UsageRowDto; cost: Micros; priced: boolean };
  const root = new Map<string, unknown>();
  const groups: Group[] = [];
  const parts = q.by.length + 1;
  for (const f of facts) {
    const { bucket, time } = f.hour ?? bucketOf(f.day, q.interval, f.waba.timezone);
    // Never two currencies in one row: a month with a currency switch gives a row per currency.
    let level = root;
    let part: string = bucket;
    for (let i = 0; i < parts; i++) {
      let next = level.get(part) as Map<string, unknown> | undefined;
      if (!next) level.set(part, (next = new Map()));
      level = next;
      part = i === 0 ? f.currency : (dimValue(f, q.by[i - 1] as UsageDimension) ?? '');
    }
    let g = level.get(part) as Group | undefined;
    if (!g) {
      const row: UsageRowDto = { time, bucket, currency: f.currency, messages: 0, billable: 0, cost: null };
      let key = `${bucket}\u0000${f.currency}`;
      for (const d of q.by) {
        const v = dimValue(f, d);
        key += `\u0000${v ?? ''}`;
        if (v !== null || NULLABLE.has(d)) Object.assign(row, { [FIELD[d]]: v });
      }
      if (q.by.includes('waba')) row.wabaId = f.waba.id;
      g = { key, row, cost: 0n, priced: false };
      level.set(part, g);
      groups.push(g);
    } else if (time < g.row.time) {
      // WABAs in several zones share a bucket: it starts at the earliest of their starts, whichever
      // fact comes first (facts come by day from a pricing, by WABA from a table's sums).
      g.row.time = time;
    }
    g.row.messages += f.messages;
    g.row.billable += f.billable;
    if (f.costMicros !== null) {
      g.cost += f.costMicros;
      g.priced = true;
    }
  }
  // The group key (bucket, currency, dimension values) is the sort order; compared once per pair, plainly
  // (a map's keys are distinct, so two rows of one time are never equal in order).
  const sorted = groups.sort((a, b) => a.row.time - b.row.time || (a.key < b.key ? -1 : 1));
  const rows = sorted.map((g) => ({ ...g.row, cost: g.priced ? toDecimalString(g.cost) : null }));
  return { source: q.source, interval: q.interval, rows, problems };
}

export type { Fact as UsageFact };
