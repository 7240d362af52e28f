import { addDays, allocate, dayStartMs, hourStartMs, InputError, isDay, localHour, type Micros } from '@core';
import type { UsageQuery } from '@contract';
import { keyFromValues } from '../store/message-state';
import type { UsageDailyRow } from '../store';
import type { LocalDays } from './day-range';
import type { PricedDimension } from '../store';
import { childKeyOf, fineDimensionsOf } from './grain-allocation';
import { toUsageRowKeepingUnknown } from './priced-usage';
import type { PricingGrainRow } from './stored-pricing';
import type { QueryContext, WabaInfo } from './query-context';

/** Hourly buckets read per-message state: a longer range belongs on daily buckets. */
export const MAX_HOURLY_DAYS = 31;

export interface HourlyFact {
  hour: string;
  time: number;
  day: string;
  waba: WabaInfo;
  phone: string | null;
  country: string | null;
  market: string;
  category: string;
  pricingType: string;
  group: string | null;
  messages: number;
  billable: number;
  costMicros: Micros | null;
  currency: string;
}

const orNull = (v: string) => (v === '' ? null : v);

/**
 * The identity hours are counted under: the pricing key without the model (no panel shows it) and the
 * values of the query's finer dimensions ('' for none), the same for a delivered message and a row.
 */
function hourKey(
  r: { day: string; wabaId: string; market: string; category: string; pricingType: string },
  dims: readonly PricedDimension[],
  values: Readonly<Record<string, string | null | undefined>>,
): string {
  return `${r.day}\u0000${r.wabaId}\u0000${r.market}\u0000${r.category}\u0000${r.pricingType}\u0000${childKeyOf(dims, values)}`;
}

/**
 * Hourly usage: delivered messages counted per WABA-local hour from the per-message state, with each
 * day's priced cost and charged units at the query's grain (usageAtGrain: the pricing grain, or the
 * finer one it splits or filters by) split over its hours in proportion to the messages (largest
 * remainder, so the hours of a day add up to the daily figures at that grain exactly).
 */
export async function hourlyFacts(
  ctx: QueryContext,
  q: UsageQuery,
  ranges: Map<string, LocalDays>,
  span: LocalDays,
  atGrain: (span: LocalDays) => Promise<{ rows: readonly PricingGrainRow[] }>,
): Promise<HourlyFact[]> {
  const days = (Date.parse(`${span.toDay}T00:00:00Z`) - Date.parse(`${span.fromDay}T00:00:00Z`)) / 86_400_000 + 1;
  if (days > MAX_HOURLY_DAYS + 1) {
    throw new InputError('interval', 'hour', `is limited to ${MAX_HOURLY_DAYS} days (asked for ${days}); use day for longer ranges`);
  }
  // Instant bounds per WABA: the query's own when given in ms, the local days' edges otherwise.
  const bounds = new Map<string, { fromMs: number; toMs: number }>();
  for (const [id, r] of ranges) {
    const tz = (ctx.wabas.get(id) as WabaInfo).timezone;
    bounds.set(id, {
      fromMs: isDay(q.from) ? dayStartMs(r.fromDay, tz) : Number(q.from),
      toMs: isDay(q.to) ? dayStartMs(addDays(r.toDay, 1), tz) : Number(q.to),
    });
  }
  // Whole local days are read so that each day's cost is split over all of its hours.
  let readFrom = Infinity;
  let readTo = -Infinity;
  for (const [id, r] of ranges) {
    const tz = (ctx.wabas.get(id) as WabaInfo).timezone;
    readFrom = Math.min(readFrom, dayStartMs(r.fromDay, tz));
    readTo = Math.max(readTo, dayStartMs(addDays(r.toDay, 1), tz));
  }
  const dims = fineDimensionsOf(q);
  const [delivered, priced] = await Promise.all([ctx.store.deliveredMessages({ fromMs: readFrom, toMs: readTo }), atGrain(span)]);

  const counts = new Map<string, Map<string, number>>();
  for (const m of delivered) {
    const key = keyFromValues(JSON.parse(m.countedKey) as string[]);
    const waba = ctx.wabas.get(key.wabaId);
    if (!waba || !ranges.has(waba.id)) continue;
    const stored: UsageDailyRow = {
      day: key.day,
      wabaId: key.wabaId,
      phoneNumberId: orNull(key.phoneNumberId),
      country: orNull(key.country),
      market: key.market,
      category: key.category,
      pricingType: orNull(key.pricingType),
      pricingModel: key.pricingModel,
      group: orNull(key.group),
      messages: 1,
      units: 1,
    };
    // Same rows as the day rollup priced: categories waspend does not know are counted too (cost null).
    const row = toUsageRowKeepingUnknown(stored, waba);
    const fk = hourKey(row, dims, row.dims ?? {});
    let hours = counts.get(fk);
    if (!hours) counts.set(fk, (hours = new Map()));
    const hour = localHour(m.atMs, waba.timezone);
    hours.set(hour, (hours.get(hour) ?? 0) + 1);
  }

  // Rows of one key that differ only in pricing model (or, priced at query time, in the stored pricing
  // type core reads alike) are one day's figure to split: summed first, cost null only if every part's is.
  const merged = new Map<string, (typeof priced.rows)[number]>();
  for (const r of priced.rows) {
    const k = hourKey(r, dims, r.dims ?? {});
    const cur = merged.get(k);
    if (!cur) merged.set(k, { ...r });
    else
      merged.set(k, {
        ...cur,
        billable: cur.billable + r.billable,
        costMicros: cur.costMicros === null ? r.costMicros : r.costMicros === null ? cur.costMicros : cur.costMicros + r.costMicros,
      });
  }
  const facts: HourlyFact[] = [];
  for (const [k, r] of merged) {
    const hours = counts.get(k);
    if (!hours) continue;
    const waba = ctx.wabas.get(r.wabaId) as WabaInfo;
    const b = bounds.get(r.wabaId);
    if (!b) continue;
    const shares = [...hours].map(([hour, n]) => ({ key: hour, weight: n }));
    const cost = r.costMicros === null ? null : new Map(allocate(r.costMicros, shares).map((a) => [a.key, a.micros]));
    const billable = new Map(allocate(BigInt(r.billable), shares).map((a) => [a.key, Number(a.micros)]));
    const d = r.dims ?? {};
    for (const [hour, n] of hours) {
      const time = hourStartMs(hour, waba.timezone);
      if (time < b.fromMs - 3_599_999 || time >= b.toMs) continue;
      facts.push({
        hour,
        time,
        day: r.day,
        waba,
        phone: d.phone ?? null,
        country: d.country ?? null,
        market: r.market,
        category: r.category,
        pricingType: r.pricingType,
        group: d.group ?? null,
        messages: n,
        billable: billable.get(hour) ?? 0,
        costMicros: cost ? (cost.get(hour) ?? 0n) : null,
        currency: r.currency,
      });
    }
  }
  return facts;
}
