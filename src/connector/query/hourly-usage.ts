import { addDays, allocate, dayStartMs, hourStartMs, InputError, isDay, localHour, type Micros } from '@core';
import type { UsageQuery } from '@contract';
import { keyFromValues } from '../store/message-state';
import type { UsageDailyRow } from '../store';
import type { LocalDays } from './day-range';
import { pricedUsage, toUsageRowKeepingUnknown } from './priced-usage';
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

/** The identity of a fine usage row after pricing normalisation (the same for stored keys and priced rows). */
function fineKey(r: {
  day: string;
  wabaId: string;
  market: string;
  category: string;
  pricingType: string;
  pricingModel: string;
  dims?: Readonly<Record<string, string | null>>;
}): string {
  const d = r.dims ?? {};
  return [r.day, r.wabaId, d.phone ?? '', d.country ?? '', r.market, r.category, r.pricingType, r.pricingModel, d.group ?? ''].join(
    '\u0000',
  );
}

/**
 * Hourly usage: delivered messages counted per WABA-local hour from the per-message state, with each
 * day's priced cost and charged units split over its hours in proportion to the messages (largest
 * remainder, so the hours of a day add up to the daily figures exactly).
 */
export async function hourlyFacts(
  ctx: QueryContext,
  q: UsageQuery,
  ranges: Map<string, LocalDays>,
  span: LocalDays,
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
  const [delivered, priced] = await Promise.all([ctx.store.deliveredMessages({ fromMs: readFrom, toMs: readTo }), pricedUsage(ctx, span)]);

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
    const fk = fineKey(row);
    let hours = counts.get(fk);
    if (!hours) counts.set(fk, (hours = new Map()));
    const hour = localHour(m.atMs, waba.timezone);
    hours.set(hour, (hours.get(hour) ?? 0) + 1);
  }

  const facts: HourlyFact[] = [];
  for (const r of priced.rows) {
    const hours = counts.get(fineKey(r));
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
