/**
 * The usage series (GET /api/v1/usage) in-process on both stores: grouping, order, filters, the
 * problems for messages counted but not priced, Meta's figures, and ranges cut per WABA time zone.
 * Every figure is worked out by hand from the invented USD card: Brazil marketing 0.0625, Brazil
 * utility 0.0072, India marketing 0.0131, India utility 0.0014 (rates in force from 2026-03-01).
 */
import { usageQuery } from '@contract';
import { eventsOf, statusObject } from '../../../tests/store/store-suite';
import {
  BR,
  UTC_WABA as W,
  QUERY_ENGINES,
  PMP,
  delivered,
  openQueryFixture,
  type QueryFixture,
} from '../../../tests/helpers/query-fixture';
import type { WabaInfo } from './query-context';
import { usageSeries } from './usage-series';

jest.setTimeout(60_000);

const K: WabaInfo = { id: 'K3', name: 'Kolkata', timezone: 'Asia/Kolkata', currencies: [{ from: '', code: 'USD' }], portfolio: 'P3' };
const IN = '919812340001';
const DE = '4915112340001';
const grouped = (wamid: string, iso: string, group: string) =>
  eventsOf('W1', [
    {
      field: 'messages',
      value: {
        metadata: { phone_number_id: 'PB' },
        statuses: [statusObject(wamid, 'delivered', iso, { recipient_id: BR, biz_opaque_callback_data: group, ...PMP('marketing') })],
      },
    },
  ]);

/**
 * W1 (UTC), 2026-04-10:  e1 PA utility to Brazil 0.0072;  e2 PB marketing to Brazil 0.0625, group "promo".
 * W1 (UTC), 2026-04-11:  e3 PA marketing to India 0.0131;  e4 PA "meta_business_agent" to Brazil (unknown category,
 *   charged, not priced);  e5 PB utility to Brazil with pricing type "new_type" (unknown type: not charged, not
 *   priced);  e6 PB "zeta_new" to Brazil (unknown category).
 * W1 (UTC), February, before the card: f1 02-10 and f2 02-20 PA utility to Brazil (no rate card in force).
 * W1 (UTC), 2026-04-12: y2 PA "zzz_new"; 04-13: y1 PA utility with pricing type "other_type", y3 PA "aaa_new" to
 *   India (unknown ones met in an order their problems are not listed in: an unknown category before an unknown
 *   type, and "zzz_new" in Brazil before "aaa_new" in India, as the priced rows come by market).
 * W1 (UTC), 2026-04-14: z1 PB "zeta_free" with Meta's verdict free_customer_service: unknown, but free, so priced at 0.
 * K3 (Kolkata, UTC+5:30): k1 2026-04-10T20:00Z = 04-11 01:30 local, PK utility to India 0.0014.
 * W1 (UTC), May: g1 05-04, g2 05-05, g3 05-05 PA utility to Germany (the card has no Germany rate: one gap, three
 *   messages on two days).
 */
const events = [
  ...delivered('W1', 'PA', 'e1', '2026-04-10T09:00:00Z', BR, PMP('utility')),
  ...grouped('e2', '2026-04-10T10:00:00Z', 'promo'),
  ...delivered('W1', 'PA', 'e3', '2026-04-11T09:00:00Z', IN, PMP('marketing')),
  ...delivered('W1', 'PB', 'e6', '2026-04-11T12:00:00Z', BR, PMP('zeta_new')),
  ...delivered('W1', 'PA', 'e4', '2026-04-11T10:00:00Z', BR, PMP('meta_business_agent')),
  ...delivered('W1', 'PB', 'e5', '2026-04-11T11:00:00Z', BR, PMP('utility', 'new_type')),
  ...delivered('W1', 'PA', 'f1', '2026-02-10T09:00:00Z', BR, PMP('utility')),
  ...delivered('W1', 'PA', 'f2', '2026-02-20T09:00:00Z', BR, PMP('utility')),
  ...delivered('K3', 'PK', 'k1', '2026-04-10T20:00:00Z', IN, PMP('utility')),
  ...delivered('W1', 'PA', 'y2', '2026-04-12T10:00:00Z', BR, PMP('zzz_new')),
  ...delivered('W1', 'PA', 'y1', '2026-04-13T09:00:00Z', BR, PMP('utility', 'other_type')),
  ...delivered('W1', 'PA', 'y3', '2026-04-13T10:00:00Z', IN, PMP('aaa_new')),
  ...delivered('W1', 'PB', 'z1', '2026-04-14T09:00:00Z', BR, PMP('zeta_free', 'free_customer_service')),
  ...delivered('W1', 'PA', 'g1', '2026-05-04T09:00:00Z', DE, PMP('utility')),
  ...delivered('W1', 'PA', 'g2', '2026-05-05T09:00:00Z', DE, PMP('utility')),
  ...delivered('W1', 'PA', 'g3', '2026-05-05T10:00:00Z', DE, PMP('utility')),
];

const DAY10 = Date.parse('2026-04-10T00:00:00Z');
const DAY11 = Date.parse('2026-04-11T00:00:00Z');
// Kolkata's local midnights, in UTC: 04-10 00:00 IST = 04-09 18:30Z, 04-11 00:00 IST = 04-10 18:30Z.
const K_DAY11 = Date.parse('2026-04-10T18:30:00Z');

const UNKNOWN_PROBLEMS = [
  {
    code: 'unknown_category',
    category: 'meta_business_agent',
    count: 1,
    message: '1 delivered message(s) in category "meta_business_agent" that waspend does not know: counted, not priced',
  },
  {
    code: 'unknown_category',
    category: 'zeta_new',
    count: 1,
    message: '1 delivered message(s) in category "zeta_new" that waspend does not know: counted, not priced',
  },
  {
    code: 'unknown_pricing_type',
    category: 'utility',
    count: 1,
    message: '1 delivered utility message(s) with pricing type "new_type" that waspend does not know: counted, not priced',
  },
];

describe.each(QUERY_ENGINES)('usageSeries on $name', (engine) => {
  engine.describe(`the usage series (${engine.name})`, () => {
    let fx: QueryFixture;
    beforeAll(async () => {
      fx = await openQueryFixture(engine, [W, K], events);
      // Meta's pricing analytics for W1 on 04-10 (phone PA): Brazil marketing, 4 charged (0.25); a row without
      // country: free service, 3 (0); "ZZ" utility without pricing type (charged), COST withheld.
      const meta = (
        country: string | null,
        category: 'marketing' | 'service' | 'utility',
        pricingType: 'regular' | 'free_customer_service' | null,
        volume: number,
        costMicros: bigint | null,
      ) => ({
        day: '2026-04-10',
        wabaId: 'W1',
        phoneNumberId: 'PA',
        country,
        category,
        pricingType,
        tier: null,
        volume,
        costMicros,
        currency: 'USD',
      });
      await fx.store.replaceDays(
        'W1',
        'meta_pricing',
        ['2026-04-10'],
        {
          pricing: [
            meta('BR', 'marketing', 'regular', 4, 250_000n),
            meta(null, 'service', 'free_customer_service', 3, 0n),
            meta('ZZ', 'utility', null, 2, null),
          ],
        },
        { lastCompleteDay: '2026-04-10' },
      );
    });
    afterAll(async () => {
      await fx?.close();
    });

    const series = (params: Record<string, string | number>) =>
      usageSeries(fx.ctx, usageQuery.parse(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]))));
    const rowsOf = async (params: Record<string, string | number>) => (await series(params)).rows.map(({ time: _t, ...r }) => r);

    it('by category per day: rows in time then key order; unknown ones counted, one problem per code and category', async () => {
      const res = await series({ from: '2026-04-10', to: '2026-04-11', waba: 'W1', by: 'category' });
      expect(res.rows).toEqual([
        { time: DAY10, bucket: '2026-04-10', currency: 'USD', category: 'marketing', messages: 1, billable: 1, cost: '0.0625' },
        { time: DAY10, bucket: '2026-04-10', currency: 'USD', category: 'utility', messages: 1, billable: 1, cost: '0.0072' },
        { time: DAY11, bucket: '2026-04-11', currency: 'USD', category: 'marketing', messages: 1, billable: 1, cost: '0.0131' },
        // Unknown category: charged (regular), no price: cost null, not '0'.
        { time: DAY11, bucket: '2026-04-11', currency: 'USD', category: 'meta_business_agent', messages: 1, billable: 1, cost: null },
        // e5: a known category with an unknown pricing type: not charged, not priced.
        { time: DAY11, bucket: '2026-04-11', currency: 'USD', category: 'utility', messages: 1, billable: 0, cost: null },
        { time: DAY11, bucket: '2026-04-11', currency: 'USD', category: 'zeta_new', messages: 1, billable: 1, cost: null },
      ]);
      expect(res.problems).toEqual(UNKNOWN_PROBLEMS);
    });

    it('counts unpriced messages only among the rows the filters keep', async () => {
      // Phone PB keeps e2, e5, e6: the agent message of PA is not in the answer, nor in its problems.
      const res = await series({ from: '2026-04-10', to: '2026-04-11', waba: 'W1', phone: 'PB', by: 'category' });
      expect(res.rows.map((r) => [r.bucket, r.category, r.messages, r.billable, r.cost])).toEqual([
        ['2026-04-10', 'marketing', 1, 1, '0.0625'],
        ['2026-04-11', 'utility', 1, 0, null],
        ['2026-04-11', 'zeta_new', 1, 1, null],
      ]);
      expect(res.problems).toEqual([UNKNOWN_PROBLEMS[1], UNKNOWN_PROBLEMS[2]]);
      // Only priced rows: no problem at all.
      expect((await series({ from: '2026-04-10', to: '2026-04-10', waba: 'W1', by: 'category' })).problems).toEqual([]);
    });

    it('lists the problems by code, then category, whatever order the messages came in', async () => {
      expect((await series({ from: '2026-04-12', to: '2026-04-13', waba: 'W1' })).problems).toEqual([
        {
          code: 'unknown_category',
          category: 'aaa_new',
          count: 1,
          message: '1 delivered message(s) in category "aaa_new" that waspend does not know: counted, not priced',
        },
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
          message: '1 delivered utility message(s) with pricing type "other_type" that waspend does not know: counted, not priced',
        },
      ]);
    });

    it('an unknown category Meta says is free costs 0 and is no problem', async () => {
      const res = await series({ from: '2026-04-14', to: '2026-04-14', waba: 'W1', by: 'category' });
      expect(res.rows.map(({ time: _t, ...r }) => r)).toEqual([
        { bucket: '2026-04-14', currency: 'USD', category: 'zeta_free', messages: 1, billable: 0, cost: '0' },
      ]);
      expect(res.problems).toEqual([]);
    });

    it('one row per WABA over both its phones, the WABA named; no WABA field unless grouped by it', async () => {
      // W1 04-10: e1 + e2 = 0.0072 + 0.0625; K3 04-10 local: nothing (k1 is 04-11 in Kolkata).
      expect(await rowsOf({ from: '2026-04-10', to: '2026-04-10', by: 'waba' })).toEqual([
        { bucket: '2026-04-10', currency: 'USD', wabaId: 'W1', messages: 2, billable: 2, cost: '0.0697' },
      ]);
      // The same when the phones are a filter (the answer is then read at the phone grain).
      expect(await rowsOf({ from: '2026-04-10', to: '2026-04-10', phone: 'PA,PB', by: 'waba' })).toEqual([
        { bucket: '2026-04-10', currency: 'USD', wabaId: 'W1', messages: 2, billable: 2, cost: '0.0697' },
      ]);
      expect(await rowsOf({ from: '2026-04-10', to: '2026-04-10', waba: 'W1' })).toEqual([
        { bucket: '2026-04-10', currency: 'USD', messages: 2, billable: 2, cost: '0.0697' },
      ]);
    });

    it('by group: a message without a group is a row with group null', async () => {
      expect(await rowsOf({ from: '2026-04-10', to: '2026-04-10', waba: 'W1', by: 'group' })).toEqual([
        { bucket: '2026-04-10', currency: 'USD', group: null, messages: 1, billable: 1, cost: '0.0072' },
        { bucket: '2026-04-10', currency: 'USD', group: 'promo', messages: 1, billable: 1, cost: '0.0625' },
      ]);
    });

    it("an epoch range is cut at each WABA's own midnight: a WABA's rows past its last day are left out", async () => {
      // [04-10 00:00Z, 04-10 20:00Z): W1 (UTC) has 04-10 only; K3 (UTC+5:30) runs to 04-11 01:29 local, so has 04-11.
      // The store read spans 04-10..04-11 for both, but W1's 04-11 rows (e3..e6) are not W1's range.
      expect(await rowsOf({ from: DAY10, to: Date.parse('2026-04-10T20:00:00Z'), by: 'waba' })).toEqual([
        { bucket: '2026-04-10', currency: 'USD', wabaId: 'W1', messages: 2, billable: 2, cost: '0.0697' },
        { bucket: '2026-04-11', currency: 'USD', wabaId: 'K3', messages: 1, billable: 1, cost: '0.0014' },
      ]);
      // [04-10 18:30Z, 04-11 00:00Z): W1 04-10, K3 its 04-11 (from its local midnight).
      expect((await series({ from: K_DAY11, to: DAY11, by: 'waba' })).rows.map((r) => [r.time, r.wabaId, r.messages])).toEqual([
        [DAY10, 'W1', 2],
        [K_DAY11, 'K3', 1],
      ]);
    });

    it('reports a pricing problem of the range, from its first to its last day, but not one of the month before it', async () => {
      // Reads February from its first day (tiers count from the month start): f1 (02-10) is priced but outside
      // the range 02-20..02-28, so its missing card is not this answer's problem; f2's (02-20) is.
      const res = await series({ from: '2026-02-20', to: '2026-02-28', waba: 'W1' });
      expect(res.rows.map(({ time: _t, ...r }) => r)).toEqual([
        { bucket: '2026-02-20', currency: 'USD', messages: 1, billable: 1, cost: null },
      ]);
      expect(res.problems).toEqual([{ code: 'no_rate_card', message: 'No USD rate card per message in force on 2026-02-20' }]);
      // Range 02-01..02-10 ends on f1's day: its problem is the answer's.
      expect((await series({ from: '2026-02-01', to: '2026-02-10', waba: 'W1' })).problems).toEqual([
        { code: 'no_rate_card', message: 'No USD rate card per message in force on 2026-02-10' },
      ]);
    });

    it('names a gap met on several days once: Germany without a rate on 05-04 and 05-05', async () => {
      const res = await series({ from: '2026-05-01', to: '2026-05-31', waba: 'W1', interval: 'day' });
      expect(res.rows.map((r) => [r.bucket, r.messages, r.cost])).toEqual([
        ['2026-05-04', 1, null],
        ['2026-05-05', 2, null],
      ]);
      expect(res.problems).toEqual([{ code: 'no_rate', message: 'The USD rate card from 2026-03-01 has no utility rate for Germany' }]);
    });

    it("source=meta: Meta's rows, filtered like the estimate; free rows not charged, no pricing type charged", async () => {
      expect(await rowsOf({ from: '2026-04-10', to: '2026-04-10', source: 'meta', by: 'country' })).toEqual([
        // A missing country sorts first (the empty key), and is a null field.
        { bucket: '2026-04-10', currency: 'USD', country: null, messages: 3, billable: 0, cost: '0' },
        { bucket: '2026-04-10', currency: 'USD', country: 'BR', messages: 4, billable: 4, cost: '0.25' },
        { bucket: '2026-04-10', currency: 'USD', country: 'ZZ', messages: 2, billable: 2, cost: null },
      ]);
      // pricing type: the row without one has no pricingType field (not nullable in the contract).
      expect(await rowsOf({ from: '2026-04-10', to: '2026-04-10', source: 'meta', by: 'pricing_type' })).toEqual([
        { bucket: '2026-04-10', currency: 'USD', messages: 2, billable: 2, cost: null },
        { bucket: '2026-04-10', currency: 'USD', pricingType: 'free_customer_service', messages: 3, billable: 0, cost: '0' },
        { bucket: '2026-04-10', currency: 'USD', pricingType: 'regular', messages: 4, billable: 4, cost: '0.25' },
      ]);
      const total = (params: Record<string, string>) => rowsOf({ from: '2026-04-10', to: '2026-04-10', source: 'meta', ...params });
      const one = (messages: number, billable: number, cost: string | null) => [
        { bucket: '2026-04-10', currency: 'USD', messages, billable, cost },
      ];
      expect(await total({ country: 'BR' })).toEqual(one(4, 4, '0.25'));
      expect(await total({ category: 'utility' })).toEqual(one(2, 2, null));
      expect(await total({ pricingType: 'free_customer_service' })).toEqual(one(3, 0, '0'));
      expect(await total({ direction: 'user_initiated' })).toEqual(one(3, 0, '0')); // service is user-initiated
      expect(await total({ phone: 'PA' })).toEqual(one(9, 6, '0.25'));
      expect(await total({ phone: 'PB' })).toEqual([]);
      expect(await total({ group: 'promo' })).toEqual([]); // Meta's rows have no group
      expect(await total({})).toEqual(one(9, 6, '0.25'));
    });

    it('refuses interval=hour for source=meta, naming the field and why', async () => {
      await expect(series({ from: '2026-04-10', to: '2026-04-10', source: 'meta', interval: 'hour' })).rejects.toMatchObject({
        field: 'interval',
        value: 'hour',
        reason: "is not available for source=meta: Meta's analytics are daily",
      });
    });

    it('interval=hour keeps only the filtered phone', async () => {
      // 04-10, W1: e1 (PA) at 09:00 0.0072, e2 (PB) at 10:00 0.0625.
      expect(await rowsOf({ from: '2026-04-10', to: '2026-04-10', waba: 'W1', phone: 'PA', interval: 'hour', by: 'phone' })).toEqual([
        { bucket: '2026-04-10T09', currency: 'USD', phoneNumberId: 'PA', messages: 1, billable: 1, cost: '0.0072' },
      ]);
    });

    it('interval=hour: at most 31 days (32 local days read), the limit named with the days asked for', async () => {
      // 03-01..04-01 is 32 days: allowed (no W1 message in it).
      expect((await series({ from: '2026-03-01', to: '2026-04-01', waba: 'W1', interval: 'hour' })).rows).toEqual([]);
      // 03-01..04-02: 31 + 2 = 33 days.
      await expect(series({ from: '2026-03-01', to: '2026-04-02', waba: 'W1', interval: 'hour' })).rejects.toMatchObject({
        field: 'interval',
        value: 'hour',
        reason: 'is limited to 31 days (asked for 33); use day for longer ranges',
      });
    });

    it('interval=hour with epoch bounds: the hour the range starts in is kept, the hour it ends at is not', async () => {
      // [09:30Z, 10:00Z): e1 (09:00, 0.0072) is in hour 09, which the range starts in; e2 (10:00) is at the end, out.
      expect(
        await rowsOf({ from: Date.parse('2026-04-10T09:30:00Z'), to: Date.parse('2026-04-10T10:00:00Z'), waba: 'W1', interval: 'hour' }),
      ).toEqual([{ bucket: '2026-04-10T09', currency: 'USD', messages: 1, billable: 1, cost: '0.0072' }]);
    });

    it('interval=hour by group: a message without a group in its own row', async () => {
      expect(await rowsOf({ from: '2026-04-10', to: '2026-04-10', waba: 'W1', interval: 'hour', by: 'group' })).toEqual([
        { bucket: '2026-04-10T09', currency: 'USD', group: null, messages: 1, billable: 1, cost: '0.0072' },
        { bucket: '2026-04-10T10', currency: 'USD', group: 'promo', messages: 1, billable: 1, cost: '0.0625' },
      ]);
    });
  });
});

/**
 * A CBP conversation whose origin Meta names with a category we do not know: W1, 2026-04-15, c1 PA
 * marketing to Brazil, conversation "conv-1" of origin "zzz_origin". Its message counts under
 * marketing with no unit of its own; the conversation's unit counts under the origin's category, a
 * usage row of 0 messages and 1 unit (message-state.ts, foldConversation). 10:00, c2 PA utility of
 * pricing type "new_type" (not charged) in conversation "conv-2" of origin marketing: its unit is a
 * marketing row of that unknown type with 0 messages and nothing charged.
 */
describe.each(QUERY_ENGINES)('usageSeries, a conversation of an unknown origin, on $name', (engine) => {
  engine.describe(`an unknown origin (${engine.name})`, () => {
    let fx: QueryFixture;
    beforeAll(async () => {
      fx = await openQueryFixture(
        engine,
        [W],
        [
          ...delivered('W1', 'PA', 'c1', '2026-04-15T09:00:00Z', BR, {
            pricing: { billable: true, pricing_model: 'CBP', category: 'marketing' },
            conversation: { id: 'conv-1', origin: { type: 'zzz_origin' } },
          }),
          ...delivered('W1', 'PA', 'c2', '2026-04-15T10:00:00Z', BR, {
            pricing: { billable: false, pricing_model: 'CBP', type: 'new_type', category: 'utility' },
            conversation: { id: 'conv-2', origin: { type: 'marketing' } },
          }),
        ],
      );
    });
    afterAll(async () => {
      await fx?.close();
    });

    it('the unit of the unknown origin is charged, not priced, and reported as a conversation, not as 0 messages', async () => {
      const res = await usageSeries(fx.ctx, usageQuery.parse({ from: '2026-04-15', to: '2026-04-15', waba: 'W1', by: 'category' }));
      const DAY15 = Date.parse('2026-04-15T00:00:00Z');
      expect(res.rows).toEqual([
        // The message: counted, its unit is the conversation's, so nothing charged under marketing.
        { time: DAY15, bucket: '2026-04-15', currency: 'USD', category: 'marketing', messages: 1, billable: 0, cost: '0' },
        // c2: a known category with an unknown pricing type: not charged, not priced.
        { time: DAY15, bucket: '2026-04-15', currency: 'USD', category: 'utility', messages: 1, billable: 0, cost: null },
        // The conversation's unit under its origin: 0 messages, 1 charged, no rate for an unknown category.
        { time: DAY15, bucket: '2026-04-15', currency: 'USD', category: 'zzz_origin', messages: 0, billable: 1, cost: null },
      ]);
      expect(res.problems).toEqual([
        {
          code: 'unknown_category',
          category: 'zzz_origin',
          count: 1,
          message: '1 charged conversation(s) of origin "zzz_origin" that waspend does not know: counted, not priced',
        },
        // conv-2's unit (origin marketing, type new_type) is a fact of 0 messages and 0 charged: no problem of its own.
        {
          code: 'unknown_pricing_type',
          category: 'utility',
          count: 1,
          message: '1 delivered utility message(s) with pricing type "new_type" that waspend does not know: counted, not priced',
        },
      ]);
    });

    it('a phone filter that keeps neither row reports no problem', async () => {
      const res = await usageSeries(
        fx.ctx,
        usageQuery.parse({ from: '2026-04-15', to: '2026-04-15', waba: 'W1', phone: 'PB', by: 'category' }),
      );
      expect(res).toMatchObject({ rows: [], problems: [] });
    });
  });
});

/**
 * A month bucket two WABAs in different zones share: W1 (UTC) delivers utility to India on 04-10, K3
 * (Kolkata) on 04-11. Priced at query time the facts come by day, W1's first, whose month starts
 * later (04-01 00:00Z) than K3's (03-31 18:30Z); summed from the stored tables they come by WABA, K3's
 * first. Either way the bucket starts at the earlier instant.
 */
describe.each(QUERY_ENGINES)('usageSeries, a month shared by two zones, on $name', (engine) => {
  engine.describe(`two zones in one month (${engine.name})`, () => {
    let fx: QueryFixture;
    beforeAll(async () => {
      fx = await openQueryFixture(
        engine,
        [W, K],
        [
          ...delivered('W1', 'PA', 'm1', '2026-04-10T09:00:00Z', IN, PMP('utility')),
          ...delivered('K3', 'PK', 'm2', '2026-04-11T09:00:00Z', IN, PMP('utility')),
        ],
      );
    });
    afterAll(async () => {
      await fx?.close();
    });

    it('starts at the earliest of its WABAs’ month starts, whichever fact comes first', async () => {
      const res = await usageSeries(fx.ctx, usageQuery.parse({ from: '2026-04-01', to: '2026-04-30', interval: 'month', by: 'market' }));
      // India utility 0.0014 each.
      expect(res.rows).toEqual([
        {
          time: Date.parse('2026-03-31T18:30:00Z'),
          bucket: '2026-04',
          currency: 'USD',
          market: 'India',
          messages: 2,
          billable: 2,
          cost: '0.0028',
        },
      ]);
    });
  });
});

/**
 * A row per currency: W1 bills in USD; E2 (UTC, portfolio P2) in USD until 2026-04-11 and in EUR from
 * 04-12 (no EUR card: its EUR messages are counted, not priced). 04-10: w1 (W1) and e1 (E2), Brazil
 * utility, 0.0072 each; 04-12: w2 (W1) 0.0072 and e2 (E2, now EUR).
 */
describe.each(QUERY_ENGINES)('the usage series in two currencies on $name', (engine) => {
  engine.describe(`a row per currency (${engine.name})`, () => {
    const E: WabaInfo = {
      id: 'E2',
      name: 'Switch',
      timezone: 'UTC',
      currencies: [
        { from: '', code: 'USD' },
        { from: '2026-04-12', code: 'EUR' },
      ],
      portfolio: 'P2',
    };
    let fx: QueryFixture;
    beforeAll(async () => {
      fx = await openQueryFixture(
        engine,
        [W, E],
        [
          ...delivered('W1', 'PA', 'w1', '2026-04-10T09:00:00Z', BR, PMP('utility')),
          ...delivered('E2', 'PE', 'e1', '2026-04-10T09:00:00Z', BR, PMP('utility')),
          ...delivered('W1', 'PA', 'w2', '2026-04-12T09:00:00Z', BR, PMP('utility')),
          ...delivered('E2', 'PE', 'e2', '2026-04-12T09:00:00Z', BR, PMP('utility')),
        ],
      );
    });
    afterAll(async () => {
      await fx?.close();
    });
    const rowsOf = async (params: Record<string, string>) =>
      (await usageSeries(fx.ctx, usageQuery.parse({ from: '2026-04-01', to: '2026-04-30', ...params }))).rows.map((r) => [
        r.bucket,
        r.currency,
        r.messages,
        r.cost,
      ]);

    it('never adds two currencies up: by day, by month across the switch, and split by WABA', async () => {
      expect(await rowsOf({ interval: 'day' })).toEqual([
        ['2026-04-10', 'USD', 2, '0.0144'],
        ['2026-04-12', 'EUR', 1, null],
        ['2026-04-12', 'USD', 1, '0.0072'],
      ]);
      expect(await rowsOf({ interval: 'month' })).toEqual([
        ['2026-04', 'EUR', 1, null],
        ['2026-04', 'USD', 3, '0.0216'],
      ]);
      // In key order: bucket, currency, then the WABA (E2's EUR, E2's USD, W1's USD).
      expect(await rowsOf({ interval: 'month', by: 'waba' })).toEqual([
        ['2026-04', 'EUR', 1, null],
        ['2026-04', 'USD', 1, '0.0072'],
        ['2026-04', 'USD', 2, '0.0144'],
      ]);
    });
  });
});
