/**
 * The priced call rollups (priced_calls, migration 017) and their maintenance by the re-pricer, one
 * behaviour for both adapters (run from sqlite.test.ts and postgres.test.ts). A small fixture's rows
 * and /calls answers are worked out by hand (pulses per call, user-initiated calls free, a minute
 * tier crossed across two WABAs of one portfolio, an unpriced call), through a late call for an
 * earlier day and a call-rate import in the middle of the month; a larger generated store is asked
 * every `by` and filter, day and month, windows starting mid-month, both ways (stored and priced at
 * query time) with equal answers. Not a test file itself.
 */
import { callsQuery, usageQuery } from '../../src/contract';
import { callsSeries } from '../../src/connector/query/calls-series';
import { priceCallMonths } from '../../src/connector/query/priced-calls';
import type { QueryContext, WabaInfo } from '../../src/connector/query/query-context';
import { pricingVersion, Repricer } from '../../src/connector/query/re-pricer';
import { usageSeries } from '../../src/connector/query/usage-series';
import { importRateFile, loadPriceBook } from '../../src/connector/runtime/price-files';
import type { ConnectorStore, PricedCallDimension, PricedCallRow } from '../../src/connector/store';
import { delivered, PMP, terminated, USD_CARD } from '../helpers/query-fixture';
import { watchedStore } from '../helpers/watched-store';
import type { StoreEngine } from './store-engine';

const at = (iso: string) => Date.parse(iso);
const USER: Record<string, string> = { BR: '5511987650001', IN: '919812340001', DE: '4915112345678' };

interface Call {
  id: string;
  waba: string;
  start: string;
  seconds: number;
  direction: 'BUSINESS_INITIATED' | 'USER_INITIATED';
  /** The user's country: BR Brazil, IN India, DE Germany (no rate on the cards below). */
  country: 'BR' | 'IN' | 'DE';
  phone: string;
}

/** One terminate webhook per call, as Meta sends it, through the store's own ingest. */
async function ingestCalls(store: ConnectorStore, calls: readonly Call[]): Promise<void> {
  for (const c of calls) await store.ingest(callEvents(c), 0);
}

/** A call's terminate webhook as the route normalises it. */
const callEvents = (c: Call) =>
  terminated(c.waba, c.phone, { id: c.id, iso: c.start, seconds: c.seconds, user: USER[c.country] as string, direction: c.direction });

// W1 and W2 share portfolio PF1, so their Brazil minutes count towards one tier ladder; W3 is billed in EUR, which has no call card.
const W1: WabaInfo = { id: 'W1', name: 'W1', timezone: 'UTC', currencies: [{ from: '', code: 'USD' }], portfolio: 'PF1' };
const W2: WabaInfo = { id: 'W2', name: 'W2', timezone: 'Asia/Kolkata', currencies: [{ from: '', code: 'USD' }], portfolio: 'PF1' };
const W3: WabaInfo = { id: 'W3', name: 'W3', timezone: 'UTC', currencies: [{ from: '', code: 'EUR' }], portfolio: 'PF2' };
const WABAS: ReadonlyMap<string, WabaInfo> = new Map([W1, W2, W3].map((w) => [w.id, w]));
const TIMEZONES = { W1: 'UTC', W2: 'Asia/Kolkata', W3: 'UTC' };

const HEADER = 'Market,Currency,Lower minutes,Upper minutes,Rate per minute';
// Brazil: minutes 1-10 at 0.60 (0.06 a pulse), from minute 11 at 0.30 (0.03 a pulse); India 0.30 flat.
const R1 = {
  kind: 'call_rates' as const,
  currency: 'USD',
  effectiveFrom: '2026-01-01',
  fileName: 'calls-r1.csv',
  text: `${HEADER}\nBrazil,USD,0,10,0.6000\nBrazil,USD,11,MAX,0.3000\nIndia,USD,0,,0.3000\n`,
};
// From 03-05: Brazil 0.90 flat (0.09 a pulse), India 0.60 (0.06 a pulse).
const R2 = {
  kind: 'call_rates' as const,
  currency: 'USD',
  effectiveFrom: '2026-03-05',
  fileName: 'calls-r2.csv',
  text: `${HEADER}\nBrazil,USD,0,,0.9000\nIndia,USD,0,,0.6000\n`,
};

const repricer = (store: ConnectorStore) =>
  new Repricer({ store, wabas: WABAS, holder: 'test', loadBook: async () => (await loadPriceBook(store)).book });

/**
 * The query contexts of a connector that has just seen the store's last write: the query-time
 * pricings are cached per store object (priced-usage.ts, `cached`), so each call gives a store
 * object of its own, as a connector's cache would have moved on by the next refresh.
 */
async function contexts(store: ConnectorStore): Promise<{ queryTime: QueryContext; stored: QueryContext }> {
  const book = (await loadPriceBook(store)).book;
  const ownCache = watchedStore(store);
  const queryTime: QueryContext = {
    store: ownCache,
    wabas: WABAS,
    priceBook: () => book,
    generation: () => 0,
    now: () => at('2026-05-01T00:00:00Z'),
  };
  return { queryTime, stored: { ...queryTime, readPricedRollups: true } };
}

/** A stored row without the time it was written, and its version checked against the configuration's. */
const view = (rows: readonly PricedCallRow[]) =>
  rows.map((r) => {
    expect(r.version).toBe(pricingVersion(WABAS));
    const { version: _v, ...rest } = r;
    return rest;
  });

/** Every stored row of `month` against the query-time pricing of the whole month by the same function. */
async function expectStoredMonth(store: ConnectorStore, month: string, last: string): Promise<void> {
  const book = (await loadPriceBook(store)).book;
  const stored = await store.pricedCalls({ fromDay: `${month}-01`, toDay: `${month}-${last}` });
  expect(view(stored)).toEqual(await priceCallMonths(store, [...WABAS.values()], [month], book));
}

const row = (
  day: string,
  wabaId: string,
  phone: string,
  country: string,
  market: string,
  direction: 'business_initiated' | 'user_initiated',
  calls: number,
  durationSec: number,
  pulses: number,
  costMicros: bigint | null,
): Omit<PricedCallRow, 'version'> => ({
  day,
  wabaId,
  phoneNumberId: phone,
  country,
  market,
  direction,
  portfolioId: (WABAS.get(wabaId) as WabaInfo).portfolio,
  currency: (WABAS.get(wabaId) as WabaInfo).currencies[0]?.code as string,
  calls,
  durationSec,
  pulses,
  costMicros,
  problem: costMicros === null ? 'no_call_rate' : null,
});

const BI = 'BUSINESS_INITIATED' as const;
const UI = 'USER_INITIATED' as const;
const HAND: Call[] = [
  { id: 'a1', waba: 'W1', start: '2026-03-02T10:00:00Z', seconds: 7, direction: BI, country: 'BR', phone: 'PH1' },
  { id: 'a2', waba: 'W1', start: '2026-03-02T11:00:00Z', seconds: 7, direction: BI, country: 'BR', phone: 'PH1' },
  { id: 'a3', waba: 'W1', start: '2026-03-02T12:00:00Z', seconds: 120, direction: UI, country: 'BR', phone: 'PH1' },
  { id: 'a4', waba: 'W3', start: '2026-03-03T09:00:00Z', seconds: 30, direction: BI, country: 'BR', phone: 'PH3' },
  { id: 'a5', waba: 'W1', start: '2026-03-04T10:00:00Z', seconds: 570, direction: BI, country: 'BR', phone: 'PH1' },
  // Kolkata's 03-05 (15:30 local).
  { id: 'a6', waba: 'W2', start: '2026-03-05T10:00:00Z', seconds: 60, direction: BI, country: 'BR', phone: 'PH2' },
  { id: 'a7', waba: 'W1', start: '2026-03-06T10:00:00Z', seconds: 6, direction: BI, country: 'BR', phone: 'PH1' },
  { id: 'a8', waba: 'W1', start: '2026-03-06T11:00:00Z', seconds: 61, direction: BI, country: 'IN', phone: 'PH1' },
  { id: 'b1', waba: 'W1', start: '2026-04-02T10:00:00Z', seconds: 60, direction: BI, country: 'BR', phone: 'PH1' },
  { id: 'b2', waba: 'W2', start: '2026-04-03T10:00:00Z', seconds: 30, direction: UI, country: 'IN', phone: 'PH2' },
];

/** A deterministic spread of calls over February to April: every WABA, phone, country and direction, durations 0-900 s. */
function generatedCalls(n: number): Call[] {
  // mulberry32: 32-bit integer steps, the same sequence on every run.
  let seed = 20260301;
  const next = (m: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % m;
  };
  const out: Call[] = [];
  const startMs = at('2026-02-01T00:00:00Z');
  const span = at('2026-05-01T00:00:00Z') - startMs;
  for (let i = 0; i < n; i++) {
    const waba = ['W1', 'W2', 'W3'][next(3)] as string;
    out.push({
      id: `g${i}`,
      waba,
      // Whole seconds: Meta's timestamps are.
      start: new Date(startMs + Math.floor(((next(1_000_000) / 1_000_000) * span) / 1000) * 1000).toISOString(),
      seconds: next(10) === 0 ? 0 : next(900),
      direction: next(4) === 0 ? UI : BI,
      country: (['BR', 'BR', 'IN', 'DE'] as const)[next(4)] as 'BR' | 'IN' | 'DE',
      phone: `${waba}-P${next(2)}`,
    });
  }
  return out;
}

/**
 * priced_calls_country (migration 019) holds priced_calls without the phone: summed here from the
 * stored keys, it must be what a read without the phone gives, row for row, for the whole year.
 */
async function expectCountryGrain(store: ConnectorStore): Promise<void> {
  const year = { fromDay: '2026-01-01', toDay: '2026-12-31' };
  const sums = new Map<string, (string | number | bigint | null)[]>();
  for (const r of await store.pricedCalls(year)) {
    const key = JSON.stringify([r.day, r.wabaId, r.country, r.market, r.direction, r.currency]);
    const cur = sums.get(key);
    const cost = (a: bigint | null, b: bigint | null) => (a === null && b === null ? null : (a ?? 0n) + (b ?? 0n));
    if (!cur)
      sums.set(key, [r.day, r.wabaId, r.country, r.market, r.direction, r.currency, r.calls, r.durationSec, r.pulses, r.costMicros]);
    else {
      cur[6] = (cur[6] as number) + r.calls;
      cur[7] = (cur[7] as number) + r.durationSec;
      cur[8] = (cur[8] as number) + r.pulses;
      cur[9] = cost(cur[9] as bigint | null, r.costMicros);
    }
  }
  const cmp = (a: (string | number | bigint | null)[], b: (string | number | bigint | null)[]) => {
    for (let i = 0; i < 6; i += 1) if (a[i] !== b[i]) return String(a[i]) < String(b[i]) ? -1 : 1;
    return 0;
  };
  const read = await store.pricedCalls({ ...year, totalsBy: ['country', 'market', 'direction'] });
  expect(
    read.map((r) => [r.day, r.wabaId, r.country, r.market, r.direction, r.currency, r.calls, r.durationSec, r.pulses, r.costMicros]),
  ).toEqual([...sums.values()].sort(cmp));
  expect(read.length).toBeGreaterThan(0);
}

export function describePricedCallBehaviour(engine: StoreEngine): void {
  describe(`${engine.name}: priced call rollups`, () => {
    it('stores each call priced on its own and summed per key, by hand; keeps it through a late call and a mid-month rate import', async () => {
      const store = await engine.open({ timezones: TIMEZONES });
      try {
        await importRateFile(store, R1, 0);
        await ingestCalls(store, HAND);
        // Call ingest marks each call's WABA-local month from its first day.
        expect((await store.pricingDirty()).map((m) => [m.wabaId, m.month, m.fromDay])).toEqual([
          ['W1', '2026-03', '2026-03-02'],
          ['W2', '2026-03', '2026-03-05'],
          ['W3', '2026-03', '2026-03-03'],
          ['W1', '2026-04', '2026-04-02'],
          ['W2', '2026-04', '2026-04-03'],
        ]);
        await repricer(store).runToCompletion();
        expect(await store.pricingDirty()).toEqual([]);
        const MARCH = { fromDay: '2026-03-01', toDay: '2026-03-31' };
        const APRIL = { fromDay: '2026-04-01', toDay: '2026-04-30' };
        expect(view(await store.pricedCalls(MARCH))).toEqual([
          // a1 and a2: 7 s = ceil(7 / 6) = 2 pulses each, 4 (not ceil(14 / 6) = 3), x 0.06 = 0.24.
          row('2026-03-02', 'W1', 'PH1', 'BR', 'Brazil', 'business_initiated', 2, 14, 4, 240_000n),
          // a3: user-initiated, free, no pulses.
          row('2026-03-02', 'W1', 'PH1', 'BR', 'Brazil', 'user_initiated', 1, 120, 0, 0n),
          // a4: EUR has no call card: 5 pulses, no price.
          row('2026-03-03', 'W3', 'PH3', 'BR', 'Brazil', 'business_initiated', 1, 30, 5, null),
          // a5: 570 s = 95 pulses on PF1's Brazil pulses 5-99 (minutes 1-10): 95 x 0.06 = 5.70.
          row('2026-03-04', 'W1', 'PH1', 'BR', 'Brazil', 'business_initiated', 1, 570, 95, 5_700_000n),
          // a6 (W2, same portfolio): pulses 100-109, minutes 10-11, crosses into the 0.30 tier: 10 x 0.03 = 0.30.
          row('2026-03-05', 'W2', 'PH2', 'BR', 'Brazil', 'business_initiated', 1, 60, 10, 300_000n),
          // a7: minute 11: 1 x 0.03.
          row('2026-03-06', 'W1', 'PH1', 'BR', 'Brazil', 'business_initiated', 1, 6, 1, 30_000n),
          // a8: 61 s = 11 pulses x 0.03 = 0.33.
          row('2026-03-06', 'W1', 'PH1', 'IN', 'India', 'business_initiated', 1, 61, 11, 330_000n),
        ]);
        expect(view(await store.pricedCalls(APRIL))).toEqual([
          // b1: April's ladder starts again: 10 pulses x 0.06 = 0.60.
          row('2026-04-02', 'W1', 'PH1', 'BR', 'Brazil', 'business_initiated', 1, 60, 10, 600_000n),
          row('2026-04-03', 'W2', 'PH2', 'IN', 'India', 'user_initiated', 1, 30, 0, 0n),
        ]);
        // Narrowed in SQL: W1's Brazil calls of PH1, business-initiated, 03-02 to 03-05.
        expect(
          (
            await store.pricedCalls({
              fromDay: '2026-03-02',
              toDay: '2026-03-05',
              wabaIds: ['W1'],
              phones: ['PH1'],
              countries: ['BR'],
              directions: ['business_initiated'],
            })
          ).map((r) => [r.day, r.calls, r.costMicros]),
        ).toEqual([
          ['2026-03-02', 2, 240_000n],
          ['2026-03-04', 1, 5_700_000n],
        ]);

        // Summed in SQL to what a panel keeps (totalsBy), the key columns it does not keep read ''. By day and WABA:
        // 03-02 W1 a1 + a2 + a3: 3 calls, 14 + 120 s, 4 pulses, 0.24; 03-06 W1 a7 + a8: 2 calls, 67 s, 12 pulses,
        // 0.03 + 0.33 = 0.36; a4's EUR day stays unpriced.
        const version = (await store.pricedCalls(MARCH))[0]?.version;
        const totals = async (totalsBy: PricedCallDimension[]) =>
          (await store.pricedCalls({ ...MARCH, totalsBy })).map((r) => [
            r.day,
            r.wabaId,
            r.phoneNumberId,
            r.country,
            r.market,
            r.direction,
            r.currency,
            r.calls,
            r.durationSec,
            r.pulses,
            r.costMicros,
            r.portfolioId,
            r.version === version,
          ]);
        expect(await totals([])).toEqual([
          ['2026-03-02', 'W1', '', '', '', '', 'USD', 3, 134, 4, 240_000n, 'PF1', true],
          ['2026-03-03', 'W3', '', '', '', '', 'EUR', 1, 30, 5, null, 'PF2', true],
          ['2026-03-04', 'W1', '', '', '', '', 'USD', 1, 570, 95, 5_700_000n, 'PF1', true],
          ['2026-03-05', 'W2', '', '', '', '', 'USD', 1, 60, 10, 300_000n, 'PF1', true],
          ['2026-03-06', 'W1', '', '', '', '', 'USD', 2, 67, 12, 360_000n, 'PF1', true],
        ]);
        // Kept columns split the sums: by direction, 03-02 parts into a1 + a2 and a3; by country, 03-06 into a7 and a8.
        expect((await totals(['direction'])).slice(0, 2)).toEqual([
          ['2026-03-02', 'W1', '', '', '', 'business_initiated', 'USD', 2, 14, 4, 240_000n, 'PF1', true],
          ['2026-03-02', 'W1', '', '', '', 'user_initiated', 'USD', 1, 120, 0, 0n, 'PF1', true],
        ]);
        expect((await totals(['country', 'market'])).slice(-2)).toEqual([
          ['2026-03-06', 'W1', '', 'BR', 'Brazil', '', 'USD', 1, 6, 1, 30_000n, 'PF1', true],
          ['2026-03-06', 'W1', '', 'IN', 'India', '', 'USD', 1, 61, 11, 330_000n, 'PF1', true],
        ]);
        expect((await totals(['phone'])).map((r) => r[2])).toEqual(['PH1', 'PH3', 'PH1', 'PH2', 'PH1']);

        await expectCountryGrain(store);

        const { queryTime, stored } = await contexts(store);
        const ask = async (ctx: QueryContext, params: Record<string, string>) => (await callsSeries(ctx, callsQuery.parse(params))).rows;
        const byWaba = { from: '2026-03-01', to: '2026-04-30', interval: 'month', by: 'waba' };
        const monthly = [
          // Kolkata's March starts at 02-28 18:30 UTC: first. a6.
          {
            time: at('2026-02-28T18:30:00Z'),
            bucket: '2026-03',
            currency: 'USD',
            wabaId: 'W2',
            calls: 1,
            durationSec: 60,
            pulses: 10,
            cost: '0.3',
          },
          // Same time: EUR before USD in the key. a4, unpriced.
          {
            time: at('2026-03-01T00:00:00Z'),
            bucket: '2026-03',
            currency: 'EUR',
            wabaId: 'W3',
            calls: 1,
            durationSec: 30,
            pulses: 5,
            cost: null,
          },
          // a1 a2 a3 a5 a7 a8: 7 + 7 + 120 + 570 + 6 + 61 s, 2 + 2 + 95 + 1 + 11 pulses, 0.24 + 5.70 + 0.03 + 0.33.
          {
            time: at('2026-03-01T00:00:00Z'),
            bucket: '2026-03',
            currency: 'USD',
            wabaId: 'W1',
            calls: 6,
            durationSec: 771,
            pulses: 111,
            cost: '6.3',
          },
          {
            time: at('2026-03-31T18:30:00Z'),
            bucket: '2026-04',
            currency: 'USD',
            wabaId: 'W2',
            calls: 1,
            durationSec: 30,
            pulses: 0,
            cost: '0',
          },
          {
            time: at('2026-04-01T00:00:00Z'),
            bucket: '2026-04',
            currency: 'USD',
            wabaId: 'W1',
            calls: 1,
            durationSec: 60,
            pulses: 10,
            cost: '0.6',
          },
        ];
        expect(await ask(stored, byWaba)).toEqual(monthly);
        expect(await ask(queryTime, byWaba)).toEqual(monthly);
        // A window from 03-05: the earlier days count for a6's tier but are not shown.
        const window = { from: '2026-03-05', to: '2026-03-06', by: 'country' };
        const days = [
          {
            time: at('2026-03-04T18:30:00Z'),
            bucket: '2026-03-05',
            currency: 'USD',
            country: 'BR',
            calls: 1,
            durationSec: 60,
            pulses: 10,
            cost: '0.3',
          },
          {
            time: at('2026-03-06T00:00:00Z'),
            bucket: '2026-03-06',
            currency: 'USD',
            country: 'BR',
            calls: 1,
            durationSec: 6,
            pulses: 1,
            cost: '0.03',
          },
          {
            time: at('2026-03-06T00:00:00Z'),
            bucket: '2026-03-06',
            currency: 'USD',
            country: 'IN',
            calls: 1,
            durationSec: 61,
            pulses: 11,
            cost: '0.33',
          },
        ];
        expect(await ask(stored, window)).toEqual(days);
        expect(await ask(queryTime, window)).toEqual(days);

        // A late call for 03-01 after the pass: March of W1 is dirty from that day and answered at query time.
        await ingestCalls(store, [
          { id: 'a0', waba: 'W1', start: '2026-03-01T08:00:00Z', seconds: 60, direction: BI, country: 'BR', phone: 'PH1' },
        ]);
        // A call marks the calls alone (migration 022).
        expect(await store.pricingDirty()).toEqual([
          { wabaId: 'W1', month: '2026-03', fromDay: '2026-03-01', touchedDay: '2026-03-01', kinds: ['calls'] },
        ]);
        const lateCtx = await contexts(store);
        const late = { from: '2026-03-01', to: '2026-03-04', by: 'phone', waba: 'W1' };
        const lateRows = [
          // a0 takes PF1's first 10 pulses: 10 x 0.06.
          {
            time: at('2026-03-01T00:00:00Z'),
            bucket: '2026-03-01',
            currency: 'USD',
            phoneNumberId: 'PH1',
            calls: 1,
            durationSec: 60,
            pulses: 10,
            cost: '0.6',
          },
          {
            time: at('2026-03-02T00:00:00Z'),
            bucket: '2026-03-02',
            currency: 'USD',
            phoneNumberId: 'PH1',
            calls: 3,
            durationSec: 134,
            pulses: 4,
            cost: '0.24',
          },
          // a5 now on pulses 15-109, minutes 2-11: crosses, 95 x 0.03 = 2.85.
          {
            time: at('2026-03-04T00:00:00Z'),
            bucket: '2026-03-04',
            currency: 'USD',
            phoneNumberId: 'PH1',
            calls: 1,
            durationSec: 570,
            pulses: 95,
            cost: '2.85',
          },
        ];
        expect(await ask(lateCtx.stored, late)).toEqual(lateRows);
        await repricer(store).runToCompletion();
        expect(await store.pricingDirty()).toEqual([]);
        expect(await ask(stored, late)).toEqual(lateRows);
        expect(
          (await store.pricedCalls({ fromDay: '2026-03-01', toDay: '2026-03-04', wabaIds: ['W1'] })).map((r) => [
            r.day,
            r.direction,
            r.costMicros,
          ]),
        ).toEqual([
          ['2026-03-01', 'business_initiated', 600_000n],
          ['2026-03-02', 'business_initiated', 240_000n],
          ['2026-03-02', 'user_initiated', 0n],
          ['2026-03-04', 'business_initiated', 2_850_000n],
        ]);
        await expectStoredMonth(store, '2026-03', '31');
        await expectCountryGrain(store);

        // A call card in force from 03-05 marks every month with calls on or after it, from its first such day.
        await importRateFile(store, R2, 0);
        expect((await store.pricingDirty()).map((m) => [m.wabaId, m.month, m.fromDay])).toEqual([
          ['W1', '2026-03', '2026-03-06'],
          ['W2', '2026-03', '2026-03-05'],
          ['W1', '2026-04', '2026-04-02'],
          ['W2', '2026-04', '2026-04-03'],
        ]);
        const after = await contexts(store);
        const afterImport = {
          from: '2026-03-04',
          to: '2026-04-30',
          interval: 'month',
          by: 'market',
          waba: 'W1,W2',
          direction: 'business_initiated',
        };
        const importRows = [
          // One March bucket per market for both WABAs, starting at the earliest of their month starts (Brazil:
          // W2's, Kolkata's midnight; India: W1's only): a5 2.85 (before the card), a6 (W2) 10 x 0.09 = 0.90,
          // a7 1 x 0.09; a8 11 x 0.06 = 0.66.
          {
            time: at('2026-02-28T18:30:00Z'),
            bucket: '2026-03',
            currency: 'USD',
            market: 'Brazil',
            calls: 3,
            durationSec: 636,
            pulses: 106,
            cost: '3.84',
          },
          {
            time: at('2026-03-01T00:00:00Z'),
            bucket: '2026-03',
            currency: 'USD',
            market: 'India',
            calls: 1,
            durationSec: 61,
            pulses: 11,
            cost: '0.66',
          },
          // b1: 10 x 0.09.
          {
            time: at('2026-04-01T00:00:00Z'),
            bucket: '2026-04',
            currency: 'USD',
            market: 'Brazil',
            calls: 1,
            durationSec: 60,
            pulses: 10,
            cost: '0.9',
          },
        ];
        expect(await ask(after.stored, afterImport)).toEqual(importRows);
        await repricer(store).runToCompletion();
        const clean = await contexts(store);
        expect(await ask(clean.stored, afterImport)).toEqual(importRows);
        expect(await ask(clean.queryTime, afterImport)).toEqual(importRows);
        await expectStoredMonth(store, '2026-03', '31');
        await expectStoredMonth(store, '2026-04', '30');
      } finally {
        await store.close();
      }
    }, 120_000);

    it('marks a month for what changed (migration 022): a message for the usage, a call for the calls; a pass reads and rewrites those alone', async () => {
      const base = await engine.open({ timezones: TIMEZONES });
      // What the pricings read: the calls (priceCallMonths), the usage at the pricing grain and the fine rollup.
      const reads = { finishedCalls: 0, usagePricingDaily: 0, usageDaily: 0 };
      const store = watchedStore(base, (method) => {
        if (method in reads) reads[method as keyof typeof reads] += 1;
      });
      const counted = async (run: () => Promise<unknown>) => {
        for (const k of Object.keys(reads)) reads[k as keyof typeof reads] = 0;
        await run();
        return { ...reads };
      };
      const message = (id: string, iso: string) => store.ingest(delivered('W1', 'PH1', id, iso, USER.BR as string, PMP('utility')), 0);
      const marks = async () => (await store.pricingDirty()).map((m) => [m.wabaId, m.month, m.fromDay, m.kinds]);
      const ask = async (ctx: QueryContext, params: Record<string, string>) => (await callsSeries(ctx, callsQuery.parse(params))).rows;
      try {
        await importRateFile(store, { kind: 'rates', text: USD_CARD, effectiveFrom: '2026-01-01', fileName: 'card.csv' }, 0);
        await importRateFile(store, R1, 0);
        await ingestCalls(store, [
          { id: 'k1', waba: 'W1', start: '2026-03-02T08:00:00Z', seconds: 60, direction: BI, country: 'BR', phone: 'PH1' },
        ]);
        await message('m1', '2026-03-03T09:00:00Z');
        expect(await marks()).toEqual([['W1', '2026-03', '2026-03-02', ['usage', 'calls']]]);
        expect(await counted(() => repricer(store).runToCompletion())).toMatchObject({ finishedCalls: 1 });
        expect(reads.usagePricingDaily).toBeGreaterThan(0);
        const march = { from: '2026-03-01', to: '2026-03-31', by: 'phone', waba: 'W1' };
        const clean = await ask((await contexts(store)).stored, march);
        // k1: 10 pulses x 0.06.
        expect(clean.map((r) => [r.bucket, r.calls, r.cost])).toEqual([['2026-03-02', 1, '0.6']]);

        // A message: the month owes the usage a pricing, not the calls. /calls reads the stored rows
        // and the pass prices the usage alone.
        await message('m2', '2026-03-10T09:00:00Z');
        expect(await marks()).toEqual([['W1', '2026-03', '2026-03-10', ['usage']]]);
        const { stored } = await contexts(store);
        expect(await counted(async () => expect(await ask(stored, march)).toEqual(clean))).toMatchObject({ finishedCalls: 0 });
        expect(await counted(() => repricer(store).runToCompletion())).toMatchObject({ finishedCalls: 0 });
        expect(reads.usagePricingDaily).toBeGreaterThan(0);
        expect(await marks()).toEqual([]);
        expect(await ask((await contexts(store)).stored, march)).toEqual(clean);

        // A call: the calls alone. A usage panel by phone reads its stored rows, not the fine rollup at
        // query time, and the pass prices the calls alone.
        await ingestCalls(store, [
          { id: 'k2', waba: 'W1', start: '2026-03-12T08:00:00Z', seconds: 30, direction: BI, country: 'BR', phone: 'PH1' },
        ]);
        expect(await marks()).toEqual([['W1', '2026-03', '2026-03-12', ['calls']]]);
        const usageAsked = usageQuery.parse({ from: '2026-03-01', to: '2026-03-31', by: 'phone', waba: 'W1' });
        const usageCtx = (await contexts(store)).stored;
        let usage: unknown;
        expect(await counted(async () => (usage = await usageSeries(usageCtx, usageAsked)))).toMatchObject({ usageDaily: 0 });
        expect(usage).toEqual(await usageSeries((await contexts(store)).queryTime, usageAsked));
        expect(await counted(() => repricer(store).runToCompletion())).toMatchObject({
          finishedCalls: 1,
          usagePricingDaily: 0,
          usageDaily: 0,
        });
        // k2 follows k1 on the tier: 5 pulses x 0.06.
        expect((await ask((await contexts(store)).stored, march)).map((r) => [r.bucket, r.calls, r.cost])).toEqual([
          ['2026-03-02', 1, '0.6'],
          ['2026-03-12', 1, '0.3'],
        ]);

        // What is marked while a pass runs stays dirty, as its own kind: a message during a pass of the calls.
        await ingestCalls(store, [
          { id: 'k3', waba: 'W1', start: '2026-03-20T08:00:00Z', seconds: 6, direction: BI, country: 'BR', phone: 'PH1' },
        ]);
        let sent = false;
        const during = new Repricer({
          store,
          wabas: WABAS,
          holder: 'test',
          loadBook: async () => (await loadPriceBook(store)).book,
          betweenDays: async () => {
            if (sent) return;
            sent = true;
            await message('m3', '2026-03-25T09:00:00Z');
          },
        });
        await during.runOnce();
        expect(await marks()).toEqual([['W1', '2026-03', '2026-03-25', ['usage']]]);
        // A price file marks both kinds.
        await repricer(store).runToCompletion();
        await importRateFile(store, R2, 0);
        // (March's first day with usage or calls from 03-05 on: m2's 03-10.)
        expect(await marks()).toEqual([['W1', '2026-03', '2026-03-10', ['usage', 'calls']]]);
        // A call and a message in one ingest: one mark for both, from the earlier day.
        await repricer(store).runToCompletion();
        await store.ingest(
          [
            ...callEvents({ id: 'k4', waba: 'W1', start: '2026-05-03T08:00:00Z', seconds: 6, direction: BI, country: 'BR', phone: 'PH1' }),
            ...delivered('W1', 'PH1', 'm4', '2026-05-02T09:00:00Z', USER.BR as string, PMP('utility')),
          ],
          0,
        );
        expect(await marks()).toEqual([['W1', '2026-05', '2026-05-02', ['usage', 'calls']]]);
      } finally {
        await base.close();
      }
    }, 120_000);

    it('answers /calls from the stored rows exactly as priced at query time: every by, filter, interval and window', async () => {
      const store = await engine.open({ timezones: TIMEZONES });
      try {
        await importRateFile(store, R1, 0);
        const calls = generatedCalls(400);
        await ingestCalls(store, calls);
        await repricer(store).runToCompletion();
        expect(await store.pricingDirty()).toEqual([]);
        for (const [month, last] of [
          ['2026-02', '28'],
          ['2026-03', '31'],
          ['2026-04', '30'],
        ] as const)
          await expectStoredMonth(store, month, last);
        const all = await store.pricedCalls({ fromDay: '2026-01-01', toDay: '2026-12-31' });
        // Inputs that make the comparison mean something: unpriced keys, free calls, and PF1's Brazil ladder crossed in a month.
        expect(all.some((r) => r.costMicros === null)).toBe(true);
        expect(all.some((r) => r.direction === 'user_initiated' && r.costMicros === 0n)).toBe(true);
        const pf1Brazil = all.filter((r) => r.portfolioId === 'PF1' && r.market === 'Brazil' && r.day.startsWith('2026-03'));
        expect(pf1Brazil.reduce((n, r) => n + r.pulses, 0)).toBeGreaterThan(100);

        const { queryTime, stored } = await contexts(store);
        const ask = async (ctx: QueryContext, params: Record<string, string>) => callsSeries(ctx, callsQuery.parse(params));
        const BY = [
          '',
          'waba',
          'phone',
          'country',
          'market',
          'direction',
          'waba,phone',
          'country,direction',
          'waba,market,phone,direction',
          'phone,country',
        ];
        const FILTERS: Record<string, string>[] = [
          {},
          { phone: 'W1-P0' },
          { phone: 'W2-P1,W3-P0' },
          { country: 'BR' },
          { country: 'IN,DE' },
          { direction: 'business_initiated' },
          { direction: 'user_initiated' },
          { waba: 'W2' },
          { waba: 'W1,W3', country: 'BR', direction: 'business_initiated' },
        ];
        const WINDOWS = [
          { from: '2026-02-01', to: '2026-04-30' },
          // Mid-month on both ends: earlier days count for tiers but are not shown.
          { from: '2026-03-10', to: '2026-04-12' },
          // An epoch range: each WABA's own local days.
          { from: String(at('2026-03-15T00:00:00Z')), to: String(at('2026-03-20T00:00:00Z')) },
        ];
        let priced = 0;
        let queries = 0;
        for (const by of BY)
          for (const f of FILTERS)
            for (const interval of ['day', 'month'])
              for (const w of WINDOWS) {
                const params = { ...w, interval, ...(by ? { by } : {}), ...f };
                const answer = await ask(stored, params);
                expect({ params, answer }).toEqual({ params, answer: await ask(queryTime, params) });
                queries += 1;
                if (answer.rows.some((r) => r.cost !== null && r.cost !== '0')) priced += 1;
              }
        // Most queries answer priced rows (a filter that keeps nothing would prove nothing).
        expect(priced).toBeGreaterThan(queries * 0.8);

        // The stored rows are what answers: one of them rewritten 1.00 dearer moves the answer by exactly that.
        const target = all.find((r) => r.day >= '2026-03-10' && r.costMicros !== null && r.costMicros > 0n) as PricedCallRow;
        expect(target.day.slice(0, 7)).toBe('2026-03');
        const members = [...WABAS.values()].filter((w) => w.portfolio === target.portfolioId).map((w) => w.id);
        const lease = { portfolioId: target.portfolioId, month: '2026-03', holder: 'tamper', nowMs: Date.now(), leaseMs: 60_000 };
        const oneDay = { from: target.day, to: target.day, by: 'waba,phone,country,market,direction' };
        const before = await ask(stored, oneDay);
        // A panel without the phone reads priced_calls_country, written from the same rows: it moves by 1.00 too.
        const noPhone = { from: target.day, to: target.day, by: 'waba,country,direction' };
        const beforeNoPhone = await ask(stored, noPhone);
        const sameDay = (await store.pricedCalls({ fromDay: target.day, toDay: target.day, wabaIds: members })).map(
          ({ version: _v, ...r }) => r,
        );
        const tamper = async (version: string) => {
          expect(await store.claimPricingMonth(lease, members)).toEqual([]);
          const rows = sameDay.map((r) =>
            r.wabaId === target.wabaId &&
            r.phoneNumberId === target.phoneNumberId &&
            r.country === target.country &&
            r.direction === target.direction
              ? { ...r, costMicros: (r.costMicros as bigint) + 1_000_000n }
              : r,
          );
          const day = {
            day: target.day,
            wabaIds: members,
            kinds: ['calls'] as const,
            pricing: [],
            dims: { country: [], phone: [], group: [] },
            calls: rows,
            version,
            pricedAtMs: 0,
          };
          expect(await store.writePricedDay(lease, day)).toBe(true);
          await store.finishPricingMonth(lease);
        };
        await tamper(pricingVersion(WABAS));
        const moved = await ask(stored, oneDay);
        const costOf = (a: typeof before) =>
          Number(
            a.rows.find(
              (r) =>
                r.wabaId === target.wabaId &&
                (r.phoneNumberId ?? '') === target.phoneNumberId &&
                (r.country ?? '') === target.country &&
                r.direction === target.direction,
            )?.cost,
          );
        expect(costOf(moved) - costOf(before)).toBeCloseTo(1, 9);
        expect(await ask(queryTime, oneDay)).toEqual(before);
        const countryCost = (a: typeof before) =>
          Number(
            a.rows.find((r) => r.wabaId === target.wabaId && (r.country ?? '') === target.country && r.direction === target.direction)
              ?.cost,
          );
        expect(countryCost(await ask(stored, noPhone)) - countryCost(beforeNoPhone)).toBeCloseTo(1, 9);
        await expectCountryGrain(store);
        // Written under another pricing version, the same rows are not read: the month is priced at query time.
        await tamper('another-version');
        expect(await ask(stored, oneDay)).toEqual(before);
        // The month's other days still carry the current version: one day of another version is enough.
        const month = { from: '2026-03-01', to: '2026-03-31', by: 'waba,phone,country,market,direction' };
        expect(await ask(stored, month)).toEqual(await ask(queryTime, month));
        // Summed over the month in SQL (month buckets), the one day of another version still sends the
        // month to query time: a version sorting after every current one, so the sum's MIN(version)
        // alone would be the current version and the tampered 1.00 would be in the answer.
        await tamper('zz-another-version');
        expect('zz-another-version' > pricingVersion(WABAS)).toBe(true);
        for (const by of ['country', 'waba,country,direction', ''])
          for (const from of ['2026-03-01', String(at('2026-03-05T00:00:00Z'))]) {
            const byMonth = { from, to: '2026-03-31', interval: 'month', ...(by ? { by } : {}) };
            expect({ byMonth, answer: await ask(stored, byMonth) }).toEqual({ byMonth, answer: await ask(queryTime, byMonth) });
          }
      } finally {
        await store.close();
      }
    }, 300_000);
  });
}
