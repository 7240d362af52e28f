import { addDays, daysInMonth, firstDayOf, InputError, marketOfCountry, monthOf, OTHER_MARKET, toDecimalString, type Micros } from '@core';
import type { CallDimension, CallsQuery, CallsResponse } from '@contract';
import type { PricedCallDimension, PricedCallRow } from '../store';
import { bucketOf } from './buckets';
import { localDays, monthReads, spanOf, withinData, type LocalDays } from './day-range';
import { byCallKey, priceCallMonths } from './priced-calls';
import { cached } from './priced-usage';
import { selectedWabas, type QueryContext, type WabaInfo } from './query-context';
import { pricingVersion } from './re-pricer';

type CallRow = CallsResponse['rows'][number];

interface CallFact {
  day: string;
  waba: WabaInfo;
  phone: string | null;
  country: string | null;
  market: string;
  direction: string | null;
  calls: number;
  durationSec: number;
  pulses: number;
  costMicros: Micros | null;
  /** The WABA's currency on that day (estimate) or Meta's label (pulled figures). */
  currency: string;
}

const FIELD: Record<CallDimension, keyof CallRow> = {
  waba: 'wabaId',
  phone: 'phoneNumberId',
  country: 'country',
  market: 'market',
  direction: 'direction',
};

function dimValue(f: CallFact, d: CallDimension): string | null {
  switch (d) {
    case 'waba':
      return f.waba.id;
    case 'phone':
      return f.phone;
    case 'country':
      return f.country;
    case 'market':
      return f.market;
    case 'direction':
      return f.direction;
  }
}

const factOf = (ctx: QueryContext, r: PricedCallRow): CallFact => ({
  day: r.day,
  waba: ctx.wabas.get(r.wabaId) as WabaInfo,
  phone: r.phoneNumberId || null,
  country: r.country || null,
  market: r.market,
  direction: r.direction,
  calls: r.calls,
  durationSec: r.durationSec,
  pulses: r.pulses,
  costMicros: r.costMicros,
  currency: r.currency,
});

// The version is a hash of the configured WABAs and core's rules: computed once per configuration.
const versions = new WeakMap<ReadonlyMap<string, WabaInfo>, string>();
function versionOf(wabas: ReadonlyMap<string, WabaInfo>): string {
  let v = versions.get(wabas);
  if (v === undefined) versions.set(wabas, (v = pricingVersion(wabas)));
  return v;
}

/** The key columns a calls query keeps: the ones it splits by or filters on (the rest sum in SQL). */
function keptOf(q: CallsQuery): PricedCallDimension[] {
  const kept = new Set<PricedCallDimension>(q.by.filter((d): d is PricedCallDimension => d !== 'waba'));
  if (q.phone.length > 0) kept.add('phone');
  if (q.country.length > 0) kept.add('country');
  if (q.direction.length > 0) kept.add('direction');
  return [...kept];
}

/**
 * The estimate facts of `read`, one per calls_daily key: each call priced on its own by core (pulses
 * round per call; minute tiers per portfolio, market and month, in call start order), each month
 * whole (tiers count per month, so months are independent). With `readPricedRollups`, a month no
 * configured WABA has a dirty mark for the calls in is read from priced_calls (one indexed read, narrowed to the
 * query's WABAs, phones, countries and directions, summed in SQL to the columns it keeps: from
 * priced_calls_country when that is not the phone); the other months (dirty, or with stored rows of
 * another pricing version) are priced at query time, in one store read, by the function whose rows
 * the re-pricer stores (`priceCallMonths`), so the answer is the same either way. In key order.
 */
async function estimateFacts(
  ctx: QueryContext,
  read: LocalDays,
  q: CallsQuery,
  ranges: ReadonlyMap<string, LocalDays>,
): Promise<CallFact[]> {
  const dirty = ctx.readPricedRollups
    ? new Set((await ctx.store.pricingDirty()).filter((m) => ctx.wabas.has(m.wabaId) && m.kinds.includes('calls')).map((m) => m.month))
    : null;
  const rows: PricedCallRow[] = [];
  const atQueryTime: string[] = [];
  for (let month = monthOf(read.fromDay); month <= monthOf(read.toDay); month = monthOf(addDays(firstDayOf(month), daysInMonth(month)))) {
    if (dirty && !dirty.has(month)) {
      const monthEnd = addDays(firstDayOf(month), daysInMonth(month) - 1);
      const fromDay = firstDayOf(month) > read.fromDay ? firstDayOf(month) : read.fromDay;
      const toDay = monthEnd < read.toDay ? monthEnd : read.toDay;
      const narrowing = { phones: q.phone, countries: q.country, directions: q.direction, totalsBy: keptOf(q) };
      const stored: PricedCallRow[] = [];
      for (const days of q.interval === 'month' ? monthReads(ranges, fromDay, toDay) : [{ fromDay, toDay, wabaIds: [...ranges.keys()] }])
        stored.push(...(await ctx.store.pricedCalls({ ...days, ...narrowing, sumDays: q.interval === 'month' })));
      const version = versionOf(ctx.wabas);
      if (stored.every((r) => r.version === version)) {
        for (const r of stored) if (ctx.wabas.has(r.wabaId)) rows.push(r);
        continue;
      }
    }
    atQueryTime.push(month);
  }
  // Cached as the usage pricings are: under webhooks the current month is dirty (a message marks it
  // too), and a dashboard's call panels would each price its calls again (~2 s at full scale).
  const priced =
    atQueryTime.length === 0
      ? []
      : await cached(
          ctx,
          'calls',
          atQueryTime.join(','),
          1,
          () => priceCallMonths(ctx.store, [...ctx.wabas.values()], atQueryTime, ctx.priceBook()),
          'settled',
        );
  for (const r of priced) if (r.day >= read.fromDay && r.day <= read.toDay) rows.push(r);
  return rows.sort(byCallKey).map((r) => factOf(ctx, r));
}

async function metaFacts(ctx: QueryContext, wabaId: string, fromDay: string, toDay: string): Promise<CallFact[]> {
  const waba = ctx.wabas.get(wabaId) as WabaInfo;
  const rows = await ctx.store.pulledCalls('meta_calls', { fromDay, toDay, wabaId });
  return rows.map((r) => ({
    day: r.day,
    waba,
    phone: r.phoneNumberId,
    country: r.country,
    market: marketOn(r.country, r.day),
    direction: r.direction,
    calls: r.count,
    durationSec: Math.round((r.averageDurationSec ?? 0) * r.count),
    pulses: 0,
    costMicros: r.costMicros,
    currency: r.currency,
  }));
}

function marketOn(country: string | null, day: string): string {
  try {
    return country ? marketOfCountry(country, day).market : OTHER_MARKET;
  } catch {
    return OTHER_MARKET;
  }
}

const matches = (values: readonly string[], v: string | null) => values.length === 0 || (v !== null && values.includes(v));

/** GET /api/v1/calls: finished calls, talk time, billed pulses and cost per bucket. */
export async function callsSeries(ctx: QueryContext, q: CallsQuery): Promise<CallsResponse> {
  if (q.interval === 'hour')
    throw new InputError('interval', 'hour', 'is not available for calls: the store keeps WABA-local daily rollups (use day or month)');
  const wabas = selectedWabas(ctx, q.waba);
  const ranges = new Map(wabas.map((w) => [w.id, localDays(q.from, q.to, w.timezone)]));
  const span = spanOf([...ranges.values()]);
  if (!span) return { source: q.source, interval: q.interval, rows: [], problems: [] };
  let facts: CallFact[] = [];
  if (q.source === 'meta') {
    for (const [id, r] of ranges) facts.push(...(await metaFacts(ctx, id, r.fromDay, r.toDay)));
  } else {
    const read = await withinData(ctx.store, span, [...ctx.wabas.keys()]);
    const estimated = read ? await estimateFacts(ctx, read, q, ranges) : [];
    facts = estimated.filter((f) => {
      const r = ranges.get(f.waba.id);
      return r !== undefined && f.day >= r.fromDay && f.day <= r.toDay;
    });
  }
  facts = facts.filter((f) => matches(q.phone, f.phone) && matches(q.country, f.country) && matches(q.direction, f.direction));
  const groups = new Map<string, { row: CallRow; cost: Micros; priced: boolean }>();
  for (const f of facts) {
    const { bucket, time } = bucketOf(f.day, q.interval, f.waba.timezone);
    const dims = q.by.map((d) => dimValue(f, d));
    const key = [bucket, f.currency, ...dims].join('\u0000');
    let g = groups.get(key);
    if (!g) {
      const row: CallRow = { time, bucket, currency: f.currency, calls: 0, durationSec: 0, pulses: 0, cost: null };
      q.by.forEach((d, i) => {
        const v = dims[i] ?? null;
        if (v !== null || d === 'country') Object.assign(row, { [FIELD[d]]: v });
      });
      g = { row, cost: 0n, priced: false };
      groups.set(key, g);
    } else if (time < g.row.time) {
      // As for usage: a bucket shared by WABAs in several zones starts at the earliest of their starts.
      g.row.time = time;
    }
    g.row.calls += f.calls;
    g.row.durationSec += f.durationSec;
    g.row.pulses += f.pulses;
    if (f.costMicros !== null) {
      g.cost += f.costMicros;
      g.priced = true;
    }
  }
  // A map's keys are distinct, so two rows of one time are never equal in order.
  const sorted = [...groups.entries()].sort(([ka, a], [kb, b]) => a.row.time - b.row.time || (ka < kb ? -1 : 1));
  const rows = sorted.map(([, g]) => ({ ...g.row, cost: g.priced ? toDecimalString(g.cost) : null }));
  return { source: q.source, interval: q.interval, rows, problems: [] };
}
