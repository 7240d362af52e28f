/**
 * Usage answered from the stored priced rollups (stored-pricing.ts, `readPricedRollups`) over a month
 * boundary, on both stores: each month read once, from its own first day or the range's; a month with
 * a dirty mark priced at query time beside a clean one read from the tables. Figures by hand from the
 * invented USD card (Brazil utility 0.0072, marketing 0.0625).
 */
import { usageQuery } from '@contract';
import fs from 'node:fs';
import path from 'node:path';
import {
  BR,
  UTC_WABA as W,
  QUERY_ENGINES,
  PMP,
  delivered,
  openQueryFixture,
  type QueryFixture,
} from '../../../tests/helpers/query-fixture';
import { watchedStore } from '../../../tests/helpers/watched-store';
import { importRateFile, loadPriceBook } from '../runtime/price-files';
import { PRICED_DIMENSIONS } from '../store';
import type { WabaInfo } from './query-context';
import { Repricer } from './re-pricer';
import { usageSeries } from './usage-series';

jest.setTimeout(60_000);

const USD_TIERS = fs.readFileSync(path.join(__dirname, '../../../tests/fixtures/ratecards/usd-tiers-2026-04-invented.csv'), 'utf8');

/**
 * m1 04-29 utility (PA) 0.0072; m2 05-02 marketing (PB) 0.0625; m3 05-03 utility (PA) 0.0072;
 * f1 02-20 utility (PA), before the card (in force from 03-01): stored with a pricing problem.
 */
const events = [
  ...delivered('W1', 'PA', 'm1', '2026-04-29T09:00:00Z', BR, PMP('utility')),
  ...delivered('W1', 'PB', 'm2', '2026-05-02T09:00:00Z', BR, PMP('marketing')),
  ...delivered('W1', 'PA', 'm3', '2026-05-03T09:00:00Z', BR, PMP('utility')),
  ...delivered('W1', 'PA', 'f1', '2026-02-20T09:00:00Z', BR, PMP('utility')),
];

describe.each(QUERY_ENGINES)('stored priced rollups on $name', (engine) => {
  engine.describe(`usage from the stored rollups (${engine.name})`, () => {
    let fx: QueryFixture;
    beforeAll(async () => {
      fx = await openQueryFixture(engine, [W], events);
      const { store, ctx } = fx;
      await new Repricer({
        store,
        wabas: ctx.wabas,
        holder: 'test',
        loadBook: async () => (await loadPriceBook(store)).book,
      }).runToCompletion();
      ctx.readPricedRollups = true;
    });
    afterAll(async () => {
      await fx?.close();
    });

    const rowsOf = async (params: Record<string, string>) =>
      (await usageSeries(fx.ctx, usageQuery.parse({ from: '2026-04-20', to: '2026-05-10', ...params }))).rows.map(
        ({ time: _t, currency: _c, ...r }) => r,
      );

    it('reads each month of a range that crosses a month end once', async () => {
      expect(await rowsOf({ by: 'category' })).toEqual([
        { bucket: '2026-04-29', category: 'utility', messages: 1, billable: 1, cost: '0.0072' },
        { bucket: '2026-05-02', category: 'marketing', messages: 1, billable: 1, cost: '0.0625' },
        { bucket: '2026-05-03', category: 'utility', messages: 1, billable: 1, cost: '0.0072' },
      ]);
      expect(await rowsOf({ by: 'phone', interval: 'month' })).toEqual([
        { bucket: '2026-04', phoneNumberId: 'PA', messages: 1, billable: 1, cost: '0.0072' },
        { bucket: '2026-05', phoneNumberId: 'PA', messages: 1, billable: 1, cost: '0.0072' },
        { bucket: '2026-05', phoneNumberId: 'PB', messages: 1, billable: 1, cost: '0.0625' },
      ]);
      // No message has a group: the stored grain keeps none as '', which the answer gives as null.
      expect(await rowsOf({ by: 'group', interval: 'month' })).toEqual([
        { bucket: '2026-04', group: null, messages: 1, billable: 1, cost: '0.0072' },
        { bucket: '2026-05', group: null, messages: 2, billable: 2, cost: '0.0697' }, // 0.0625 + 0.0072
      ]);
    });

    it("answers a clean month whose stored rows have a pricing problem from the tables, the problem in core's own words", async () => {
      const feb = async (by: string, interval: string) => {
        const res = await usageSeries(fx.ctx, usageQuery.parse({ from: '2026-02-01', to: '2026-02-28', by, interval }));
        return { by, interval, rows: res.rows.map((r) => [r.bucket, r.messages, r.billable, r.cost]), problems: res.problems };
      };
      const problems = [{ code: 'no_rate_card', message: 'No USD rate card per message in force on 2026-02-20' }];
      for (const by of ['', 'phone'])
        for (const interval of ['day', 'month'])
          expect(await feb(by, interval)).toEqual({
            by,
            interval,
            rows: [[interval === 'day' ? '2026-02-20' : '2026-02', 1, 1, null]],
            problems,
          });
      // The finer grain is still read from its table: its Feb 20 row rewritten with 7 messages shows in the panels
      // by phone, daily and monthly, while the pricing grain (not rewritten) counts 1, and the problem stays.
      const { store } = fx;
      const day = '2026-02-20';
      const lease = { portfolioId: 'P1', month: '2026-02', holder: 'tamper', nowMs: Date.now(), leaseMs: 60_000 };
      expect(await store.claimPricingMonth(lease, ['W1'])).toEqual([]);
      const pricing = await store.pricedUsage({ fromDay: day, toDay: day });
      const dims = Object.fromEntries(
        await Promise.all(
          PRICED_DIMENSIONS.map(async (d) => [
            d,
            (await store.pricedUsageBy(d, { fromDay: day, toDay: day })).map((r) => (d === 'phone' ? { ...r, messages: 7 } : r)),
          ]),
        ),
      );
      const version = pricing[0]?.version as string;
      expect(
        await store.writePricedDay(lease, {
          day,
          wabaIds: ['W1'],
          kinds: ['usage'],
          pricing,
          dims: dims as never,
          calls: [],
          version,
          pricedAtMs: 0,
        }),
      ).toBe(true);
      await store.finishPricingMonth(lease);
      for (const interval of ['day', 'month']) {
        const bucket = interval === 'day' ? day : '2026-02';
        expect(await feb('phone', interval)).toEqual({ by: 'phone', interval, rows: [[bucket, 7, 1, null]], problems });
        expect(await feb('', interval)).toEqual({ by: '', interval, rows: [[bucket, 1, 1, null]], problems });
      }
    });

    it('prices at query time when the stored rows were written under another configuration (a changed currency)', async () => {
      // The same WABA now billed in BRL, for which no card is imported: its rows are BRL, unpriced, each day named.
      const brl: WabaInfo = { ...W, currencies: [{ from: '', code: 'BRL' }] };
      const res = await usageSeries(
        { ...fx.ctx, wabas: new Map([[W.id, brl]]) },
        usageQuery.parse({ from: '2026-04-20', to: '2026-05-10', interval: 'month' }),
      );
      expect(res.rows.map((r) => [r.bucket, r.currency, r.messages, r.billable, r.cost])).toEqual([
        ['2026-04', 'BRL', 1, 1, null],
        ['2026-05', 'BRL', 2, 2, null],
      ]);
      expect(res.problems).toEqual(
        ['2026-04-29', '2026-05-02', '2026-05-03'].map((day) => ({
          code: 'no_rate_card',
          message: `No BRL rate card per message in force on ${day}`,
        })),
      );
    });

    it('keeps a direction filter on stored rows (which carry no direction of their own)', async () => {
      expect(await rowsOf({ direction: 'business_initiated', interval: 'month' })).toEqual([
        { bucket: '2026-04', messages: 1, billable: 1, cost: '0.0072' },
        { bucket: '2026-05', messages: 2, billable: 2, cost: '0.0697' }, // 0.0625 + 0.0072
      ]);
      expect(await rowsOf({ direction: 'user_initiated', interval: 'month' })).toEqual([]);
    });

    it('prices a month with a dirty mark at query time beside a clean one from the tables', async () => {
      // m4 05-04 utility (PB) 0.0072 marks May dirty; the re-pricer does not run again. The last test: it adds m4.
      await fx.store.ingest(delivered('W1', 'PB', 'm4', '2026-05-04T09:00:00Z', BR, PMP('utility')), 0);
      expect(await rowsOf({ interval: 'month' })).toEqual([
        { bucket: '2026-04', messages: 1, billable: 1, cost: '0.0072' },
        { bucket: '2026-05', messages: 3, billable: 3, cost: '0.0769' }, // 0.0625 + 0.0072 + 0.0072
      ]);
      expect(await rowsOf({ by: 'phone', interval: 'month' })).toEqual([
        { bucket: '2026-04', phoneNumberId: 'PA', messages: 1, billable: 1, cost: '0.0072' },
        { bucket: '2026-05', phoneNumberId: 'PA', messages: 1, billable: 1, cost: '0.0072' },
        { bucket: '2026-05', phoneNumberId: 'PB', messages: 2, billable: 2, cost: '0.0697' }, // 0.0625 + 0.0072
      ]);
    });
  });
});

/**
 * A month under steady webhooks is dirty from today only: a finer grain reads its stored days before
 * the first dirty one and allocates only the days from it, priced on the tiers the stored days
 * reached. Brazil utility tiers (invented): 0.0072 for the month's first 50 messages, 0.0064 after.
 * t1..t50 05-02 utility (PA), stored; n1, n2 05-04 utility (PB) after the re-pricing: the 51st and
 * 52nd of the month, 2 x 0.0064.
 */
describe.each(QUERY_ENGINES)('a dirty month from its first dirty day on $name', (engine) => {
  engine.describe(`stored days before the mark, allocated days from it (${engine.name})`, () => {
    let fx: QueryFixture;
    beforeAll(async () => {
      const fifty = Array.from({ length: 50 }, (_, i) =>
        delivered('W1', 'PA', `t${i + 1}`, `2026-05-02T09:${String(i).padStart(2, '0')}:00Z`, BR, PMP('utility')),
      ).flat();
      fx = await openQueryFixture(engine, [W], fifty);
      const { store, ctx } = fx;
      await importRateFile(
        store,
        { kind: 'tiers', text: USD_TIERS, currency: 'USD', effectiveFrom: '2026-03-01', fileName: 'tiers.csv' },
        0,
      );
      const book = (await loadPriceBook(store)).book;
      ctx.priceBook = () => book;
      await new Repricer({ store, wabas: ctx.wabas, holder: 'test', loadBook: async () => book }).runToCompletion();
      await store.ingest(
        [
          ...delivered('W1', 'PB', 'n1', '2026-05-04T09:00:00Z', BR, PMP('utility')),
          ...delivered('W1', 'PB', 'n2', '2026-05-04T10:00:00Z', BR, PMP('utility')),
        ],
        0,
      );
    });
    afterAll(async () => {
      await fx?.close();
    });

    it('gives the query-time answer, reading the fine rollup from the dirty day only', async () => {
      expect((await fx.store.pricingDirty()).map((m) => [m.month, m.fromDay])).toEqual([['2026-05', '2026-05-04']]);
      const fineReads: string[] = [];
      const storedReads: string[] = [];
      const store = fx.store;
      const spied = watchedStore(store, (method, args) => {
        const range = (method === 'pricedUsageTotals' ? args[1] : args[0]) as { fromDay: string; toDay: string };
        if (method === 'usageDaily') fineReads.push(`${range.fromDay}..${range.toDay}`);
        if (method === 'pricedUsageTotals') storedReads.push(`${range.fromDay}..${range.toDay}`);
      });
      const q = usageQuery.parse({ from: '2026-05-01', to: '2026-05-31', by: 'phone' });
      const stored = await usageSeries({ ...fx.ctx, store: spied, readPricedRollups: true }, q);
      const rows = stored.rows.map(({ time: _t, currency: _c, ...r }) => r);
      expect(rows).toEqual([
        { bucket: '2026-05-02', phoneNumberId: 'PA', messages: 50, billable: 50, cost: '0.36' }, // 50 x 0.0072
        { bucket: '2026-05-04', phoneNumberId: 'PB', messages: 2, billable: 2, cost: '0.0128' }, // 2 x 0.0064
      ]);
      // The range is cut to the data (05-02..05-04): the stored days 05-02..05-03, the fine rollup of 05-04 only.
      expect({ fineReads, storedReads }).toEqual({ fineReads: ['2026-05-04..2026-05-04'], storedReads: ['2026-05-02..2026-05-03'] });
      // Priced wholly at query time (from the month's first day, the fine rollup from it): the same answer.
      expect(await usageSeries({ ...fx.ctx, readPricedRollups: false }, q)).toEqual(stored);
    });

    it('by month: the stored days before the mark come summed in one read, the days from it by day, in one bucket', async () => {
      const storedReads: unknown[] = [];
      const spied = watchedStore(fx.store, (method, args) => {
        if (method === 'pricedUsageTotals') {
          const { fromDay, toDay, sumDays } = args[1] as { fromDay: string; toDay: string; sumDays?: boolean };
          storedReads.push({ fromDay, toDay, sumDays });
        }
      });
      const q = usageQuery.parse({ from: '2026-05-01', to: '2026-05-31', by: 'phone', interval: 'month' });
      const stored = await usageSeries({ ...fx.ctx, store: spied, readPricedRollups: true }, q);
      expect(stored.rows.map(({ time: _t, currency: _c, ...r }) => r)).toEqual([
        { bucket: '2026-05', phoneNumberId: 'PA', messages: 50, billable: 50, cost: '0.36' }, // 50 x 0.0072, stored
        { bucket: '2026-05', phoneNumberId: 'PB', messages: 2, billable: 2, cost: '0.0128' }, // 2 x 0.0064, allocated
      ]);
      expect(storedReads).toEqual([{ fromDay: '2026-05-02', toDay: '2026-05-03', sumDays: true }]);
      expect(await usageSeries({ ...fx.ctx, readPricedRollups: false }, q)).toEqual(stored);
    });
  });
});

/**
 * Two WABAs of one portfolio marked dirty from different days of May: W1 (listed first by the store)
 * from 05-20, W2 from 05-04. The stored days end before the earlier mark, whichever WABA holds it.
 * Before the marks: g1 05-01 PA utility to Germany (the card has no Germany rate: a gap on the
 * month's first day), a1 05-02 PA utility to Brazil 0.0072, b1 05-03 PC marketing to Brazil 0.0625,
 * g2 05-03 PC marketing to Germany (a second gap, on the last day before the marks). Late: b2 05-04
 * PC utility 0.0072 (W2), a2 05-20 PA utility 0.0072 (W1).
 */
describe.each(QUERY_ENGINES)('dirty marks of several WABAs on $name', (engine) => {
  engine.describe(`the earliest mark of the portfolio bounds the stored days (${engine.name})`, () => {
    const DE = '4915112345678';
    const W2: WabaInfo = { ...W, id: 'W2', name: 'Two' };
    let fx: QueryFixture;
    beforeAll(async () => {
      fx = await openQueryFixture(
        engine,
        [W, W2],
        [
          ...delivered('W1', 'PA', 'g1', '2026-05-01T10:00:00Z', DE, PMP('utility')),
          ...delivered('W1', 'PA', 'a1', '2026-05-02T09:00:00Z', BR, PMP('utility')),
          ...delivered('W2', 'PC', 'b1', '2026-05-03T09:00:00Z', BR, PMP('marketing')),
          ...delivered('W2', 'PC', 'g2', '2026-05-03T10:00:00Z', DE, PMP('marketing')),
        ],
      );
      const { store, ctx } = fx;
      await new Repricer({ store, wabas: ctx.wabas, holder: 'test', loadBook: async () => ctx.priceBook() }).runToCompletion();
      await store.ingest(
        [
          ...delivered('W2', 'PC', 'b2', '2026-05-04T09:00:00Z', BR, PMP('utility')),
          ...delivered('W1', 'PA', 'a2', '2026-05-20T09:00:00Z', BR, PMP('utility')),
        ],
        0,
      );
    });
    afterAll(async () => {
      await fx?.close();
    });

    const both = async (params: Record<string, string>) => {
      const q = usageQuery.parse(params);
      const stored = await usageSeries({ ...fx.ctx, readPricedRollups: true }, q);
      // Priced wholly at query time: the same answer.
      expect(await usageSeries({ ...fx.ctx, readPricedRollups: false }, q)).toEqual(stored);
      return { rows: stored.rows.map(({ time: _t, currency: _c, ...r }) => r), problems: stored.problems };
    };
    const GAP = [
      { code: 'no_rate', message: 'The USD rate card from 2026-03-01 has no utility rate for Germany' },
      { code: 'no_rate', message: 'The USD rate card from 2026-03-01 has no marketing rate for Germany' },
    ];

    it('reads the stored days before the earlier mark (W2 05-04), not the first one listed (W1 05-20)', async () => {
      expect((await fx.store.pricingDirty()).map((m) => [m.wabaId, m.fromDay])).toEqual([
        ['W1', '2026-05-20'],
        ['W2', '2026-05-04'],
      ]);
      expect(await both({ from: '2026-05-01', to: '2026-05-31', by: 'phone' })).toEqual({
        rows: [
          { bucket: '2026-05-01', phoneNumberId: 'PA', messages: 1, billable: 1, cost: null }, // g1: no rate
          { bucket: '2026-05-02', phoneNumberId: 'PA', messages: 1, billable: 1, cost: '0.0072' },
          { bucket: '2026-05-03', phoneNumberId: 'PC', messages: 2, billable: 2, cost: '0.0625' }, // b1; g2 has no rate
          { bucket: '2026-05-04', phoneNumberId: 'PC', messages: 1, billable: 1, cost: '0.0072' },
          { bucket: '2026-05-20', phoneNumberId: 'PA', messages: 1, billable: 1, cost: '0.0072' },
        ],
        problems: GAP,
      });
    });

    it('names the gaps of the stored days, the first and the last, when the span ends before the earliest mark', async () => {
      expect(await both({ from: '2026-05-01', to: '2026-05-03', by: 'country' })).toEqual({
        rows: [
          { bucket: '2026-05-01', country: 'DE', messages: 1, billable: 1, cost: null },
          { bucket: '2026-05-02', country: 'BR', messages: 1, billable: 1, cost: '0.0072' },
          { bucket: '2026-05-03', country: 'BR', messages: 1, billable: 1, cost: '0.0625' },
          { bucket: '2026-05-03', country: 'DE', messages: 1, billable: 1, cost: null },
        ],
        problems: GAP,
      });
    });
  });
});
