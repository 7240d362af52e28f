/**
 * /calls (calls-series.ts) on a small fixture, in-process on SQLite and PostgreSQL: pulses and cost per
 * call worked out by hand, each WABA's own days, every `by`, Meta's pulled figures, the refusal of hours.
 * Every estimate answer is asked twice, priced at query time and read from the priced call rollups the
 * re-pricer wrote (priced_calls), and both must be the hand figures.
 */
import { callsQuery } from '@contract';
import { describeOnBothStores } from '../../../tests/helpers/both-stores';
import { BR, terminated } from '../../../tests/helpers/query-fixture';
import { importRateFile, loadPriceBook } from '../runtime/price-files';
import type { ConnectorStore } from '../store';
import { callsSeries } from './calls-series';
import type { QueryContext, WabaInfo } from './query-context';
import { Repricer } from './re-pricer';

jest.setTimeout(60_000);

const at = (iso: string) => Date.parse(iso);
const IN = '919812340001';

interface Call {
  id: string;
  start: string;
  seconds: number;
  direction: 'BUSINESS_INITIATED' | 'USER_INITIATED';
  /** The user's number: 55… Brazil, 91… India. */
  user: string;
  phone: string;
}
async function call(store: ConnectorStore, wabaId: string, c: Call): Promise<void> {
  await store.ingest(terminated(wabaId, c.phone, { id: c.id, iso: c.start, seconds: c.seconds, user: c.user, direction: c.direction }), 0);
}

/** Invented USD call rates from 2026-01-01, one `Market,Currency,Lower minutes,Upper minutes,Rate per minute` line each. */
const importCallRates = (store: ConnectorStore, lines: string) =>
  importRateFile(
    store,
    {
      kind: 'call_rates',
      currency: 'USD',
      effectiveFrom: '2026-01-01',
      fileName: 'usd-calls.csv',
      text: `Market,Currency,Lower minutes,Upper minutes,Rate per minute\n${lines}`,
    },
    0,
  );

describeOnBothStores('calls', (open) => {
  let store: ConnectorStore;
  let ctx: QueryContext;
  let stored: QueryContext;
  const U: WabaInfo = { id: 'W_UTC', name: 'Shop UTC', timezone: 'UTC', currencies: [{ from: '', code: 'USD' }], portfolio: 'P1' };
  // Kolkata is UTC+5:30.
  const K: WabaInfo = {
    id: 'W_KOL',
    name: 'Shop Kolkata',
    timezone: 'Asia/Kolkata',
    currencies: [{ from: '', code: 'USD' }],
    portfolio: 'P2',
  };

  beforeAll(async () => {
    store = await open({ timezones: { W_UTC: 'UTC', W_KOL: 'Asia/Kolkata' } });
    // A 6-second pulse costs a tenth of the minute rate: Brazil 0.06, India 0.03.
    await importCallRates(store, 'Brazil,USD,0,,0.6000\nIndia,USD,0,,0.3000\n');
    const { book } = await loadPriceBook(store);
    ctx = {
      store,
      wabas: new Map([U, K].map((w) => [w.id, w])),
      priceBook: () => book,
      generation: () => 1,
      now: () => at('2026-05-01T00:00:00Z'),
    };
    await call(store, 'W_UTC', {
      id: 'c0',
      start: '2026-04-01T10:00:00Z',
      seconds: 30,
      direction: 'BUSINESS_INITIATED',
      user: BR,
      phone: 'PH_A',
    });
    await call(store, 'W_UTC', {
      id: 'c1',
      start: '2026-04-02T09:00:00Z',
      seconds: 61,
      direction: 'BUSINESS_INITIATED',
      user: IN,
      phone: 'PH_A',
    });
    await call(store, 'W_UTC', {
      id: 'c2',
      start: '2026-04-02T10:00:00Z',
      seconds: 7,
      direction: 'BUSINESS_INITIATED',
      user: BR,
      phone: 'PH_B',
    });
    await call(store, 'W_UTC', {
      id: 'c3',
      start: '2026-04-03T10:00:00Z',
      seconds: 120,
      direction: 'USER_INITIATED',
      user: BR,
      phone: 'PH_A',
    });
    // Kolkata 04-01 01:30.
    await call(store, 'W_KOL', {
      id: 'k0',
      start: '2026-03-31T20:00:00Z',
      seconds: 18,
      direction: 'BUSINESS_INITIATED',
      user: IN,
      phone: 'PH_K',
    });
    // Kolkata 04-03 02:00.
    await call(store, 'W_KOL', {
      id: 'k1',
      start: '2026-04-02T20:30:00Z',
      seconds: 12,
      direction: 'BUSINESS_INITIATED',
      user: IN,
      phone: 'PH_K',
    });
    await store.replaceDays(
      'W_UTC',
      'meta_calls',
      ['2026-04-02'],
      {
        calls: [
          // Meta withholds the cost and the phone and country of these four (61.5 s on average).
          {
            day: '2026-04-02',
            wabaId: 'W_UTC',
            phoneNumberId: null,
            country: null,
            direction: 'business_initiated',
            count: 4,
            costMicros: null,
            averageDurationSec: 61.5,
            currency: 'USD',
          },
          {
            day: '2026-04-02',
            wabaId: 'W_UTC',
            phoneNumberId: 'PH_A',
            country: 'BR',
            direction: 'business_initiated',
            count: 2,
            costMicros: 240_000n,
            averageDurationSec: 30,
            currency: 'USD',
          },
        ],
      },
      { lastCompleteDay: '2026-04-02' },
    );
    await new Repricer({ store, wabas: ctx.wabas, holder: 'test', loadBook: async () => book }).runToCompletion();
    expect(await store.pricingDirty()).toEqual([]);
    expect((await store.pricedCalls({ fromDay: '2026-04-01', toDay: '2026-04-30' })).length).toBe(6);
    stored = { ...ctx, readPricedRollups: true };
  });
  afterAll(async () => {
    await store.close();
  });

  const ask = async (params: Record<string, string>) => {
    const rows = (await callsSeries(ctx, callsQuery.parse(params))).rows;
    expect((await callsSeries(stored, callsQuery.parse(params))).rows).toEqual(rows);
    return rows;
  };
  const utcDay = (d: string) => ({ time: at(`${d}T00:00:00Z`), bucket: d, currency: 'USD' });

  it('per day and country: pulses round per call, user-initiated calls free, rows by time then key', async () => {
    expect(await ask({ from: '2026-04-02', to: '2026-04-03', by: 'country' })).toEqual([
      // c2: 7 s = ceil(7 / 6) = 2 pulses x 0.06 = 0.12.
      { ...utcDay('2026-04-02'), country: 'BR', calls: 1, durationSec: 7, pulses: 2, cost: '0.12' },
      // c1: 61 s = 11 pulses x 0.03 = 0.33.
      { ...utcDay('2026-04-02'), country: 'IN', calls: 1, durationSec: 61, pulses: 11, cost: '0.33' },
      // k1 on Kolkata's 04-03, which starts at 04-02 18:30 UTC: 12 s = 2 pulses x 0.03 = 0.06.
      {
        time: at('2026-04-02T18:30:00Z'),
        bucket: '2026-04-03',
        currency: 'USD',
        country: 'IN',
        calls: 1,
        durationSec: 12,
        pulses: 2,
        cost: '0.06',
      },
      // c3: user-initiated, free.
      { ...utcDay('2026-04-03'), country: 'BR', calls: 1, durationSec: 120, pulses: 0, cost: '0' },
    ]);
  });

  it('by WABA, market, phone and direction over the month (c0 of 04-01 too)', async () => {
    expect(await ask({ from: '2026-04-01', to: '2026-04-30', interval: 'month', by: 'waba,market,phone,direction' })).toEqual([
      // W_KOL before W_UTC in the key; k0 18 s = 3 pulses x 0.03 = 0.09 and k1 0.06: 0.15.
      {
        time: at('2026-03-31T18:30:00Z'),
        bucket: '2026-04',
        currency: 'USD',
        wabaId: 'W_KOL',
        market: 'India',
        phoneNumberId: 'PH_K',
        direction: 'business_initiated',
        calls: 2,
        durationSec: 30,
        pulses: 5,
        cost: '0.15',
      },
      // c0 30 s = 5 pulses x 0.06 = 0.30 and c2 0.12: 0.42.
      {
        time: at('2026-04-01T00:00:00Z'),
        bucket: '2026-04',
        currency: 'USD',
        wabaId: 'W_UTC',
        market: 'Brazil',
        phoneNumberId: 'PH_A',
        direction: 'business_initiated',
        calls: 1,
        durationSec: 30,
        pulses: 5,
        cost: '0.3',
      },
      {
        time: at('2026-04-01T00:00:00Z'),
        bucket: '2026-04',
        currency: 'USD',
        wabaId: 'W_UTC',
        market: 'Brazil',
        phoneNumberId: 'PH_A',
        direction: 'user_initiated',
        calls: 1,
        durationSec: 120,
        pulses: 0,
        cost: '0',
      },
      {
        time: at('2026-04-01T00:00:00Z'),
        bucket: '2026-04',
        currency: 'USD',
        wabaId: 'W_UTC',
        market: 'Brazil',
        phoneNumberId: 'PH_B',
        direction: 'business_initiated',
        calls: 1,
        durationSec: 7,
        pulses: 2,
        cost: '0.12',
      },
      {
        time: at('2026-04-01T00:00:00Z'),
        bucket: '2026-04',
        currency: 'USD',
        wabaId: 'W_UTC',
        market: 'India',
        phoneNumberId: 'PH_A',
        direction: 'business_initiated',
        calls: 1,
        durationSec: 61,
        pulses: 11,
        cost: '0.33',
      },
    ]);
  });

  it('an epoch range: each WABA’s own local days', async () => {
    // [04-02 00:00, 04-03 00:00) UTC: W_UTC's 04-02 (c1, c2; not c3 of 04-03); Kolkata's 04-02 and 04-03 (k1).
    const rows = await ask({ from: String(at('2026-04-02T00:00:00Z')), to: String(at('2026-04-03T00:00:00Z')), by: 'waba' });
    expect(rows.map((r) => [r.bucket, r.wabaId, r.calls, r.durationSec, r.pulses, r.cost])).toEqual([
      ['2026-04-02', 'W_UTC', 2, 68, 13, '0.45'],
      ['2026-04-03', 'W_KOL', 1, 12, 2, '0.06'],
    ]);
  });

  it('an epoch range that starts a day later in Kolkata: the day before is not read into it', async () => {
    // [04-01 20:00, 04-02 00:00) UTC is W_UTC's 04-01 (c0) and Kolkata's 04-02 (01:30 to 05:30, no call); the
    // span read is 04-01 to 04-02, and Kolkata's 04-01 (k0) is outside Kolkata's own days.
    const rows = await ask({ from: String(at('2026-04-01T20:00:00Z')), to: String(at('2026-04-02T00:00:00Z')), by: 'waba' });
    expect(rows.map((r) => [r.bucket, r.wabaId, r.calls, r.durationSec, r.pulses, r.cost])).toEqual([
      ['2026-04-01', 'W_UTC', 1, 30, 5, '0.3'],
    ]);
  });

  it('Meta’s pulled calls: talk time from the average, no pulses, a withheld cost null, an unknown phone left out', async () => {
    expect(await ask({ from: '2026-04-02', to: '2026-04-02', source: 'meta', by: 'phone,country', waba: 'W_UTC' })).toEqual([
      // 4 calls x 61.5 s = 246 s.
      { ...utcDay('2026-04-02'), country: null, calls: 4, durationSec: 246, pulses: 0, cost: null },
      // 2 calls x 30 s = 60 s.
      { ...utcDay('2026-04-02'), phoneNumberId: 'PH_A', country: 'BR', calls: 2, durationSec: 60, pulses: 0, cost: '0.24' },
    ]);
  });

  it('keeps apart rows whose values would run together: phone PH_ABR without a country is not PH_A in BR', async () => {
    const row = (phoneNumberId: string, country: string | null, count: number) => ({
      day: '2026-04-04',
      wabaId: 'W_UTC',
      phoneNumberId,
      country,
      direction: 'business_initiated' as const,
      count,
      costMicros: 100_000n * BigInt(count),
      averageDurationSec: 10,
      currency: 'USD',
    });
    await store.replaceDays(
      'W_UTC',
      'meta_calls',
      ['2026-04-04'],
      { calls: [row('PH_ABR', null, 1), row('PH_A', 'BR', 3)] },
      { lastCompleteDay: '2026-04-04' },
    );
    expect(await ask({ from: '2026-04-04', to: '2026-04-04', source: 'meta', by: 'phone,country', waba: 'W_UTC' })).toEqual([
      { ...utcDay('2026-04-04'), phoneNumberId: 'PH_A', country: 'BR', calls: 3, durationSec: 30, pulses: 0, cost: '0.3' },
      { ...utcDay('2026-04-04'), phoneNumberId: 'PH_ABR', country: null, calls: 1, durationSec: 10, pulses: 0, cost: '0.1' },
    ]);
  });

  it('refuses hourly buckets, naming the interval', async () => {
    await expect(ask({ from: '2026-04-02', to: '2026-04-02', interval: 'hour' })).rejects.toMatchObject({
      name: 'InputError',
      field: 'interval',
      value: 'hour',
      reason: 'is not available for calls: the store keeps WABA-local daily rollups (use day or month)',
    });
  });
});

describeOnBothStores('calls priced at query time: the cache', (open) => {
  let store: ConnectorStore;
  let clock = 1_000_000;
  let gen = 1;
  let reads = 0;
  const U: WabaInfo = { id: 'W_UTC', name: 'Shop UTC', timezone: 'UTC', currencies: [{ from: '', code: 'USD' }], portfolio: 'P1' };
  const one = (id: string) => ({
    id,
    start: '2026-04-02T10:00:00Z',
    seconds: 30,
    direction: 'BUSINESS_INITIATED' as const,
    user: BR,
    phone: 'PH_A',
  });

  beforeAll(async () => {
    store = await open({ timezones: { W_UTC: 'UTC' } });
    await importCallRates(store, 'Brazil,USD,0,,0.6000\n');
    await call(store, 'W_UTC', one('k1'));
    jest.spyOn(performance, 'now').mockImplementation(() => clock);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await store?.close();
  });

  it('reuses a month of calls for 0.75 s from when its pricing was ready, however long the pricing took', async () => {
    const { book } = await loadPriceBook(store);
    // Reading the month's calls takes 2 s on the cache's clock: a full-scale month's pricing, ~2 s.
    const slow = new Proxy(store, {
      get(target, key) {
        const v: unknown = Reflect.get(target, key, target);
        if (key === 'finishedCalls')
          return async (r: Parameters<ConnectorStore['finishedCalls']>[0]) => {
            reads += 1;
            clock += 2_000;
            return target.finishedCalls(r);
          };
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const ctx: QueryContext = {
      store: slow,
      wabas: new Map([[U.id, U]]),
      priceBook: () => book,
      generation: () => gen,
      now: () => at('2026-05-01T00:00:00Z'),
    };
    const calls = async () =>
      (await callsSeries(ctx, callsQuery.parse({ from: '2026-04-01', to: '2026-04-30' }))).rows.reduce((n, r) => n + r.calls, 0);
    expect(await calls()).toBe(1);
    const ready = clock; // the pricing started 2 s before this
    await call(store, 'W_UTC', one('k2'));
    gen += 1;
    clock = ready + 749; // 2.749 s after the pricing started: still its answer, though the generation moved
    expect([await calls(), reads]).toEqual([1, 1]);
    clock = ready + 750; // 0.75 s after it was ready: priced again, the new call in
    expect([await calls(), reads]).toEqual([2, 2]);
  });
});
