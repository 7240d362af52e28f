/**
 * The monthly reconciliation's figures, differences, order and problems on both stores, worked out by
 * hand from the invented USD card (Brazil utility 0.0072, Brazil marketing 0.0625, India marketing
 * 0.0131), Meta rows and invoices written in the test.
 */
import { reconciliationQuery } from '@contract';
import { BR, QUERY_ENGINES, PMP, delivered, openQueryFixture, type QueryFixture } from '../../../tests/helpers/query-fixture';
import { monthlyReconciliation } from './monthly-reconciliation';
import type { WabaInfo } from './query-context';

jest.setTimeout(60_000);

const WA: WabaInfo = { id: 'WA', name: 'A', timezone: 'UTC', currencies: [{ from: '', code: 'USD' }], portfolio: 'P1' };
// Billed in USD, then in BRL from 2026-04-16: April has both, USD first.
const WB: WabaInfo = {
  id: 'WB',
  name: 'B',
  timezone: 'UTC',
  currencies: [
    { from: '', code: 'USD' },
    { from: '2026-04-16', code: 'BRL' },
  ],
  portfolio: 'P2',
};
const IN = '919812340001';

/**
 * WA: a1 04-20 utility to Brazil 0.0072, a2 04-21 marketing to Brazil 0.0625 (April: 0.0697); a3 05-02 utility
 *   to Brazil 0.0072 (May); a4 06-01 utility to Brazil (June: outside a range that ends 05-31).
 * WB: b1 04-10 marketing to India 0.0131 (a USD day); b2 05-03 category "zeta_new" (unknown: counted, no cost).
 */
const events = [
  ...delivered('WA', 'P', 'a1', '2026-04-20T09:00:00Z', BR, PMP('utility')),
  ...delivered('WA', 'P', 'a2', '2026-04-21T09:00:00Z', BR, PMP('marketing')),
  ...delivered('WA', 'P', 'a3', '2026-05-02T09:00:00Z', BR, PMP('utility')),
  ...delivered('WA', 'P', 'a4', '2026-06-01T09:00:00Z', BR, PMP('utility')),
  ...delivered('WB', 'Q', 'b1', '2026-04-10T09:00:00Z', IN, PMP('marketing')),
  ...delivered('WB', 'Q', 'b2', '2026-05-03T09:00:00Z', BR, PMP('zeta_new')),
];

const pulled = (wabaId: string, day: string, costMicros: bigint | null, currency: string) => ({
  day,
  wabaId,
  phoneNumberId: null,
  country: 'BR',
  category: 'marketing' as const,
  pricingType: 'regular' as const,
  tier: null,
  volume: 1,
  costMicros,
  currency,
});

const none = {
  metaCost: null,
  invoiceAmount: null,
  estimateVsMeta: null,
  estimateVsMetaPct: null,
  estimateVsInvoice: null,
  estimateVsInvoicePct: null,
  metaVsInvoice: null,
  metaVsInvoicePct: null,
  consolidating: false,
};

describe.each(QUERY_ENGINES)('monthlyReconciliation on $name', (engine) => {
  engine.describe(`the monthly reconciliation (${engine.name})`, () => {
    let fx: QueryFixture;
    beforeAll(async () => {
      // A clock long after both months: nothing consolidating.
      fx = await openQueryFixture(engine, [WA, WB], events, Date.parse('2026-06-20T00:00:00Z'));
      // Meta: WA April 0.06 USD plus a row whose COST Meta withheld; WB April 2 EUR (not a currency WB is billed in).
      await fx.store.replaceDays(
        'WA',
        'meta_pricing',
        ['2026-04-20', '2026-04-21'],
        { pricing: [pulled('WA', '2026-04-20', 60_000n, 'USD'), pulled('WA', '2026-04-21', null, 'USD')] },
        { lastCompleteDay: '2026-04-30' },
      );
      await fx.store.replaceDays(
        'WB',
        'meta_pricing',
        ['2026-04-12'],
        { pricing: [pulled('WB', '2026-04-12', 2_000_000n, 'EUR')] },
        { lastCompleteDay: '2026-04-30' },
      );
      // WB: Meta withheld the COST of a May message row and of an April calls row. The calls are read after the
      // messages, so the months come in May, April order and must be reported April first.
      await fx.store.replaceDays(
        'WB',
        'meta_pricing',
        ['2026-05-03'],
        { pricing: [pulled('WB', '2026-05-03', null, 'USD')] },
        { lastCompleteDay: '2026-05-31' },
      );
      await fx.store.replaceDays(
        'WB',
        'meta_calls',
        ['2026-04-12'],
        {
          calls: [
            {
              day: '2026-04-12',
              wabaId: 'WB',
              phoneNumberId: null,
              country: 'BR',
              direction: 'business_initiated',
              count: 1,
              costMicros: null,
              averageDurationSec: 40,
              currency: 'USD',
            },
          ],
        },
        { lastCompleteDay: '2026-05-31' },
      );
      // Invoices: WA April 0.07 USD, WA May 0.008 USD; WB April 1.5 BRL.
      await fx.store.saveInvoices([
        { wabaId: 'WA', month: '2026-04', currency: 'USD', amountMicros: 70_000n, source: 'api', enteredAtMs: 0 },
        { wabaId: 'WA', month: '2026-05', currency: 'USD', amountMicros: 8_000n, source: 'api', enteredAtMs: 0 },
        { wabaId: 'WB', month: '2026-04', currency: 'BRL', amountMicros: 1_500_000n, source: 'api', enteredAtMs: 0 },
      ]);
    });
    afterAll(async () => {
      await fx?.close();
    });

    const query = (extra: Record<string, string> = {}) =>
      monthlyReconciliation(fx.ctx, reconciliationQuery.parse({ from: '2026-04-15', to: '2026-05-31', interval: 'month', ...extra }));

    it('puts the three sides of each WABA and month side by side, differences and percentages by hand', async () => {
      const res = await query();
      expect(res.rows.map(({ time: _t, ...r }) => r)).toEqual([
        {
          ...none,
          month: '2026-04',
          wabaId: 'WA',
          currency: 'USD',
          estimateCost: '0.0697', // 0.0072 + 0.0625
          metaCost: '0.06', // the withheld row adds nothing
          invoiceAmount: '0.07',
          estimateVsMeta: '0.0097',
          estimateVsMetaPct: 16.17, // 0.0097 / 0.06 = 16.1666 %
          estimateVsInvoice: '-0.0003',
          estimateVsInvoicePct: -0.43, // -0.0003 / 0.07 = -0.4285 %
          metaVsInvoice: '-0.01',
          metaVsInvoicePct: -14.29, // -0.01 / 0.07 = -14.2857 %
        },
        // WB in April: its USD estimate (b1, a USD day), then its BRL invoice (the currency it switched to), then
        // Meta's EUR figure, a currency WB is not billed in, last (alphabetically it would come between the two).
        { ...none, month: '2026-04', wabaId: 'WB', currency: 'USD', estimateCost: '0.0131' },
        { ...none, month: '2026-04', wabaId: 'WB', currency: 'BRL', estimateCost: null, invoiceAmount: '1.5' },
        { ...none, month: '2026-04', wabaId: 'WB', currency: 'EUR', estimateCost: null, metaCost: '2' },
        // 0.0072 - 0.008 = -0.0008, which is -10 % of 0.008.
        {
          ...none,
          month: '2026-05',
          wabaId: 'WA',
          currency: 'USD',
          estimateCost: '0.0072',
          invoiceAmount: '0.008',
          estimateVsInvoice: '-0.0008',
          estimateVsInvoicePct: -10,
        },
        // WB's May has only b2, counted but not priced: no figure on any side, so no row; June (a4) is outside.
      ]);
      expect(res.problems).toEqual([
        {
          code: 'meta_cost_withheld',
          message: "WABA WA 2026-04: Meta reported some rows without COST (partner credit line); Meta's figure covers the others only",
        },
        {
          code: 'unknown_category',
          message: 'WABA WB: 1 delivered message(s) in category "zeta_new" that waspend does not know: counted, not priced',
        },
        {
          code: 'meta_cost_withheld',
          message: "WABA WB 2026-04: Meta reported some rows without COST (partner credit line); Meta's figure covers the others only",
        },
        {
          code: 'meta_cost_withheld',
          message: "WABA WB 2026-05: Meta reported some rows without COST (partner credit line); Meta's figure covers the others only",
        },
        {
          code: 'currency_mismatch',
          message:
            'WABA WB 2026-04: a figure in EUR for a WABA priced in USD and BRL is shown on its own row, never compared across currencies',
        },
      ]);
    });

    it('answers one WABA alone when asked', async () => {
      expect((await query({ waba: 'WB' })).rows.map((r) => [r.month, r.currency, r.estimateCost, r.metaCost, r.invoiceAmount])).toEqual([
        ['2026-04', 'USD', '0.0131', null, null],
        ['2026-04', 'BRL', null, null, '1.5'],
        ['2026-04', 'EUR', null, '2', null],
      ]);
    });

    it('refuses filters and a category split with the exact field, value and reason', async () => {
      await expect(query({ phone: 'P1,P2' })).rejects.toMatchObject({
        field: 'phone',
        value: 'P1,P2',
        reason: 'cannot filter interval=month: an invoice is one total per WABA and month (only waba applies)',
      });
      await expect(query({ group: 'promo' })).rejects.toMatchObject({ field: 'group', value: 'promo' });
      await expect(query({ category: 'marketing' })).rejects.toMatchObject({ field: 'category', value: 'marketing' });
      await expect(query({ by: 'category' })).rejects.toMatchObject({
        field: 'by',
        value: 'category',
        reason: 'is not available with interval=month: an invoice has no category split',
      });
      // A WABA that is not configured (a stale dashboard variable) gives no rows rather than an error.
      expect((await query({ waba: 'W_GONE' })).rows).toEqual([]);
    });
  });
});
