/**
 * How stored rows become priced rows (priced-usage.ts), seen through the usage series on both stores:
 * Meta's pricing type is kept (a free utility message is free), a missing one is read as charged
 * (free for service), and rows of a category waspend does not know keep their phone at a finer grain.
 * Figures by hand from the invented USD card (Brazil utility 0.0072).
 */
import { priceUsage } from '@core';
import { usageQuery } from '@contract';
import fs from 'node:fs';
import path from 'node:path';
import {
  BR,
  UTC_WABA as W,
  QUERY_ENGINES,
  PMP,
  delivered,
  fixtureRepricer,
  openQueryFixture,
  terminated,
  type QueryFixture,
} from '../../../tests/helpers/query-fixture';
import { watchedStore } from '../../../tests/helpers/watched-store';
import { importRateFile, loadPriceBook } from '../runtime/price-files';
import { pricedUsage, toUsageRowKeepingUnknown } from './priced-usage';
import { usageSeries } from './usage-series';

jest.setTimeout(60_000);

const USD_TIERS = fs.readFileSync(path.join(__dirname, '../../../tests/fixtures/ratecards/usd-tiers-2026-04-invented.csv'), 'utf8');
/** Meta's pricing object without a `type` (older API versions): stored with no pricing type. */
const untyped = (category: string) => ({ pricing: { billable: true, pricing_model: 'PMP', category } });

/**
 * All on 2026-04-15 (UTC), to Brazil:
 *   PA: u1 utility, free_customer_service (free: a utility message in an open service window);
 *       u2 utility, regular (0.0072);  n1 utility without pricing type (read as regular: 0.0072);
 *       s1 service without pricing type (read as free_customer_service: free).
 *   PB: x1 "zeta_new", regular (unknown: 1 charged unit, no cost);  x2 "zeta_new", free_customer_service (Meta says
 *       free: 0 units, cost 0);  x3 "zeta_new" without pricing type (read as regular: charged, no cost).
 */
const events = [
  ...delivered('W1', 'PA', 'u1', '2026-04-15T09:00:00Z', BR, PMP('utility', 'free_customer_service')),
  ...delivered('W1', 'PA', 'u2', '2026-04-15T10:00:00Z', BR, PMP('utility')),
  ...delivered('W1', 'PA', 'n1', '2026-04-15T11:00:00Z', BR, untyped('utility')),
  ...delivered('W1', 'PA', 's1', '2026-04-15T12:00:00Z', BR, untyped('service')),
  ...delivered('W1', 'PB', 'x1', '2026-04-15T09:00:00Z', BR, PMP('zeta_new')),
  ...delivered('W1', 'PB', 'x2', '2026-04-15T10:00:00Z', BR, PMP('zeta_new', 'free_customer_service')),
  ...delivered('W1', 'PB', 'x3', '2026-04-15T11:00:00Z', BR, untyped('zeta_new')),
];

describe.each(QUERY_ENGINES)('priced rows on $name', (engine) => {
  engine.describe(`stored rows priced at query time (${engine.name})`, () => {
    let fx: QueryFixture;
    beforeAll(async () => {
      fx = await openQueryFixture(engine, [W], events);
    });
    afterAll(async () => {
      await fx?.close();
    });

    const rowsOf = async (by: string) =>
      (await usageSeries(fx.ctx, usageQuery.parse({ from: '2026-04-15', to: '2026-04-15', by }))).rows.map(
        ({ time: _t, bucket: _b, currency: _c, ...r }) => r,
      );

    it("keeps Meta's pricing type, reads a missing one as charged (free for service)", async () => {
      expect(await rowsOf('category,pricing_type')).toEqual([
        { category: 'service', pricingType: 'free_customer_service', messages: 1, billable: 0, cost: '0' },
        { category: 'utility', pricingType: 'free_customer_service', messages: 1, billable: 0, cost: '0' },
        { category: 'utility', pricingType: 'regular', messages: 2, billable: 2, cost: '0.0144' }, // u2 + n1: 2 x 0.0072
        { category: 'zeta_new', pricingType: 'free_customer_service', messages: 1, billable: 0, cost: '0' },
        { category: 'zeta_new', pricingType: 'regular', messages: 2, billable: 2, cost: null }, // x1 + x3
      ]);
    });

    it('by phone: rows of an unknown category stay with their phone', async () => {
      expect(await rowsOf('phone')).toEqual([
        { phoneNumberId: 'PA', messages: 4, billable: 2, cost: '0.0144' }, // u1 0 + u2 + n1 + s1 0
        { phoneNumberId: 'PB', messages: 3, billable: 2, cost: '0' }, // x1 and x3 unpriced, x2 priced at 0
      ]);
    });

    it('by country: the fine rollup comes summed to the country in SQL, both phones in one row per pricing-grain row', async () => {
      const keeps: unknown[] = [];
      const store = watchedStore(fx.store, (method, args) => {
        if (method === 'usageDaily') keeps.push((args[0] as { keep?: unknown }).keep);
      });
      const res = await usageSeries(
        { ...fx.ctx, store, readPricedRollups: false },
        usageQuery.parse({ from: '2026-04-15', to: '2026-04-15', by: 'country,category' }),
      );
      expect(keeps).toEqual([['country']]);
      expect(res.rows.map(({ time: _t, bucket: _b, currency: _c, ...r }) => r)).toEqual([
        { country: 'BR', category: 'service', messages: 1, billable: 0, cost: '0' }, // s1
        { country: 'BR', category: 'utility', messages: 3, billable: 2, cost: '0.0144' }, // u1 free, u2 + n1 0.0072 each
        { country: 'BR', category: 'zeta_new', messages: 3, billable: 2, cost: '0' }, // x1 + x3 unpriced, x2 priced at 0 (as by phone)
      ]);
    });

    it('hourly: a message stored without pricing type lands in its hour with the rest of its day row', async () => {
      const res = await usageSeries(
        fx.ctx,
        usageQuery.parse({ from: '2026-04-15', to: '2026-04-15', by: 'category,pricing_type', interval: 'hour' }),
      );
      // utility/regular for the day: 2 units, 0.0144, over hours 10 (u2) and 11 (n1, no stored type): 1 and 0.0072 each.
      expect(res.rows.map((r) => [r.bucket, r.category, r.pricingType, r.messages, r.billable, r.cost])).toEqual([
        ['2026-04-15T09', 'utility', 'free_customer_service', 1, 0, '0'],
        ['2026-04-15T09', 'zeta_new', 'regular', 1, 1, null],
        ['2026-04-15T10', 'utility', 'regular', 1, 1, '0.0072'],
        ['2026-04-15T10', 'zeta_new', 'free_customer_service', 1, 0, '0'],
        ['2026-04-15T11', 'utility', 'regular', 1, 1, '0.0072'],
        ['2026-04-15T11', 'zeta_new', 'regular', 1, 1, null],
        ['2026-04-15T12', 'service', 'free_customer_service', 1, 0, '0'],
      ]);
    });

    it('rows at the pricing grain share one frozen dims object per direction; a finer row has its own', async () => {
      const { rows } = await pricedUsage(fx.ctx, { fromDay: '2026-04-15', toDay: '2026-04-15' });
      const business = rows.filter((r) => r.category !== 'service');
      const service = rows.filter((r) => r.category === 'service');
      // utility and zeta_new each: free, regular, and stored without a type (one pricing-grain row per stored type).
      expect(business).toHaveLength(6);
      expect(service).toHaveLength(1);
      const shared = business[0]?.dims;
      expect(shared).toEqual({ phone: null, country: null, group: null, direction: 'business_initiated' });
      expect(Object.isFrozen(shared)).toBe(true);
      for (const r of business) expect(r.dims).toBe(shared);
      expect(service[0]?.dims).toEqual({ phone: null, country: null, group: null, direction: 'user_initiated' });
      expect(Object.isFrozen(service[0]?.dims)).toBe(true);
      expect(service[0]?.dims).not.toBe(shared);

      const grain = (await fx.store.usagePricingDaily({ fromDay: '2026-04-15', toDay: '2026-04-15' })).find(
        (r) => r.category === 'utility',
      );
      const none = { phone: null, country: null, group: null, direction: 'business_initiated' };
      for (const [field, dim] of [
        ['phoneNumberId', 'phone'],
        ['country', 'country'],
        ['group', 'group'],
      ] as const) {
        const fine = toUsageRowKeepingUnknown({ ...(grain as NonNullable<typeof grain>), [field]: 'X' }, W);
        expect(Object.isFrozen(fine.dims)).toBe(false);
        expect(fine.dims).toEqual({ ...none, [dim]: 'X' });
      }
    });
  });
});

/**
 * The query-time pricing cache (priced-usage.ts `cached`, `monthPricing`): rows are reused for 0.75 s whatever
 * changed, for 15 s while the generation stands, at most 8 months of the pricing grain and 1 span of a finer grain are kept,
 * and a failed pricing is not kept. The machine's clock (performance.now) is stubbed; the answers are
 * counts of stored messages, so a stale answer is one message short.
 */
describe.each(QUERY_ENGINES)('the query-time pricing cache on $name', (engine) => {
  engine.describe(`cache (${engine.name})`, () => {
    let fx: QueryFixture;
    let clock = 0;
    let gen = 1;
    let failPricing = false;
    let sent = 0;
    beforeAll(async () => {
      // a1..a10: one utility message on each of 04-01..04-10.
      const days = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10'];
      fx = await openQueryFixture(
        engine,
        [W],
        days.flatMap((d) => delivered('W1', 'PA', `a${d}`, `2026-04-${d}T09:00:00Z`, BR, PMP('utility'))),
      );
      const book = fx.ctx.priceBook();
      fx.ctx.priceBook = () => {
        if (failPricing) throw new Error('price book unavailable');
        return book;
      };
      fx.ctx.generation = () => gen;
      jest.spyOn(performance, 'now').mockImplementation(() => clock);
    });
    afterAll(async () => {
      jest.restoreAllMocks();
      await fx?.close();
    });

    /** Delivered messages from 04-01 to 04-`to`, by phone when `byPhone` (a finer grain). */
    const messages = async (to: string, byPhone = false) =>
      (
        await usageSeries(
          fx.ctx,
          usageQuery.parse({ from: '2026-04-01', to: `2026-04-${to}`, interval: 'month', ...(byPhone ? { by: 'phone' } : {}) }),
        )
      ).rows.reduce((n, r) => n + r.messages, 0);
    /** One more utility message on 04-01. */
    const sendOne = () => fx.store.ingest(delivered('W1', 'PA', `b${++sent}`, '2026-04-01T12:00:00Z', BR, PMP('utility')), 0);

    /** A fresh start for a test: a new generation and a clock far from any cached span. */
    const freshAt = (ms: number) => {
      gen += 1;
      clock = ms;
    };

    it('reuses a span for 0.75 s whatever changed, then for 15 s while the generation stands, and not after', async () => {
      freshAt(1_000_000);
      const n = await messages('01');
      await sendOne();
      gen += 1;
      clock = 1_000_749; // 0.749 s later: still the cached answer, though the generation moved
      expect(await messages('01')).toBe(n);
      clock = 1_000_750; // 0.75 s: the generation moved, so priced again
      expect(await messages('01')).toBe(n + 1);
      await sendOne(); // a write this connector did not count (another replica): the generation stands
      clock = 1_000_750 + 14_999;
      expect(await messages('01')).toBe(n + 1);
      clock = 1_000_750 + 15_000; // 15 s: priced again
      expect(await messages('01')).toBe(n + 2);
    });

    it("keeps 8 months' pricings of the pricing grain (a month once per last day): a ninth drops the oldest", async () => {
      freshAt(2_000_000);
      const first = await messages('01');
      let ninth = 0;
      for (const to of ['02', '03', '04', '05', '06', '07', '08', '09']) ninth = await messages(to);
      await sendOne();
      // Same instant and generation: 04-01 would still be cached, but the ninth pushed it out.
      expect(await messages('01')).toBe(first + 1);
      // April to the 9th is still cached: without the new message.
      expect(await messages('09')).toBe(ninth);
    });

    it('a finer grain keeps its own span without pushing out the pricing grain', async () => {
      freshAt(3_000_000);
      const n = await messages('01');
      await messages('02', true);
      await sendOne();
      expect(await messages('01')).toBe(n); // still cached
    });

    it('does not keep a pricing that failed', async () => {
      freshAt(4_000_000);
      const n = await messages('03');
      freshAt(4_100_000);
      failPricing = true;
      await expect(messages('03')).rejects.toThrow('price book unavailable');
      failPricing = false;
      expect(await messages('03')).toBe(n);
    });
  });
});

/**
 * The span priced month by month (`pricedUsage`) against one pricing of the whole span from its first
 * month's start, the way it was priced before: the same rows in the same order, the same problems and
 * tier counts. March: m1 03-10 utility to Brazil. April: 30 Brazil utility on 04-05 and 21 on 04-20
 * (the tier table's 50-message bound crossed on the 20th), g1 04-12 utility to Germany (no rate: a
 * gap), x1 04-13 "zeta_new" (unknown). May: 2 Brazil utility on 05-02.
 */
describe.each(QUERY_ENGINES)('the span priced month by month on $name', (engine) => {
  engine.describe(`pricedUsage (${engine.name})`, () => {
    const DE = '4915112345678';
    const brazil = (prefix: string, n: number, day: string) =>
      Array.from({ length: n }, (_, i) =>
        delivered('W1', 'PA', `${prefix}${i}`, `2026-${day}T09:${String(i).padStart(2, '0')}:00Z`, BR, PMP('utility')),
      ).flat();
    let fx: QueryFixture;
    beforeAll(async () => {
      fx = await openQueryFixture(
        engine,
        [W],
        [
          ...brazil('m', 1, '03-10'),
          ...brazil('p', 30, '04-05'),
          ...brazil('q', 21, '04-20'),
          ...delivered('W1', 'PA', 'g1', '2026-04-12T09:00:00Z', DE, PMP('utility')),
          ...delivered('W1', 'PA', 'x1', '2026-04-13T09:00:00Z', BR, PMP('zeta_new')),
          ...brazil('r', 2, '05-02'),
        ],
      );
      await importRateFile(
        fx.store,
        { kind: 'tiers', text: USD_TIERS, currency: 'USD', effectiveFrom: '2026-03-01', fileName: 'tiers.csv' },
        0,
      );
      const book = (await loadPriceBook(fx.store)).book;
      fx.ctx.priceBook = () => book;
    });
    afterAll(async () => {
      await fx?.close();
    });

    it.each([
      ['2026-03-15', '2026-05-20'],
      ['2026-04-01', '2026-04-30'],
      ['2026-04-15', '2026-04-25'],
      ['2026-05-02', '2026-05-02'],
    ])('%s..%s: the same as one pricing of the whole span', async (fromDay, toDay) => {
      const start = `${fromDay.slice(0, 7)}-01`;
      const rows = (await fx.store.usagePricingDaily({ fromDay: start, toDay })).map((r) => toUsageRowKeepingUnknown(r, W));
      const whole = priceUsage(rows, fx.ctx.priceBook());
      const parts = await pricedUsage(fx.ctx, { fromDay, toDay });
      expect(parts).toEqual(whole);
      // Asked again with no month priced since: the same object, not another copy of the rows.
      expect(await pricedUsage(fx.ctx, { fromDay, toDay })).toBe(parts);
      // The fixture reaches what it is for: a tier split, a gap and an unknown category in April.
      if (fromDay <= '2026-04-20' && toDay >= '2026-04-20') {
        expect(parts.rows.some((r) => (r.tiers?.length ?? 0) > 1)).toBe(true);
        expect(parts.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['no_rate', 'unknown_category']));
      }
    });
  });
});

/**
 * A month's pricing kept while nothing touched it (`monthPricing`), with the stored priced rollups
 * read and the re-pricer run: a webhook for April moves the generation, and March is not priced
 * again; what marks or rewrites March (a late message, cleaned by the re-pricer before the next
 * query) is seen through its stamp. The clock is stubbed; reads of the pricing grain are counted
 * per range.
 */
describe.each(QUERY_ENGINES)('a month nothing touched on $name', (engine) => {
  engine.describe(`kept across generations (${engine.name})`, () => {
    let fx: QueryFixture;
    let clock = 10_000_000;
    let gen = 1;
    let sent = 0;
    const reads: string[] = [];
    let ctx: QueryFixture['ctx'];
    beforeAll(async () => {
      fx = await openQueryFixture(
        engine,
        [W],
        [
          ...delivered('W1', 'PA', 'm1', '2026-03-10T09:00:00Z', BR, PMP('utility')),
          ...delivered('W1', 'PA', 'a1', '2026-04-05T09:00:00Z', BR, PMP('utility')),
        ],
      );
      const store = fx.store;
      const counted = watchedStore(store, (method, args) => {
        const r = args[0] as { fromDay: string; toDay: string };
        if (method === 'usagePricingDaily') reads.push(`${r.fromDay}..${r.toDay}`);
      });
      ctx = { ...fx.ctx, store: counted, readPricedRollups: true, generation: () => gen };
      jest.spyOn(performance, 'now').mockImplementation(() => clock);
      await repricer().runToCompletion();
    });
    afterAll(async () => {
      jest.restoreAllMocks();
      await fx?.close();
    });
    const repricer = () => fixtureRepricer(fx);
    const send = (iso: string) => fx.store.ingest(delivered('W1', 'PA', `n${++sent}`, iso, BR, PMP('utility')), 0);
    /** Messages priced in March and April (03-01..04-30), after the clock moves 1 s on and the generation with it. */
    const later = async () => {
      clock += 1_000;
      gen += 1;
      reads.length = 0;
      const priced = await pricedUsage(ctx, { fromDay: '2026-03-01', toDay: '2026-04-30' });
      const byMonth = (m: string) => priced.rows.filter((r) => r.day.startsWith(m)).reduce((n, r) => n + r.units, 0);
      // The months are priced side by side: their reads may start in either order.
      return { march: byMonth('2026-03'), april: byMonth('2026-04'), reads: [...reads].sort() };
    };

    it('prices again only the month a webhook marked, and a clean month whose rows were rewritten since', async () => {
      expect(await later()).toEqual({ march: 1, april: 1, reads: ['2026-03-01..2026-03-31', '2026-04-01..2026-04-30'] });
      await send('2026-04-06T09:00:00Z');
      expect(await later()).toEqual({ march: 1, april: 2, reads: ['2026-04-01..2026-04-30'] });
      // April was marked when it was priced: priced again once clean, March still kept.
      await repricer().runToCompletion();
      expect(await later()).toEqual({ march: 1, april: 2, reads: ['2026-04-01..2026-04-30'] });
      expect(await later()).toEqual({ march: 1, april: 2, reads: [] });
      // A late message for March, and the re-pricer cleans March before any query sees its mark: the stamp moved.
      await send('2026-03-11T09:00:00Z');
      await repricer().runToCompletion();
      expect(await fx.store.pricingDirty()).toEqual([]);
      expect(await later()).toEqual({ march: 2, april: 2, reads: ['2026-03-01..2026-03-31'] });
      // A call in March marks it for its calls alone: its usage pricing stays.
      await fx.store.ingest(terminated('W1', 'PA', { id: 'c1', iso: '2026-03-12T09:00:00Z', seconds: 60, user: BR }), 0);
      expect((await fx.store.pricingDirty()).map((m) => [m.month, m.kinds])).toEqual([['2026-03', ['calls']]]);
      expect(await later()).toEqual({ march: 2, april: 2, reads: [] });
      // Kept no longer than 15 s from its pricing, whatever the stamp says.
      clock += 14_000;
      expect(await later()).toEqual({ march: 2, april: 2, reads: ['2026-03-01..2026-03-31', '2026-04-01..2026-04-30'] });
    });

    it('prices a month that two queries found changed at once only once, and both get that pricing', async () => {
      // March rewritten without a query seeing its mark: both queries check its stamp, one prices it.
      await send('2026-03-13T09:00:00Z');
      await repricer().runToCompletion();
      clock += 1_000;
      gen += 1;
      reads.length = 0;
      const span = { fromDay: '2026-03-01', toDay: '2026-04-30' };
      const [a, b] = await Promise.all([pricedUsage(ctx, span), pricedUsage(ctx, span)]);
      expect(reads).toEqual(['2026-03-01..2026-03-31']);
      expect(a.rows.filter((r) => r.day.startsWith('2026-03')).reduce((n, r) => n + r.units, 0)).toBe(3);
      expect(b).toBe(a);
    });
  });
});
