/**
 * The usage series and the re-pricer's stored problem codes once Meta names the webhook value of
 * Meta Business Agent messages. No row of core's rules table names it yet (docs/pricing-rules.md),
 * so the served layer can only meet the `unpriced_per_token` problem under a rules table with one
 * more row: core's own table plus a synthetic row from 2026-11-01, in force for this file only
 * (jest.mock below), as core's h2-2026.test.ts proves the rule itself. Figures by hand from the
 * invented USD card (Brazil utility 0.0072, India marketing 0.0131).
 */
import { usageQuery } from '@contract';
import {
  BR,
  UTC_WABA as W,
  QUERY_ENGINES,
  PMP,
  delivered,
  openQueryFixture,
  type QueryFixture,
} from '../../../tests/helpers/query-fixture';
import { priceMonth } from './re-pricer';
import { usageSeries } from './usage-series';

jest.mock('../../core/rules/pricing-rules', () => {
  const actual = jest.requireActual('../../core/rules/pricing-rules');
  const named = {
    from: '2026-11-01',
    what: 'synthetic: Meta names the webhook value of Meta Business Agent messages',
    source: actual.PRICING_RULES[0].source,
    set: { metaBusinessAgent: { charged: true, webhookValue: 'meta_business_agent' } },
  };
  return { ...actual, PRICING_RULES: [...actual.PRICING_RULES, named] };
});

jest.setTimeout(60_000);

const IN = '919812340001';

/**
 * W1 (UTC), 2026-10-30: o1 "meta_business_agent" to Brazil (before the row: an unknown category).
 * W1 (UTC), 2026-11-05: a1, a2 "meta_business_agent" to Brazil (per token: counted, not priced); u1
 *   utility to Brazil 0.0072; m1 marketing to India 0.0131; z1 "zzz_new" to Brazil (unknown category);
 *   t1 utility to Brazil with pricing type "odd_type" (unknown type: not charged, not priced).
 */
const events = [
  ...delivered('W1', 'PA', 'o1', '2026-10-30T09:00:00Z', BR, PMP('meta_business_agent')),
  ...delivered('W1', 'PA', 'z1', '2026-11-05T08:00:00Z', BR, PMP('zzz_new')),
  ...delivered('W1', 'PA', 'a1', '2026-11-05T09:00:00Z', BR, PMP('meta_business_agent')),
  ...delivered('W1', 'PA', 'u1', '2026-11-05T10:00:00Z', BR, PMP('utility')),
  ...delivered('W1', 'PA', 'a2', '2026-11-05T11:00:00Z', BR, PMP('meta_business_agent')),
  ...delivered('W1', 'PA', 'm1', '2026-11-05T12:00:00Z', IN, PMP('marketing')),
  ...delivered('W1', 'PA', 't1', '2026-11-05T13:00:00Z', BR, PMP('utility', 'odd_type')),
];

describe.each(QUERY_ENGINES)('usageSeries with Meta Business Agent named, on $name', (engine) => {
  engine.describe(`Meta Business Agent per token (${engine.name})`, () => {
    let fx: QueryFixture;
    beforeAll(async () => {
      fx = await openQueryFixture(engine, [W], events, Date.parse('2026-12-01T00:00:00Z'));
    });
    afterAll(async () => {
      await fx?.close();
    });

    it('agent messages from the row on: counted and charged, not priced, one per-token problem in its own words', async () => {
      const res = await usageSeries(fx.ctx, usageQuery.parse({ from: '2026-11-05', to: '2026-11-05', waba: 'W1', by: 'category' }));
      const DAY5 = Date.parse('2026-11-05T00:00:00Z');
      const row = (category: string, messages: number, billable: number, cost: string | null) => ({
        time: DAY5,
        bucket: '2026-11-05',
        currency: 'USD',
        category,
        messages,
        billable,
        cost,
      });
      expect(res.rows).toEqual([
        row('marketing', 1, 1, '0.0131'),
        row('meta_business_agent', 2, 2, null),
        // u1 priced, t1 (unknown type) counted, neither charged nor priced: the row's cost is u1's.
        row('utility', 2, 1, '0.0072'),
        row('zzz_new', 1, 1, null),
      ]);
      // By code, then category: the three codes, each in the words of its own case.
      expect(res.problems).toEqual([
        {
          code: 'unknown_category',
          category: 'zzz_new',
          count: 1,
          message: '1 delivered message(s) in category "zzz_new" that waspend does not know: counted, not priced',
        },
        {
          code: 'unknown_pricing_type',
          category: 'utility',
          count: 1,
          message: '1 delivered utility message(s) with pricing type "odd_type" that waspend does not know: counted, not priced',
        },
        {
          code: 'unpriced_per_token',
          category: 'meta_business_agent',
          count: 2,
          message:
            '2 delivered "meta_business_agent" message(s): Meta charges them per token, which webhooks do not report: counted, not priced',
        },
      ]);
    });

    it("the re-pricer stores the same code on the agent's priced rows: per token from the row on, unknown before it", async () => {
      const agentRow = async (month: string) =>
        [...(await priceMonth(fx.store, [W], month, fx.ctx.priceBook())).values()]
          .filter((r) => r.category === 'meta_business_agent')
          .map((r) => [r.day, r.units, r.billable, r.costMicros, r.problem]);
      expect(await agentRow('2026-11')).toEqual([['2026-11-05', 2, 2, null, 'unpriced_per_token']]);
      expect(await agentRow('2026-10')).toEqual([['2026-10-30', 1, 1, null, 'unknown_category']]);
    });

    it('before the row the same value is an unknown category', async () => {
      const res = await usageSeries(fx.ctx, usageQuery.parse({ from: '2026-10-30', to: '2026-10-30', waba: 'W1', by: 'category' }));
      expect(res.problems).toEqual([
        {
          code: 'unknown_category',
          category: 'meta_business_agent',
          count: 1,
          message: '1 delivered message(s) in category "meta_business_agent" that waspend does not know: counted, not priced',
        },
      ]);
    });
  });
});
