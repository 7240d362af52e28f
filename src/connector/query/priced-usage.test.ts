/**
 * How stored rows become priced rows (priced-usage.ts), seen through the usage series on both stores:
 * Meta's pricing type is kept (a free utility message is free), a missing one is read as charged
 * (free for service), and rows of a category waspend does not know keep their phone at a finer grain.
 * Figures by hand from the invented USD card (Brazil utility 0.0072).
 */
import { usageQuery } from '@contract';
import { QUERY_ENGINES, PMP, delivered, openQueryFixture, type QueryFixture } from '../../../tests/helpers/query-fixture';
import type { WabaInfo } from './query-context';
import { usageSeries } from './usage-series';

jest.setTimeout(60_000);

const W: WabaInfo = { id: 'W1', name: 'One', timezone: 'UTC', currencies: [{ from: '', code: 'USD' }], portfolio: 'P1' };
const BR = '5511987650001';
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
  });
});

/**
 * The query-time pricing cache (priced-usage.ts `cached`): rows are reused for 2 s whatever changed, for
 * 15 s while the generation stands, at most 4 spans of the pricing grain and 1 of a finer grain are kept,
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
      // a1..a5: one utility message on each of 04-01..04-05.
      const days = ['01', '02', '03', '04', '05'];
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

    it('keeps 4 spans of the pricing grain: a fifth drops the oldest', async () => {
      freshAt(2_000_000);
      const first = await messages('01');
      let fifth = 0;
      for (const to of ['02', '03', '04', '05']) fifth = await messages(to);
      await sendOne();
      // Same instant and generation: 04-01 would still be cached, but the fifth span pushed it out.
      expect(await messages('01')).toBe(first + 1);
      // 04-05 is still cached: without the new message.
      expect(await messages('05')).toBe(fifth);
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
