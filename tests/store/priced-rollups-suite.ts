/**
 * The priced rollups (migration 013) and their re-pricer, one behaviour for both adapters (run from
 * sqlite.test.ts and postgres.test.ts). The demo store is priced both ways, by the re-pricer into the
 * tables and by the query-time path (priced-usage.ts), and compared for every grain and day; small
 * cases have their figures worked out by hand in the comments. Not a test file itself.
 */
import { firstDayOf, type Micros } from '../../src/core';
import { DEMO_WABAS, seedDemo } from '../../src/connector/demo';
import { ratesCsv } from '../../src/connector/demo/demo-rates';
import { usageQuery } from '../../src/contract';
import { allocatedUsage, pricedUsage } from '../../src/connector/query/priced-usage';
import { usageSeries } from '../../src/connector/query/usage-series';
import type { QueryContext, WabaInfo } from '../../src/connector/query/query-context';
import { Repricer } from '../../src/connector/query/re-pricer';
import { demoConfig } from '../../src/connector/runtime/demo-config';
import { importDemoRateFile, importRateFile, loadPriceBook } from '../../src/connector/runtime/price-files';
import { wabaInfoOf } from '../../src/connector/runtime/waba-info';
import {
  createEnvelopeIngest,
  PRICED_DIMENSIONS,
  type ConnectorStore,
  type PricedDimension,
  type PricedDimQuery,
} from '../../src/connector/store';
import { DEMO_AS_OF_MS } from '../helpers/demo-clock';
import type { StoreEngine } from './store-engine';
import { eventsOf, statusObject } from './store-suite';

const EVERYTHING = { fromDay: '1900-01-01', toDay: '2999-12-31' };
const repricer = (store: ConnectorStore, wabas: ReadonlyMap<string, WabaInfo>, holder = 'test') =>
  new Repricer({ store, wabas, holder, loadBook: async () => (await loadPriceBook(store)).book });

type Sums = { messages: number; units: number; billable: number; cost: Micros | null };
const add = (m: Map<string, Sums>, k: string, r: { messages?: number; units: number; billable: number; costMicros: Micros | null }) => {
  const cur = m.get(k);
  const messages = r.messages ?? r.units;
  if (!cur) {
    m.set(k, { messages, units: r.units, billable: r.billable, cost: r.costMicros });
    return;
  }
  cur.messages += messages;
  cur.units += r.units;
  cur.billable += r.billable;
  cur.cost = cur.cost === null || r.costMicros === null ? null : cur.cost + r.costMicros;
};
const sorted = (m: Map<string, Sums>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * The stored rollups of `span` against the query-time path, every day: the pricing grain against its
 * pricing-grain pricing and against its finest allocation (country, phone and group at once) summed
 * back per key; each finer grain against the query-time allocation at that grain; and every grain's
 * cost summing to the pricing grain's per day and currency. Returns the stored pricing grain per key.
 */
export async function expectStoredAsQueryTime(
  store: ConnectorStore,
  wabas: ReadonlyMap<string, WabaInfo>,
  span: { fromDay: string; toDay: string },
  nowMs: number,
): Promise<Map<string, Sums>> {
  const book = (await loadPriceBook(store)).book;
  const ctx: QueryContext = { store, wabas, priceBook: () => book, generation: () => 0, now: () => nowMs };
  const key = (r: { day: string; wabaId: string; market: string; category: string; pricingType: string; pricingModel: string }) =>
    [r.day, r.wabaId, r.market, r.category, r.pricingType, r.pricingModel].join(' | ');
  const expected = new Map<string, Sums>();
  const fromFine = new Map<string, Sums>();
  const fine = (await allocatedUsage(ctx, span, PRICED_DIMENSIONS)).rows;
  for (const r of (await pricedUsage(ctx, span)).rows) add(expected, key(r), r);
  for (const r of fine) add(fromFine, key(r), r);
  const parents = await store.pricedUsage(span);
  const stored = new Map<string, Sums>();
  for (const r of parents) add(stored, key(r), r);
  expect(sorted(stored)).toEqual(sorted(expected));
  expect(sorted(fromFine)).toEqual(sorted(expected));

  const total = (list: readonly { day: string; currency: string; costMicros: Micros | null }[]) => {
    const m = new Map<string, bigint>();
    for (const r of list) m.set(`${r.day} ${r.currency}`, (m.get(`${r.day} ${r.currency}`) ?? 0n) + (r.costMicros ?? 0n));
    return [...m.entries()].sort();
  };
  // The finer grains: what the query-time path allocates at that grain (allocatedUsage: the pricing grain
  // split by largest remainder over charged units), summed per key and dimension value: the same rule, so
  // every row is equal, tier crossings inside one key and day included.
  for (const dim of PRICED_DIMENSIONS) {
    const want = new Map<string, Sums>();
    for (const r of (await allocatedUsage(ctx, span, [dim])).rows) add(want, `${key(r)} | ${r.dims[dim] ?? ''}`, r);
    const rows = await store.pricedUsageBy(dim, span);
    const got = new Map<string, Sums>();
    for (const r of rows) add(got, `${key(r)} | ${r.value}`, r);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, s] of got) {
      const e = want.get(k) as Sums;
      expect({ k, messages: s.messages, units: s.units }).toEqual({ k, messages: e.messages, units: e.units });
      expect({ k, billable: s.billable, cost: s.cost }).toEqual({ k, billable: e.billable, cost: e.cost });
    }
    // Every grain sums to the pricing grain's total, per day and currency.
    expect(total(rows)).toEqual(total(parents));
  }
  return stored;
}

export function describePricedRollupBehaviour(engine: StoreEngine): void {
  describe(`${engine.name}: priced rollups`, () => {
    // One test: the SQLite engine gives every test a fresh folder, and seeding the demo is the slow part.
    it('prices the demo store both ways: the stored pricing grain and the three finer grains equal the query-time path, every day', async () => {
      const wabas = new Map(demoConfig('priced-rollups-token-0123456789').wabas.map((w) => [w.id, wabaInfoOf(w)]));
      const timezones = Object.fromEntries(DEMO_WABAS.map((w) => [w.id, w.timezone]));
      const store = await engine.open({ timezones });
      try {
        await seedDemo({
          seed: 'priced-rollups',
          asOfMs: DEMO_AS_OF_MS,
          days: 50,
          scale: 0.02,
          ingest: createEnvelopeIngest(store, () => DEMO_AS_OF_MS),
          sink: store,
          importRates: (f) => importDemoRateFile(store, f),
        });
        await repricer(store, wabas).runToCompletion();
        expect(await store.pricingDirty()).toEqual([]);
        const days = (await store.usagePricingDaily(EVERYTHING)).map((r) => r.day).sort();
        const span = { fromDay: firstDayOf((days[0] as string).slice(0, 7)), toDay: days[days.length - 1] as string };
        expect(span.fromDay.slice(0, 7)).not.toBe(span.toDay.slice(0, 7));
        const stored = await expectStoredAsQueryTime(store, wabas, span, DEMO_AS_OF_MS);
        expect(stored.size).toBeGreaterThan(100);
        expect([...stored.values()].some((s) => s.cost !== null && s.cost > 0n)).toBe(true);
      } finally {
        await store.close();
      }
    }, 300_000);

    it('answers estimate usage from the stored rollups, at the pricing grain and by phone, country or group: the same answers as priced at query time, for every dimension, filter and interval', async () => {
      const wabas = new Map(demoConfig('priced-rollups-token-0123456789').wabas.map((w) => [w.id, wabaInfoOf(w)]));
      const timezones = Object.fromEntries(DEMO_WABAS.map((w) => [w.id, w.timezone]));
      const store = await engine.open({ timezones });
      try {
        await seedDemo({
          seed: 'priced-rollups-series',
          asOfMs: DEMO_AS_OF_MS,
          days: 50,
          scale: 0.02,
          ingest: createEnvelopeIngest(store, () => DEMO_AS_OF_MS),
          sink: store,
          importRates: (f) => importDemoRateFile(store, f),
        });
        await repricer(store, wabas).runToCompletion();
        const book = (await loadPriceBook(store)).book;
        const base = { store, wabas, priceBook: () => book, generation: () => 0, now: () => DEMO_AS_OF_MS };
        // Both contexts share the query-time pricing cache (it is per store): harmless, it only ever holds
        // query-time pricing, and the stored-rollup path reads the tables on every call.
        const before: QueryContext = base;
        const after: QueryContext = { ...base, readPricedRollups: true };
        const wabaIds = [...wabas.keys()];
        // The most used phone and group of the store: filter values that keep rows (inputs, not results).
        const mostUsed = (values: (string | null)[]) => {
          const n = new Map<string, number>();
          for (const v of values) if (v) n.set(v, (n.get(v) ?? 0) + 1);
          return [...n.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] as string;
        };
        const fineRows = await store.usageDaily(EVERYTHING);
        const phone = mostUsed(fineRows.map((r) => r.phoneNumberId));
        const group = mostUsed(fineRows.map((r) => r.group));
        expect([phone, group].every((v) => typeof v === 'string')).toBe(true);
        const FINE = ['phone', 'country', 'group'];
        const BY = [
          '',
          'category',
          'waba',
          'market',
          'pricing_type',
          'direction',
          'category,pricing_type',
          'waba,market,category',
          ...FINE,
          ...FINE.flatMap((d) => [`${d},category`, `${d},pricing_type`, `waba,${d}`, `${d},waba,category,pricing_type`]),
          'phone,country',
          'country,group',
          'phone,group',
          'phone,country,group,category',
        ];
        const FILTERS: Record<string, string>[] = [
          {},
          { category: 'utility' },
          { category: 'marketing,service' },
          { pricingType: 'regular' },
          { direction: 'business_initiated' },
          { waba: wabaIds[0] as string },
          { country: 'BR' },
          { country: 'BR,IN,DE' },
          { phone },
          { group },
          { country: 'BR', category: 'marketing' },
        ];
        const ask = (ctx: QueryContext, params: Record<string, string>) => usageSeries(ctx, usageQuery.parse(params));
        const queries: Record<string, string>[] = [];
        for (const by of BY)
          for (const f of FILTERS) {
            for (const interval of ['day', 'month'])
              queries.push({ from: '2026-09-20', to: '2026-11-15', interval, ...(by ? { by } : {}), ...f });
            // Hours across a month end (hourly reads at most 31 days).
            queries.push({ from: '2026-10-27', to: '2026-11-03', interval: 'hour', ...(by ? { by } : {}), ...f });
          }
        // A range starting mid-month, so the month's earlier days count for tiers but are not shown.
        queries.push({ from: '2026-10-10', to: '2026-10-20', by: 'category' });
        queries.push({ from: '2026-10-10', to: '2026-10-20', by: 'country,category' });
        // Epoch ranges cut each WABA at its own midnight (São Paulo, Kolkata and Berlin: different first and
        // last days), which month buckets read as one sum per WABA and month within that WABA's own days.
        const epoch = { from: String(Date.UTC(2026, 9, 5, 20, 0)), to: String(Date.UTC(2026, 10, 10, 20, 0)) };
        for (const by of ['', 'category', 'waba,market,category', 'phone', 'country,waba', 'group,market,category'])
          for (const f of [{}, { category: 'marketing,service' }, { country: 'BR,IN,DE' }] as Record<string, string>[])
            queries.push({ ...epoch, interval: 'month', ...(by ? { by } : {}), ...f });
        const askAll = async (queryTime: QueryContext, fromTables: QueryContext) => {
          let answered = 0;
          for (const params of queries) {
            const stored = await ask(fromTables, params);
            expect({ params, answer: stored }).toEqual({ params, answer: await ask(queryTime, params) });
            if (stored.rows.some((r) => r.cost !== null && r.cost !== '0')) answered += 1;
          }
          return answered;
        };
        // Most queries answer priced rows (a filter that keeps nothing would prove nothing).
        expect(await askAll(before, after)).toBeGreaterThan(queries.length * 0.8);
        // The same with pricing problems in a clean month, which still answers from the tables (its problems in
        // core's words from a query-time pricing of its pricing grain): a revised card from 11-01 imported
        // without its tier table makes every tiered November row's tiers stale once the re-pricer has run. A new
        // handle object on the store: the query-time cache is per store object, so nothing priced under the old
        // book is reused.
        for (const w of DEMO_WABAS)
          await importRateFile(
            store,
            {
              kind: 'rates',
              text: ratesCsv(w.currency, '2026-11-01', 1),
              effectiveFrom: '2026-11-01',
              fileName: `revised-${w.currency}.csv`,
            },
            0,
          );
        await repricer(store, wabas).runToCompletion();
        expect(await store.pricingDirty()).toEqual([]);
        const november = await store.pricedUsage({ fromDay: '2026-11-01', toDay: '2026-11-15' });
        expect(november.filter((r) => r.problem === 'stale_tier_table').length).toBeGreaterThan(10);
        const revisedBook = (await loadPriceBook(store)).book;
        const revised: QueryContext = { ...base, store: Object.create(store) as ConnectorStore, priceBook: () => revisedBook };
        expect(await askAll(revised, { ...revised, readPricedRollups: true })).toBeGreaterThan(queries.length * 0.8);
        const oneDay = { from: '2026-10-05', to: '2026-10-05', by: 'category,waba' };
        const answer = await ask(after, oneDay);
        expect(answer.rows.some((r) => r.cost !== null && r.cost !== '0')).toBe(true);
        // The stored rows are what answers: one day's pricing-grain row and one row of each finer grain under it
        // rewritten 1 unit dearer show in the answers at those grains, while a panel by two finer dimensions
        // (no stored grain holds both: priced at query time) does not move.
        const [target] = (await store.pricedUsage({ fromDay: '2026-10-05', toDay: '2026-10-05' })).filter(
          (r) => r.costMicros !== null && r.costMicros > 0n,
        );
        const waba = wabas.get(target?.wabaId as string) as WabaInfo;
        const lease = { portfolioId: waba.portfolio, month: '2026-10', holder: 'tamper', nowMs: Date.now(), leaseMs: 60_000 };
        const members = [...wabas.values()].filter((w) => w.portfolio === waba.portfolio).map((w) => w.id);
        expect(await store.claimPricingMonth(lease, members)).toEqual([]);
        const sameDay = await store.pricedUsage({ fromDay: '2026-10-05', toDay: '2026-10-05' });
        const underTarget = (r: {
          day: string;
          wabaId: string;
          market: string;
          category: string;
          pricingType: string;
          pricingModel: string;
        }) =>
          r.day === target?.day &&
          r.wabaId === target.wabaId &&
          r.market === target.market &&
          r.category === target.category &&
          r.pricingType === target.pricingType &&
          r.pricingModel === target.pricingModel;
        const tamperedValue: Record<string, string> = {};
        const dims = Object.fromEntries(
          await Promise.all(
            PRICED_DIMENSIONS.map(async (d) => {
              const rows = (await store.pricedUsageBy(d, { fromDay: '2026-10-05', toDay: '2026-10-05' })).filter((r) =>
                members.includes(r.wabaId),
              );
              const first = rows.find((r) => underTarget(r) && r.costMicros !== null);
              tamperedValue[d] = first?.value as string;
              return [d, rows.map((r) => (r === first ? { ...r, costMicros: (r.costMicros as bigint) + 1_000_000n } : r))];
            }),
          ),
        );
        const tampered = sameDay
          .filter((r) => members.includes(r.wabaId))
          .map((r) => (underTarget(r) ? { ...r, costMicros: (r.costMicros as bigint) + 1_000_000n } : r));
        expect(
          await store.writePricedDay(lease, {
            day: '2026-10-05',
            wabaIds: members,
            kinds: ['usage'],
            pricing: tampered,
            dims: dims as never,
            calls: [],
            version: target?.version as string,
            pricedAtMs: 0,
          }),
        ).toBe(true);
        await store.finishPricingMonth(lease);
        const moved = await ask(after, oneDay);
        const costOf = (a: typeof answer, wabaId: string, category: string) =>
          Number(a.rows.find((r) => r.wabaId === wabaId && r.category === category)?.cost);
        expect(
          costOf(moved, target?.wabaId as string, target?.category as string) -
            costOf(answer, target?.wabaId as string, target?.category as string),
        ).toBeCloseTo(1, 9);
        const FIELD = { country: 'country', phone: 'phoneNumberId', group: 'group' } as const;
        for (const d of PRICED_DIMENSIONS) {
          const byDim = { ...oneDay, by: `${d},category,waba` };
          const costAt = (a: typeof answer) =>
            Number(
              a.rows.find((r) => r.wabaId === target?.wabaId && r.category === target?.category && (r[FIELD[d]] ?? '') === tamperedValue[d])
                ?.cost,
            );
          expect({ d, moved: costAt(await ask(after, byDim)) - costAt(await ask(before, byDim)) }).toEqual({
            d,
            moved: expect.closeTo(1, 9),
          });
        }
        const byTwo = { ...oneDay, by: 'phone,country' };
        expect(await ask(after, byTwo)).toEqual(await ask(before, byTwo));

        // The same tampered rows under another pricing version are not read: the span is priced at query time.
        expect(await store.claimPricingMonth(lease, members)).toEqual([]);
        expect(
          await store.writePricedDay(lease, {
            day: '2026-10-05',
            wabaIds: members,
            kinds: ['usage'],
            pricing: tampered,
            dims: dims as never,
            calls: [],
            version: 'another-version',
            pricedAtMs: 0,
          }),
        ).toBe(true);
        await store.finishPricingMonth(lease);
        for (const by of ['category,waba', ...PRICED_DIMENSIONS.map((d) => `${d},category,waba`)]) {
          const q = { ...oneDay, by };
          expect(await ask(after, q)).toEqual(await ask(before, q));
        }

        // A month with a dirty mark is priced at query time again: a new event in October brings the answer back.
        await store.ingest(
          eventsOf(target?.wabaId as string, [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: 'P-extra' },
                statuses: [
                  statusObject('wamid.extra', 'delivered', '2026-10-20T12:00:00Z', {
                    recipient_id: '5511987654321',
                    pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' },
                  }),
                ],
              },
            },
          ]),
          0,
        );
        expect(await ask(after, oneDay)).toEqual(await ask(before, oneDay));
        for (const d of PRICED_DIMENSIONS) {
          const byDim = { ...oneDay, by: `${d},category,waba` };
          expect(await ask(after, byDim)).toEqual(await ask(before, byDim));
        }
      } finally {
        await store.close();
      }
    }, 300_000);

    describe('small cases worked by hand', () => {
      const W = 'W_HAND';
      const timezones = { [W]: 'UTC' };
      const wabas = new Map<string, WabaInfo>([
        [W, { id: W, name: 'Hand', timezone: 'UTC', currencies: [{ from: '', code: 'USD' }], portfolio: 'PF' }],
      ]);
      const AT = '4366012345';
      const BE = '32470123456';
      let n = 0;
      /** `count` utility messages delivered on `day` (UTC) to `to`, with Meta's PMP verdict. */
      const deliver = async (store: ConnectorStore, day: string, to: string, count: number, category = 'utility', phone = 'P1') => {
        const statuses = Array.from({ length: count }, () =>
          statusObject(`wamid.h${++n}`, 'delivered', `${day}T10:00:00Z`, {
            recipient_id: to,
            pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category },
          }),
        );
        await store.ingest(eventsOf(W, [{ field: 'messages', value: { metadata: { phone_number_id: phone }, statuses } }]), 0);
      };
      // Rest of Western Europe (AT and BE): utility 0.0500 flat on the card; tiers 0-10 at 0.0100, 11+ at 0.0010.
      const RATES =
        'Cost per message in USD\nMarket,Currency,Marketing,Utility,Authentication,Authentication-International,Service\nRest of Western Europe,USD,0.0600,0.0500,0.0400,,\n';
      const tiers = (low: string, high: string) =>
        `Market,Category,Lower,Upper,Rate\nRest of Western Europe,Utility,0,10,${low}\nRest of Western Europe,Utility,11,MAX,${high}\n`;
      const openPriced = async () => {
        const store = await engine.open({ timezones });
        await importRateFile(store, { kind: 'rates', text: RATES, effectiveFrom: '2026-01-01', fileName: 'r.csv' }, 0);
        await importRateFile(
          store,
          { kind: 'tiers', text: tiers('0.0100', '0.0010'), effectiveFrom: '2026-01-01', currency: 'USD', fileName: 't.csv' },
          0,
        );
        return store;
      };
      /** A store whose only card is in force from 02-04, with 4 utility messages to Austria on the 3rd (no price) and 3 on the 4th, re-priced. */
      const openPricedFromThe4th = async () => {
        const store = await engine.open({ timezones });
        await importRateFile(store, { kind: 'rates', text: RATES, effectiveFrom: '2026-02-04', fileName: 'r.csv' }, 0);
        await deliver(store, '2026-02-03', AT, 4, 'utility', 'P1');
        await deliver(store, '2026-02-04', AT, 3, 'utility', 'P1');
        await repricer(store, wabas).runToCompletion();
        return store;
      };
      const costsByDay = async (store: ConnectorStore) =>
        Object.fromEntries((await store.pricedUsage(EVERYTHING)).map((r) => [r.day, [r.units, r.billable, r.costMicros]]));

      it('splits a tier crossed inside a day over two countries by largest remainder', async () => {
        const store = await openPriced();
        try {
          await deliver(store, '2026-02-03', AT, 7);
          await deliver(store, '2026-02-03', BE, 6);
          await repricer(store, wabas).runToCompletion();
          // 13 units: 10 at 0.0100 + 3 at 0.0010 = 103000 micro-USD.
          const [p] = await store.pricedUsage(EVERYTHING);
          expect(p).toMatchObject({ market: 'Rest of Western Europe', units: 13, billable: 13, costMicros: 103_000n, problem: null });
          expect(p?.tiers?.map((t) => [t.units, t.rateMicros])).toEqual([
            [10, 10_000n],
            [3, 1_000n],
          ]);
          // Weights are the charged units, AT 7 and BE 6 (sum 13). Quotas: AT 103000 x 7 = 721000 = 13 x 55461 + 7,
          // BE 103000 x 6 = 618000 = 13 x 47538 + 6. Floors 55461 + 47538 = 102999: the one micro-unit left goes to the
          // larger remainder, AT's 7 (over BE's 6). (Pricing the fine rows in key order instead would give AT's 7
          // units all the first tier, 70000, and BE 3 x 0.01 + 3 x 0.001 = 33000.)
          const byCountry = (await store.pricedUsageBy('country', EVERYTHING)).map((r) => [r.value, r.units, r.billable, r.costMicros]);
          expect(byCountry).toEqual([
            ['AT', 7, 7, 55_462n],
            ['BE', 6, 6, 47_538n],
          ]);
          // One phone, no group: each carries the whole day.
          expect((await store.pricedUsageBy('phone', EVERYTHING)).map((r) => [r.value, r.costMicros])).toEqual([['P1', 103_000n]]);
          expect((await store.pricedUsageBy('group', EVERYTHING)).map((r) => [r.value, r.costMicros])).toEqual([['', 103_000n]]);
          // What a panel reads: the aggregate narrowed in SQL (here to Belgium), and no unfit pricing-grain row.
          expect(await store.pricedUsageTotals('country', { ...EVERYTHING, values: ['BE'], categories: ['utility'] })).toEqual([
            {
              day: '2026-02-03',
              wabaId: W,
              value: 'BE',
              market: 'Rest of Western Europe',
              category: 'utility',
              pricingType: 'regular',
              currency: 'USD',
              messages: 6,
              units: 6,
              billable: 6,
              costMicros: 47_538n,
            },
          ]);
          expect(await store.pricedUsageTotals('country', { ...EVERYTHING, categories: ['marketing'] })).toEqual([]);
          expect(await store.pricedUsageUnfit(EVERYTHING, (p as { version: string }).version)).toEqual({ problems: 0, stale: 0 });
          expect(await store.pricedUsageUnfit(EVERYTHING, 'another-version')).toEqual({ problems: 0, stale: 1 });
          // The panels give the same split whether they read the stored grain or allocate at query time, daily,
          // monthly and hourly (both messages at 10:00 UTC), and with a country filter.
          const book = (await loadPriceBook(store)).book;
          const base: QueryContext = { store, wabas, priceBook: () => book, generation: () => 0, now: () => 0 };
          for (const readPricedRollups of [false, true])
            for (const interval of ['day', 'month', 'hour']) {
              const q = { from: '2026-02-03', to: '2026-02-03', interval, by: 'country' };
              const { rows } = await usageSeries({ ...base, readPricedRollups }, usageQuery.parse(q));
              expect({ readPricedRollups, interval, rows: rows.map((r) => [r.country, r.messages, r.billable, r.cost]) }).toEqual({
                readPricedRollups,
                interval,
                rows: [
                  ['AT', 7, 7, '0.055462'],
                  ['BE', 6, 6, '0.047538'],
                ],
              });
              const onlyBe = await usageSeries({ ...base, readPricedRollups }, usageQuery.parse({ ...q, by: 'category', country: 'BE' }));
              expect(onlyBe.rows.map((r) => [r.category, r.messages, r.cost])).toEqual([['utility', 6, '0.047538']]);
            }
        } finally {
          await store.close();
        }
      });

      it('allocates each panel at the grain it names: by phone, by country, and by both, each summing to the day', async () => {
        const store = await openPriced();
        try {
          await deliver(store, '2026-02-03', AT, 4, 'utility', 'P1');
          await deliver(store, '2026-02-03', AT, 3, 'utility', 'P2');
          await deliver(store, '2026-02-03', BE, 6, 'utility', 'P2');
          await repricer(store, wabas).runToCompletion();
          const book = (await loadPriceBook(store)).book;
          const base: QueryContext = { store, wabas, priceBook: () => book, generation: () => 0, now: () => 0 };
          const costs = async (by: string, readPricedRollups: boolean, filter: Record<string, string> = {}) =>
            (
              await usageSeries({ ...base, readPricedRollups }, usageQuery.parse({ from: '2026-02-03', to: '2026-02-03', by, ...filter }))
            ).rows.map((r) => [r.country ?? r.phoneNumberId, ...(by.includes(',') ? [r.phoneNumberId] : []), r.cost]);
          // 13 units across the 10-unit bound: 10 x 0.0100 + 3 x 0.0010 = 103000 micro-USD for the day, split over 13.
          for (const stored of [false, true]) {
            // By phone, weights P1 4 and P2 9: 412000 = 13 x 31692 + 4, 927000 = 13 x 71307 + 9; the micro left to P2 (9 > 4).
            expect(await costs('phone', stored)).toEqual([
              ['P1', '0.031692'],
              ['P2', '0.071308'],
            ]);
            // By country, weights AT 7 and BE 6: 55461 rest 7 and 47538 rest 6; the micro left to AT.
            expect(await costs('country', stored)).toEqual([
              ['AT', '0.055462'],
              ['BE', '0.047538'],
            ]);
            // By country and phone, weights AT/P1 4, AT/P2 3, BE/P2 6: 412000 = 13 x 31692 + 4, 309000 = 13 x 23769 + 3,
            // 618000 = 13 x 47538 + 6; the micro left to BE/P2 (6). AT's two rows add to 55461, not 55462: each
            // panel is allocated at its own grain, and each sums to the day's 103000.
            expect(await costs('country,phone', stored)).toEqual([
              ['AT', 'P1', '0.031692'],
              ['AT', 'P2', '0.023769'],
              ['BE', 'P2', '0.047539'],
            ]);
            // A phone filter on a panel by country is the country x phone grain, narrowed: AT 23769, BE 47539.
            expect(await costs('country', stored, { phone: 'P2' })).toEqual([
              ['AT', '0.023769'],
              ['BE', '0.047539'],
            ]);
          }
        } finally {
          await store.close();
        }
      });

      it('re-prices the later days of the month when a late event arrives for an earlier day', async () => {
        const store = await openPriced();
        try {
          await deliver(store, '2026-02-03', AT, 8);
          await deliver(store, '2026-02-05', AT, 5);
          await repricer(store, wabas).runToCompletion();
          // Day 3: 8 at 0.01 = 80000; day 5: units 9-13, 2 at 0.01 + 3 at 0.001 = 23000.
          expect(await costsByDay(store)).toEqual({ '2026-02-03': [8, 8, 80_000n], '2026-02-05': [5, 5, 23_000n] });
          await deliver(store, '2026-02-02', AT, 4);
          expect((await store.pricingDirty()).map((m) => [m.wabaId, m.month, m.fromDay])).toEqual([[W, '2026-02', '2026-02-02']]);
          await repricer(store, wabas).runToCompletion();
          // Day 2: 4 at 0.01 = 40000; day 3: units 5-12, 6 at 0.01 + 2 at 0.001 = 62000; day 5: units 13-17 at 0.001 = 5000.
          expect(await costsByDay(store)).toEqual({
            '2026-02-02': [4, 4, 40_000n],
            '2026-02-03': [8, 8, 62_000n],
            '2026-02-05': [5, 5, 5_000n],
          });
        } finally {
          await store.close();
        }
      });

      it('re-prices a month from the day a price file imported later takes effect', async () => {
        const store = await openPriced();
        try {
          await deliver(store, '2026-02-03', AT, 8);
          await deliver(store, '2026-02-05', AT, 5);
          await deliver(store, '2026-03-02', AT, 1);
          await repricer(store, wabas).runToCompletion();
          await importRateFile(
            store,
            { kind: 'tiers', text: tiers('0.0200', '0.0020'), effectiveFrom: '2026-02-04', currency: 'USD', fileName: 't2.csv' },
            0,
          );
          // Every month with usage on or after 2026-02-04, from its first such day.
          expect((await store.pricingDirty()).map((m) => [m.month, m.fromDay])).toEqual([
            ['2026-02', '2026-02-05'],
            ['2026-03', '2026-03-02'],
          ]);
          await repricer(store, wabas).runToCompletion();
          // Day 3 keeps the old tiers (80000); day 5 is units 9-13 on the new ones: 2 at 0.02 + 3 at 0.002 = 46000; March: 1 at 0.02.
          expect(await costsByDay(store)).toEqual({
            '2026-02-03': [8, 8, 80_000n],
            '2026-02-05': [5, 5, 46_000n],
            '2026-03-02': [1, 1, 20_000n],
          });
        } finally {
          await store.close();
        }
      });

      it('sums a month of each grain in SQL when asked (sumDays): one row per key dated the first day of the range, an unknown cost never merged into a known one', async () => {
        const store = await openPriced();
        try {
          await deliver(store, '2026-02-03', AT, 4, 'utility', 'P1');
          await deliver(store, '2026-02-04', AT, 3, 'utility', 'P1');
          await deliver(store, '2026-02-04', BE, 2, 'brand_new_thing', 'P1');
          await deliver(store, '2026-02-05', BE, 6, 'utility', 'P2');
          await repricer(store, wabas).runToCompletion();
          // The month's 13 utility units in day order: 4 and 3 under the 10-unit bound (40000, 30000 micro-USD),
          // then 6 on the 5th: 3 x 10000 + 3 x 1000 = 33000. 103000 in all; the unknown category has no price.
          const MONTH = { fromDay: '2026-02-01', toDay: '2026-02-28', wabaId: W, sumDays: true };
          const read = async (dim: PricedDimension | null, q: PricedDimQuery) =>
            (await store.pricedUsageTotals(dim, q)).map((r) => [r.value, r.day, r.category, r.messages, r.costMicros]);
          expect(await read(null, MONTH)).toEqual([
            ['', '2026-02-01', 'brand_new_thing', 2, null],
            ['', '2026-02-01', 'utility', 13, 103_000n],
          ]);
          expect(await read('phone', MONTH)).toEqual([
            ['P1', '2026-02-01', 'brand_new_thing', 2, null],
            ['P1', '2026-02-01', 'utility', 7, 70_000n],
            ['P2', '2026-02-01', 'utility', 6, 33_000n],
          ]);
          expect(await read('country', MONTH)).toEqual([
            ['AT', '2026-02-01', 'utility', 7, 70_000n],
            ['BE', '2026-02-01', 'brand_new_thing', 2, null],
            ['BE', '2026-02-01', 'utility', 6, 33_000n],
          ]);
          expect(await read('group', MONTH)).toEqual([
            ['', '2026-02-01', 'brand_new_thing', 2, null],
            ['', '2026-02-01', 'utility', 13, 103_000n],
          ]);
          // The day range applies before the sum: from the 4th, P1's utility is the 4th's 3 units.
          expect(await read('phone', { ...MONTH, fromDay: '2026-02-04' })).toEqual([
            ['P1', '2026-02-04', 'brand_new_thing', 2, null],
            ['P1', '2026-02-04', 'utility', 3, 30_000n],
            ['P2', '2026-02-04', 'utility', 6, 33_000n],
          ]);
          // Another WABA's month is not this one's.
          expect(await read('phone', { ...MONTH, wabaId: 'W_OTHER' })).toEqual([]);
        } finally {
          await store.close();
        }
        // A price known from the 4th only: the 3rd's row has no cost, the 4th's has one (3 x 0.0500); the month's
        // sum keeps them apart, the known one first, so the 3rd's messages can still be reported as not priced.
        const late = await openPricedFromThe4th();
        try {
          for (const dim of [null, ...PRICED_DIMENSIONS])
            expect(
              (await late.pricedUsageTotals(dim, { fromDay: '2026-02-01', toDay: '2026-02-28', sumDays: true })).map((r) => [
                r.day,
                r.messages,
                r.costMicros,
              ]),
            ).toEqual([
              ['2026-02-01', 3, 150_000n],
              ['2026-02-01', 4, null],
            ]);
        } finally {
          await late.close();
        }
      });

      it('answers a month from its month totals (migration 021), kept equal to its days through re-pricings, and from the days when the range leaves a day of the month out', async () => {
        // Each grain with month totals read for the whole month (from the totals) and over a range that also
        // covers the day before the month (not one month: the day rows summed), which must agree.
        const GRAINS = [null, 'country', 'group'] as const;
        const sums = async (store: ConnectorStore, dim: PricedDimension | null, fromDay: string, toDay: string) =>
          (await store.pricedUsageTotals(dim, { fromDay, toDay, sumDays: true })).map((r) => [
            r.value,
            r.market,
            r.category,
            r.messages,
            r.units,
            r.billable,
            r.costMicros,
          ]);
        const expectTotalsAsDays = async (store: ConnectorStore) => {
          for (const dim of GRAINS)
            expect(await sums(store, dim, '2026-02-01', '2026-02-28')).toEqual(await sums(store, dim, '2026-01-31', '2026-02-28'));
        };
        const utility = async (store: ConnectorStore, fromDay: string, toDay: string) =>
          (await sums(store, null, fromDay, toDay)).filter((r) => r[2] === 'utility').map((r) => [r[4], r[6]]);
        const store = await openPriced();
        try {
          await deliver(store, '2026-02-03', AT, 4, 'utility', 'P1');
          await deliver(store, '2026-02-04', AT, 3, 'utility', 'P1');
          await deliver(store, '2026-02-04', BE, 2, 'brand_new_thing', 'P1');
          await deliver(store, '2026-02-05', BE, 6, 'utility', 'P2');
          await repricer(store, wabas).runToCompletion();
          await expectTotalsAsDays(store);
          // 13 utility units: 10 at 0.0100, 3 at 0.0010.
          expect(await utility(store, '2026-02-01', '2026-02-28')).toEqual([[13, 103_000n]]);
          // A late event for the 2nd re-prices the 2nd to the 5th: each day's rows taken away and added again.
          // 17 units: 10 at 0.0100, 7 at 0.0010; Austria 11 of them (units 1-11: 101000), Belgium 6 (6000).
          await deliver(store, '2026-02-02', AT, 4, 'utility', 'P1');
          await repricer(store, wabas).runToCompletion();
          await expectTotalsAsDays(store);
          expect(await utility(store, '2026-02-01', '2026-02-28')).toEqual([[17, 107_000n]]);
          expect(
            (await sums(store, 'country', '2026-02-01', '2026-02-28')).filter((r) => r[2] === 'utility').map((r) => [r[0], r[4], r[6]]),
          ).toEqual([
            ['AT', 11, 101_000n],
            ['BE', 6, 6_000n],
          ]);
          // The month totals narrowed as a day read is: by value and category, by pricing type, by WABA.
          const february = { fromDay: '2026-02-01', toDay: '2026-02-28', sumDays: true };
          expect(
            (await store.pricedUsageTotals('country', { ...february, values: ['BE'], categories: ['utility'] })).map((r) => [
              r.value,
              r.category,
              r.units,
              r.costMicros,
            ]),
          ).toEqual([['BE', 'utility', 6, 6_000n]]);
          expect((await store.pricedUsageTotals('group', { ...february, pricingTypes: ['free_customer_service'] })).length).toBe(0);
          expect((await store.pricedUsageTotals(null, { ...february, wabaIds: ['W_OTHER'] })).length).toBe(0);
          // Ranges within the month: with data on the 2nd to the 5th, the 2nd to the 5th is the whole month's
          // totals; from the 3rd (the 2nd's units 1-4 left out) and to the 4th (the 5th's 12-17 left out) only their days.
          expect(await utility(store, '2026-02-02', '2026-02-05')).toEqual([[17, 107_000n]]);
          expect(await utility(store, '2026-02-03', '2026-02-28')).toEqual([[13, 67_000n]]);
          expect(await utility(store, '2026-02-01', '2026-02-04')).toEqual([[11, 101_000n]]);
          // Read for one WABA: its brand_new_thing row (no cost) and its utility row, from the month totals.
          expect(
            (await store.pricedUsageTotals(null, { fromDay: '2026-02-02', toDay: '2026-02-05', wabaId: W, sumDays: true })).map(
              (r) => r.costMicros,
            ),
          ).toEqual([null, 107_000n]);
        } finally {
          await store.close();
        }
        // A price known from the 4th, then from the 1st: the 3rd's row moves from no cost to a cost, and the
        // month's row without a cost goes (not left at 0 messages). 7 utility messages at 0.0500.
        const late = await openPricedFromThe4th();
        try {
          await expectTotalsAsDays(late);
          expect(await utility(late, '2026-02-01', '2026-02-28')).toEqual([
            [3, 150_000n],
            [4, null],
          ]);
          await importRateFile(late, { kind: 'rates', text: RATES, effectiveFrom: '2026-02-01', fileName: 'r0.csv' }, 0);
          await repricer(late, wabas).runToCompletion();
          await expectTotalsAsDays(late);
          expect(await utility(late, '2026-02-01', '2026-02-28')).toEqual([[7, 350_000n]]);
        } finally {
          await late.close();
        }
      });

      it('reads phone and group summed over markets for a panel without the market (migration 020), by hand', async () => {
        const store = await engine.open({ timezones });
        try {
          // Marketing, which has no tiers: Rest of Western Europe 0.0600, Brazil 0.0625; India has no rate here.
          const rates =
            'Cost per message in USD\nMarket,Currency,Marketing,Utility,Authentication,Authentication-International,Service\n' +
            'Rest of Western Europe,USD,0.0600,0.0500,0.0400,,\nBrazil,USD,0.0625,0.0080,0.0315,,\n';
          await importRateFile(store, { kind: 'rates', text: rates, effectiveFrom: '2026-01-01', fileName: 'r.csv' }, 0);
          const BR = '5511987650001';
          const IN = '919812340001';
          await deliver(store, '2026-02-03', AT, 2, 'marketing', 'P1');
          await deliver(store, '2026-02-03', BR, 3, 'marketing', 'P1');
          await deliver(store, '2026-02-03', IN, 2, 'marketing', 'P1');
          await deliver(store, '2026-02-03', BR, 1, 'brand_new_thing', 'P1');
          await deliver(store, '2026-02-04', AT, 1, 'marketing', 'P2');
          await repricer(store, wabas).runToCompletion();
          const MONTH = { fromDay: '2026-02-01', toDay: '2026-02-28', wabaId: W, withoutMarket: true };
          const read = async (dim: PricedDimension, q: PricedDimQuery) =>
            (await store.pricedUsageTotals(dim, q)).map((r) => [r.value, r.day, r.market, r.category, r.messages, r.costMicros]);
          // P1's marketing on the 3rd: 2 x 0.0600 (Austria) + 3 x 0.0625 (Brazil) = 0.3075, one row for both
          // markets; India's 2 have no price, kept apart from it in a month's sum and summed into it by day (as
          // a panel adds them: a cost is null only when every part's is).
          expect(await read('phone', { ...MONTH, sumDays: true })).toEqual([
            ['P1', '2026-02-01', '', 'brand_new_thing', 1, null],
            ['P1', '2026-02-01', '', 'marketing', 5, 307_500n],
            ['P1', '2026-02-01', '', 'marketing', 2, null],
            ['P2', '2026-02-01', '', 'marketing', 1, 60_000n],
          ]);
          expect(await read('phone', MONTH)).toEqual([
            ['P1', '2026-02-03', '', 'brand_new_thing', 1, null],
            ['P1', '2026-02-03', '', 'marketing', 7, 307_500n],
            ['P2', '2026-02-04', '', 'marketing', 1, 60_000n],
          ]);
          // No group: both phones in one row a day; the month sums 0.3075 + 0.0600. Summed rows are dated the
          // range's first day.
          expect(await read('group', { ...MONTH, sumDays: true })).toEqual([
            ['', '2026-02-01', '', 'brand_new_thing', 1, null],
            ['', '2026-02-01', '', 'marketing', 6, 367_500n],
            ['', '2026-02-01', '', 'marketing', 2, null],
          ]);
          // Narrowed like the tables with the market: by phone, by category, by day.
          expect(await read('phone', { ...MONTH, values: ['P2'] })).toEqual([['P2', '2026-02-04', '', 'marketing', 1, 60_000n]]);
          expect(await read('phone', { ...MONTH, categories: ['brand_new_thing'] })).toEqual([
            ['P1', '2026-02-03', '', 'brand_new_thing', 1, null],
          ]);
          expect(await read('phone', { ...MONTH, fromDay: '2026-02-04' })).toEqual([['P2', '2026-02-04', '', 'marketing', 1, 60_000n]]);
          // The country keeps its market whatever the query says (a country is in one market).
          expect(await read('country', { ...MONTH, categories: ['marketing'] })).toEqual([
            ['AT', '2026-02-03', 'Rest of Western Europe', 'marketing', 2, 120_000n],
            ['BR', '2026-02-03', 'Brazil', 'marketing', 3, 187_500n],
            ['IN', '2026-02-03', 'India', 'marketing', 2, null],
            ['AT', '2026-02-04', 'Rest of Western Europe', 'marketing', 1, 60_000n],
          ]);
        } finally {
          await store.close();
        }
      });

      it('keeps an unknown category with a null cost and its problem, at every grain', async () => {
        const store = await openPriced();
        try {
          await deliver(store, '2026-02-03', BE, 2, 'brand_new_thing');
          await repricer(store, wabas).runToCompletion();
          expect((await store.pricedUsage(EVERYTHING)).map((r) => [r.category, r.units, r.billable, r.costMicros, r.problem])).toEqual([
            ['brand_new_thing', 2, 2, null, 'unknown_category'],
          ]);
          const [row] = await store.pricedUsage(EVERYTHING);
          // The row has a problem; it is of another version only when asked about any other.
          expect(await store.pricedUsageUnfit(EVERYTHING, row?.version as string)).toEqual({ problems: 1, stale: 0 });
          expect(await store.pricedUsageUnfit(EVERYTHING, 'another-version')).toEqual({ problems: 1, stale: 1 });
          // Narrowed to a day or a WABA without it: nothing.
          expect(await store.pricedUsageUnfit({ fromDay: '2026-02-04', toDay: '2026-02-28' }, 'another-version')).toEqual({
            problems: 0,
            stale: 0,
          });
          for (const dim of PRICED_DIMENSIONS)
            expect((await store.pricedUsageBy(dim, EVERYTHING)).map((r) => [r.category, r.units, r.costMicros])).toEqual([
              ['brand_new_thing', 2, null],
            ]);
        } finally {
          await store.close();
        }
      });

      it('lets one replica at a time re-price a portfolio month (a lease), and the other take it once it runs out', async () => {
        const store = await openPriced();
        const other = await engine.openSame(store, { timezones });
        try {
          await deliver(store, '2026-02-03', AT, 3);
          const lease = { portfolioId: 'PF', month: '2026-02', nowMs: 1_000, leaseMs: 500 };
          // The claim reads the month's marks and clears their touched day; the refused one clears nothing.
          const mark = { wabaId: W, month: '2026-02', fromDay: '2026-02-03', kinds: ['usage'] };
          expect(await store.claimPricingMonth({ ...lease, holder: 'a' }, [W])).toEqual([{ ...mark, touchedDay: null }]);
          await deliver(store, '2026-02-09', AT, 1);
          expect(await other.claimPricingMonth({ ...lease, holder: 'b' }, [W])).toBeNull();
          expect(await store.pricingDirty()).toEqual([{ ...mark, touchedDay: '2026-02-09' }]);
          // b's replica cannot write under a's lease; after it runs out b can claim, and a can no longer write.
          const day = {
            day: '2026-02-03',
            wabaIds: [W],
            kinds: ['usage', 'calls'] as const,
            pricing: [],
            dims: { country: [], phone: [], group: [] },
            calls: [],
            version: 'v',
            pricedAtMs: 0,
          };
          expect(await other.writePricedDay({ ...lease, holder: 'b' }, day)).toBe(false);
          expect(await other.claimPricingMonth({ ...lease, holder: 'b', nowMs: 1_500 }, [W])).toEqual([{ ...mark, touchedDay: null }]);
          expect(await store.writePricedDay({ ...lease, holder: 'a', nowMs: 1_600 }, day)).toBe(false);
          // A refused write leaves the marks as they were.
          expect(await store.pricingDirty()).toEqual([{ ...mark, touchedDay: null }]);
          expect(await other.writePricedDay({ ...lease, holder: 'b', nowMs: 1_600 }, day)).toBe(true);
          expect(await store.pricingDirty()).toEqual([{ ...mark, fromDay: '2026-02-04', touchedDay: null }]);
          // Given back, the month can be claimed by a at once (b's lease would otherwise run until 2_100).
          await other.finishPricingMonth({ ...lease, holder: 'b' });
          expect(await store.claimPricingMonth({ ...lease, holder: 'a', nowMs: 1_700 }, [W])).not.toBeNull();
        } finally {
          await other.close();
          await store.close();
        }
      });

      it("narrows a month's marks day by day to the first day something touched since the claim, and clears them past its end", async () => {
        const store = await openPriced();
        try {
          const lease = { portfolioId: 'PF', month: '2026-02', holder: 'a', nowMs: 0, leaseMs: 1_000 };
          const write = (day: string) =>
            store.writePricedDay(lease, {
              day,
              wabaIds: [W],
              kinds: ['usage', 'calls'],
              pricing: [],
              dims: { country: [], phone: [], group: [] },
              calls: [],
              version: 'v',
              pricedAtMs: 0,
            });
          const marks = async () => (await store.pricingDirty()).map((m) => [m.month, m.fromDay, m.touchedDay]);
          await deliver(store, '2026-02-03', AT, 3);
          await deliver(store, '2026-03-02', AT, 1);
          expect(await marks()).toEqual([
            ['2026-02', '2026-02-03', '2026-02-03'],
            ['2026-03', '2026-03-02', '2026-03-02'],
          ]);
          expect((await store.claimPricingMonth(lease, [W]))?.map((m) => [m.month, m.fromDay, m.touchedDay])).toEqual([
            ['2026-02', '2026-02-03', null],
          ]);
          // Nothing touched since the claim: written day 3, the month is exact up to it.
          expect(await write('2026-02-03')).toBe(true);
          expect(await marks()).toEqual([
            ['2026-02', '2026-02-04', null],
            ['2026-03', '2026-03-02', '2026-03-02'],
          ]);
          // A webhook for day 10: from_day stays at the earlier day 4, touched_day is 10.
          await deliver(store, '2026-02-10', AT, 1);
          expect((await marks())[0]).toEqual(['2026-02', '2026-02-04', '2026-02-10']);
          await write('2026-02-04');
          expect((await marks())[0]).toEqual(['2026-02', '2026-02-05', '2026-02-10']);
          // Day 10 written from a read that did not see its webhook: still dirty from day 10, and so every later day.
          await write('2026-02-10');
          expect((await marks())[0]).toEqual(['2026-02', '2026-02-10', '2026-02-10']);
          await write('2026-02-20');
          expect((await marks())[0]).toEqual(['2026-02', '2026-02-10', '2026-02-10']);
          // A late event for day 1 takes the mark back to it.
          await deliver(store, '2026-02-01', AT, 1);
          expect((await marks())[0]).toEqual(['2026-02', '2026-02-01', '2026-02-01']);
          // A new claim begins a new read; the month's last day written with nothing touched clears it (March stays).
          expect((await store.claimPricingMonth(lease, [W]))?.map((m) => m.fromDay)).toEqual(['2026-02-01']);
          await write('2026-02-28');
          expect(await marks()).toEqual([['2026-03', '2026-03-02', '2026-03-02']]);
        } finally {
          await store.close();
        }
      });

      it("keeps a day written with its usage owed dirty from that day, for the usage, through the month's last day", async () => {
        const store = await openPriced();
        try {
          const lease = { portfolioId: 'PF', month: '2026-02', holder: 'a', nowMs: 0, leaseMs: 1_000 };
          const write = (day: string, kinds: readonly ('usage' | 'calls')[], owed: readonly ('usage' | 'calls')[]) =>
            store.writePricedDay(lease, {
              day,
              wabaIds: [W],
              kinds,
              owed,
              pricing: [],
              dims: { country: [], phone: [], group: [] },
              calls: [],
              version: 'v',
              pricedAtMs: 0,
            });
          const marks = async () => (await store.pricingDirty()).map((m) => [m.month, m.fromDay, m.touchedDay, m.kinds]);
          await deliver(store, '2026-02-03', AT, 3);
          // A new pricing version marks the month for both kinds, as a price file does.
          expect(await store.ensurePricingVersion('v')).toBe(true);
          expect((await store.claimPricingMonth(lease, [W]))?.map((m) => [m.fromDay, m.touchedDay, m.kinds])).toEqual([
            ['2026-02-03', null, ['usage', 'calls']],
          ]);
          // Day 3's calls written, its usage owed: marked as an ingest on day 3 would mark it, nothing having touched the month since the claim.
          expect(await write('2026-02-03', ['calls'], ['usage'])).toBe(true);
          expect(await marks()).toEqual([['2026-02', '2026-02-03', '2026-02-03', ['usage', 'calls']]]);
          // The month's last day written whole: it owes what was marked since the claim, the usage from day 3.
          expect(await write('2026-02-28', ['usage', 'calls'], [])).toBe(true);
          expect(await marks()).toEqual([['2026-02', '2026-02-03', '2026-02-03', ['usage']]]);
          // Without the owed kind the same two writes clear the month.
          expect((await store.claimPricingMonth(lease, [W]))?.map((m) => m.fromDay)).toEqual(['2026-02-03']);
          expect(await write('2026-02-03', ['usage', 'calls'], [])).toBe(true);
          expect(await write('2026-02-28', ['usage', 'calls'], [])).toBe(true);
          expect(await marks()).toEqual([]);
        } finally {
          await store.close();
        }
      });

      it('finishes a month that receives webhooks for its last day between every day the re-pricer writes', async () => {
        const store = await openPriced();
        try {
          await deliver(store, '2026-02-03', AT, 8);
          await deliver(store, '2026-02-05', AT, 5);
          await deliver(store, '2026-02-28', AT, 1);
          // One webhook for the month's last day, 2026-02-28, after every day written but the month's last.
          const between: string[] = [];
          const r = new Repricer({
            store,
            wabas,
            holder: 'live',
            loadBook: async () => (await loadPriceBook(store)).book,
            betweenDays: async (day) => {
              between.push(day);
              await deliver(store, '2026-02-28', BE, 1);
            },
          });
          // Pass 1 writes days 3 to 27 with a webhook after each (25), then finds day 28 moved under it: its usage stays
          // owed and the pass ends the month there. The month is left dirty from day 28 only, for the usage, and the 27
          // days before it are what the query-time path gives.
          expect(await r.runOnce()).toBe(1);
          expect(between).toHaveLength(25);
          expect(between[0]).toBe('2026-02-03');
          expect(between[24]).toBe('2026-02-27');
          expect((await store.pricingDirty()).map((m) => [m.month, m.fromDay, m.kinds])).toEqual([['2026-02', '2026-02-28', ['usage']]]);
          await expectStoredAsQueryTime(store, wabas, { fromDay: '2026-02-01', toDay: '2026-02-27' }, 0);
          // Pass 2 writes day 28 alone (no day follows, so no webhook lands inside it) and the month is clean.
          expect(await r.runOnce()).toBe(1);
          expect(between).toHaveLength(25);
          expect(await store.pricingDirty()).toEqual([]);
          // Day 3: 8 at 0.0100 = 80000; day 5: units 9-13, 2 at 0.0100 + 3 at 0.0010 = 23000; day 28: 1 AT + 25 BE,
          // units 14-39 at 0.0010 = 26000 micro-USD.
          expect(await costsByDay(store)).toEqual({
            '2026-02-03': [8, 8, 80_000n],
            '2026-02-05': [5, 5, 23_000n],
            '2026-02-28': [26, 26, 26_000n],
          });
          await expectStoredAsQueryTime(store, wabas, { fromDay: '2026-02-01', toDay: '2026-02-28' }, 0);
        } finally {
          await store.close();
        }
      });

      it('re-dirties a month from the day of a late event that lands during a pass, and re-prices it from there', async () => {
        const store = await openPriced();
        try {
          await deliver(store, '2026-02-03', AT, 8);
          await deliver(store, '2026-02-05', AT, 5);
          let late = true;
          const r = new Repricer({
            store,
            wabas,
            holder: 'live',
            loadBook: async () => (await loadPriceBook(store)).book,
            betweenDays: async () => {
              // Once, after day 3 is written: 4 messages for day 2, before the first day the pass writes.
              if (late) await deliver(store, '2026-02-02', AT, 4);
              late = false;
            },
          });
          // Pass 1 writes days 3 to 28 from a read without day 2: none of them is exact any more.
          expect(await r.runOnce()).toBe(1);
          expect((await store.pricingDirty()).map((m) => [m.month, m.fromDay])).toEqual([['2026-02', '2026-02-02']]);
          expect(await costsByDay(store)).toEqual({ '2026-02-03': [8, 8, 80_000n], '2026-02-05': [5, 5, 23_000n] });
          expect(await r.runOnce()).toBe(1);
          expect(await store.pricingDirty()).toEqual([]);
          // Day 2: 4 at 0.01 = 40000; day 3: units 5-12, 6 at 0.01 + 2 at 0.001 = 62000; day 5: units 13-17 at 0.001 = 5000.
          expect(await costsByDay(store)).toEqual({
            '2026-02-02': [4, 4, 40_000n],
            '2026-02-03': [8, 8, 62_000n],
            '2026-02-05': [5, 5, 5_000n],
          });
          await expectStoredAsQueryTime(store, wabas, { fromDay: '2026-02-01', toDay: '2026-02-28' }, 0);
        } finally {
          await store.close();
        }
      });
    });
  });
}
