import {
  firstDayOf,
  InputError,
  marketOfCountry,
  monthOf,
  OTHER_MARKET,
  priceCalls,
  toDecimalString,
  type CallRecord,
  type Micros,
} from '@core';
import type { CallDimension, CallsQuery, CallsResponse } from '@contract';
import { bucketOf } from './buckets';
import { localDays, spanOf, withinData } from './day-range';
import { currencyOfDay, selectedWabas, type QueryContext, type WabaInfo } from './query-context';

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

/** Calls are priced one by one from the month start (pulses round per call; minute tiers per portfolio and month). */
async function estimateFacts(ctx: QueryContext, fromDay: string, toDay: string): Promise<CallFact[]> {
  const finished = await ctx.store.finishedCalls({ fromDay: firstDayOf(monthOf(fromDay)), toDay });
  const records: CallRecord[] = [];
  for (const c of finished) {
    const waba = ctx.wabas.get(c.wabaId);
    if (!waba || (c.direction !== 'business_initiated' && c.direction !== 'user_initiated')) continue;
    records.push({
      callId: c.callId,
      wabaId: c.wabaId,
      portfolioId: waba.portfolio,
      currency: currencyOfDay(waba, c.day),
      day: c.day,
      startMs: c.startMs,
      direction: c.direction,
      durationSec: Math.max(0, c.durationSec),
      market: c.market,
      dims: { phone: c.phoneNumberId, country: c.country },
    });
  }
  const priced = priceCalls(records, ctx.priceBook());
  return priced.calls.map((c) => ({
    day: c.day,
    waba: ctx.wabas.get(c.wabaId) as WabaInfo,
    phone: c.dims?.phone ?? null,
    country: c.dims?.country ?? null,
    market: c.market,
    direction: c.direction,
    calls: 1,
    durationSec: c.durationSec,
    pulses: c.pulses,
    costMicros: c.costMicros,
    currency: c.currency,
  }));
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
    const estimated = read ? await estimateFacts(ctx, read.fromDay, read.toDay) : [];
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
    }
    g.row.calls += f.calls;
    g.row.durationSec += f.durationSec;
    g.row.pulses += f.pulses;
    if (f.costMicros !== null) {
      g.cost += f.costMicros;
      g.priced = true;
    }
  }
  const sorted = [...groups.entries()].sort(([ka, a], [kb, b]) => a.row.time - b.row.time || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const rows = sorted.map(([, g]) => ({ ...g.row, cost: g.priced ? toDecimalString(g.cost) : null }));
  return { source: q.source, interval: q.interval, rows, problems: [] };
}
