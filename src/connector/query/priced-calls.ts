import { addDays, daysInMonth, firstDayOf, priceCallsEach, type CallRecord, type PriceBook } from '@core';
import type { ConnectorStore, PricedCallRow } from '../store';
import { currencyOfDay, type WabaInfo } from './query-context';

type CallKey = Pick<PricedCallRow, 'day' | 'wabaId' | 'phoneNumberId' | 'country' | 'market' | 'direction'>;
const keyOf = (r: CallKey) => JSON.stringify([r.day, r.wabaId, r.phoneNumberId, r.country, r.market, r.direction]);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Key order, column by column in code units: the order both paths hand /calls its rows in (a bucket
 * shared by WABAs in different time zones takes the time of its first row), whatever order an
 * engine's collation returns them in.
 */
export const byCallKey = (a: CallKey, b: CallKey): number =>
  cmp(a.day, b.day) ||
  cmp(a.wabaId, b.wabaId) ||
  cmp(a.phoneNumberId, b.phoneNumberId) ||
  cmp(a.country, b.country) ||
  cmp(a.market, b.market) ||
  cmp(a.direction, b.direction);

/**
 * The finished calls of WABA-local `months` of `members`, each priced by core's `priceCalls` (pulses
 * round per call; minute tiers per portfolio, market and month, in call start order, so a month is
 * always read and priced whole, whatever days are asked for) and summed per calls_daily key: the rows
 * the re-pricer stores in priced_calls and the query-time path answers with, so both give the same
 * figures. One store read from the first month's first day to the last one's end (the calls of
 * months between that are not asked for are left out: tiers count per month, so each month's prices
 * are its own). Calls of other WABAs and calls core cannot price (no direction known) are left out,
 * as /calls always did. A key's cost is the sum of its priced calls, null only when none has a price.
 * In key order (`byCallKey`).
 */
export async function priceCallMonths(
  store: ConnectorStore,
  members: readonly WabaInfo[],
  months: readonly string[],
  book: PriceBook,
): Promise<PricedCallRow[]> {
  if (months.length === 0) return [];
  const wanted = new Set(months);
  const sorted = [...wanted].sort();
  const last = sorted[sorted.length - 1] as string;
  const fromDay = firstDayOf(sorted[0] as string);
  const toDay = addDays(firstDayOf(last), daysInMonth(last) - 1);
  const byId = new Map(members.map((w) => [w.id, w]));
  const records: CallRecord[] = [];
  // Calls of one phone and country share their dims (read-only to core): one object per pair, not per call.
  const dims = new Map<string, NonNullable<CallRecord['dims']>>();
  const dimsOf = (phone: string | null, country: string | null) => {
    const k = `${phone ?? ''}\u0000${country ?? ''}`;
    let d = dims.get(k);
    if (!d) dims.set(k, (d = { phone, country }));
    return d;
  };
  for (const c of await store.finishedCalls({ fromDay, toDay })) {
    const waba = byId.get(c.wabaId);
    if (!waba || !wanted.has(c.day.slice(0, 7)) || (c.direction !== 'business_initiated' && c.direction !== 'user_initiated')) continue;
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
      dims: dimsOf(c.phoneNumberId, c.country),
    });
  }
  const rows = new Map<string, PricedCallRow>();
  // Summed as each call is priced: a month of calls is never held priced as well as read.
  const unpriced = new Set<PricedCallRow>();
  const priced = priceCallsEach(records, book, {}, (_i, c, pulses, costMicros) => {
    const key = {
      day: c.day,
      wabaId: c.wabaId,
      phoneNumberId: c.dims?.phone ?? '',
      country: c.dims?.country ?? '',
      market: c.market,
      direction: c.direction,
    };
    const k = keyOf(key);
    let row = rows.get(k);
    if (!row) {
      row = {
        ...key,
        portfolioId: c.portfolioId,
        currency: c.currency,
        calls: 0,
        durationSec: 0,
        pulses: 0,
        costMicros: null,
        problem: null,
      };
      rows.set(k, row);
    }
    row.calls += 1;
    row.durationSec += c.durationSec;
    row.pulses += pulses;
    if (costMicros !== null) row.costMicros = (row.costMicros ?? 0n) + costMicros;
    else unpriced.add(row);
  });
  // A key with an unpriced call names the problem core gave its day and market (known once all are priced).
  const codes = new Map<string, string>();
  for (const p of priced.problems) codes.set(`${p.day}\u0000${p.currency}\u0000${p.market ?? ''}`, p.code);
  for (const row of unpriced) row.problem ??= codes.get(`${row.day}\u0000${row.currency}\u0000${row.market}`) ?? null;
  return [...rows.values()].sort(byCallKey);
}
