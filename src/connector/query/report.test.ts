/**
 * `waspend report`'s rows and output, in-process on both stores (the CLI's end-to-end runs are in
 * tests/integration; a child process never sees a mutant). Every figure is worked out by hand below
 * from the invented USD card: Brazil marketing 0.0625, Brazil utility 0.0072, India marketing 0.0131.
 */
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
import { buildReport, formatReport, parseReportDimensions, REPORT_DIMENSIONS, type ReportRow } from './report';

jest.setTimeout(60_000);

const V: WabaInfo = { id: 'V2', name: 'Two', timezone: 'UTC', currencies: [{ from: '', code: 'USD' }], portfolio: 'P2' };
const IN = '919812340001';

/**
 * W1, phone PA:  m1 04-10 utility to Brazil 0.0072; m2 04-10 marketing to Brazil 0.0625;
 *                x1 04-11 category "meta_business_agent" (unknown to waspend): 1 charged unit, no cost.
 * W1, phone PB:  m3 04-11 marketing to India 0.0131; m4 04-11 utility to Brazil 0.0072.
 * V2, phone PV:  v1 04-10 utility to Brazil 0.0072.
 * Each pricing-grain row (day, WABA, market, category) holds one message, so no allocation rounds.
 */
const events = [
  ...delivered('W1', 'PA', 'm1', '2026-04-10T09:00:00Z', BR, PMP('utility')),
  ...delivered('W1', 'PA', 'm2', '2026-04-10T10:00:00Z', BR, PMP('marketing')),
  ...delivered('W1', 'PA', 'x1', '2026-04-11T11:00:00Z', BR, PMP('meta_business_agent')),
  ...delivered('W1', 'PB', 'm3', '2026-04-11T09:00:00Z', IN, PMP('marketing')),
  ...delivered('W1', 'PB', 'm4', '2026-04-11T10:00:00Z', BR, PMP('utility')),
  ...delivered('V2', 'PV', 'v1', '2026-04-10T12:00:00Z', BR, PMP('utility')),
];

const EMPTY: Omit<ReportRow, 'messages' | 'billable' | 'cost' | 'currency'> = {
  day: null,
  waba: null,
  phone_number_id: null,
  country: null,
  market: null,
  category: null,
  pricing_type: null,
};
// In buildReport's key order (the JSON output's).
const row = (r: Partial<ReportRow> & Pick<ReportRow, 'messages' | 'billable' | 'cost'>): ReportRow => {
  const { messages, billable, cost, currency, ...dims } = r;
  return { ...EMPTY, ...dims, messages, billable, cost, currency: currency ?? 'USD' };
};

describe.each(QUERY_ENGINES)('buildReport on $name', (engine) => {
  engine.describe(`the report rows (${engine.name})`, () => {
    let fx: QueryFixture;
    beforeAll(async () => {
      fx = await openQueryFixture(engine, [W, V], events);
      // Meta's pricing analytics for W1 on 04-10: a row without country (free service), one for Brazil
      // (4 charged marketing, 0.25) and one for a country no market knows ("ZZ", no pricing type: charged;
      // COST withheld).
      await fx.store.replaceDays(
        'W1',
        'meta_pricing',
        ['2026-04-10'],
        {
          pricing: [
            {
              day: '2026-04-10',
              wabaId: 'W1',
              phoneNumberId: null,
              country: 'BR',
              category: 'marketing',
              pricingType: 'regular',
              tier: null,
              volume: 4,
              costMicros: 250_000n,
              currency: 'USD',
            },
            {
              day: '2026-04-10',
              wabaId: 'W1',
              phoneNumberId: null,
              country: null,
              category: 'service',
              pricingType: 'free_customer_service',
              tier: null,
              volume: 3,
              costMicros: 0n,
              currency: 'USD',
            },
            {
              day: '2026-04-10',
              wabaId: 'W1',
              phoneNumberId: null,
              country: 'ZZ',
              category: 'utility',
              pricingType: null,
              tier: null,
              volume: 2,
              costMicros: null,
              currency: 'USD',
            },
          ],
        },
        { lastCompleteDay: '2026-04-10' },
      );
    });
    afterAll(async () => {
      await fx?.close();
    });

    const report = (by: string, extra: { source?: 'estimate' | 'meta'; waba?: string[] } = {}) =>
      buildReport(fx.ctx, {
        from: '2026-04-10',
        to: '2026-04-11',
        by: parseReportDimensions(by),
        source: extra.source ?? 'estimate',
        waba: extra.waba,
      });

    it('by day: each day of both WABAs summed, an unknown category counted but not priced', async () => {
      expect(await report('day')).toEqual([
        // m1 + m2 + v1: 0.0072 + 0.0625 + 0.0072
        row({ day: '2026-04-10', messages: 3, billable: 3, cost: '0.0769' }),
        // m3 + m4 + x1: 0.0131 + 0.0072 + (no cost); x1 is a charged unit all the same.
        row({ day: '2026-04-11', messages: 3, billable: 3, cost: '0.0203' }),
      ]);
    });

    it('by category: a row with only unpriced messages has no cost, not a zero', async () => {
      expect(await report('category')).toEqual([
        row({ category: 'marketing', messages: 2, billable: 2, cost: '0.0756' }), // 0.0625 + 0.0131
        row({ category: 'meta_business_agent', messages: 1, billable: 1, cost: null }),
        row({ category: 'utility', messages: 3, billable: 3, cost: '0.0216' }), // 3 x 0.0072
      ]);
    });

    it('by country the market comes along; by market alone the country does not', async () => {
      expect(await report('country')).toEqual([
        // m1, m2, m4, x1, v1: 0.0072 + 0.0625 + 0.0072 + 0.0072
        row({ country: 'BR', market: 'Brazil', messages: 5, billable: 5, cost: '0.0841' }),
        row({ country: 'IN', market: 'India', messages: 1, billable: 1, cost: '0.0131' }),
      ]);
      expect(await report('market')).toEqual([
        row({ market: 'Brazil', messages: 5, billable: 5, cost: '0.0841' }),
        row({ market: 'India', messages: 1, billable: 1, cost: '0.0131' }),
      ]);
    });

    it('by WABA and phone, in WABA then phone order; one WABA alone when asked', async () => {
      expect(await report(' waba , phone ,')).toEqual([
        row({ waba: 'V2', phone_number_id: 'PV', messages: 1, billable: 1, cost: '0.0072' }),
        row({ waba: 'W1', phone_number_id: 'PA', messages: 3, billable: 3, cost: '0.0697' }), // 0.0072 + 0.0625 + x1
        row({ waba: 'W1', phone_number_id: 'PB', messages: 2, billable: 2, cost: '0.0203' }), // 0.0131 + 0.0072
      ]);
      expect(await report('waba', { waba: ['V2'] })).toEqual([row({ waba: 'V2', messages: 1, billable: 1, cost: '0.0072' })]);
    });

    it('by day and category, ordered by day first', async () => {
      expect(await report('category,day')).toEqual([
        row({ day: '2026-04-10', category: 'marketing', messages: 1, billable: 1, cost: '0.0625' }),
        row({ day: '2026-04-10', category: 'utility', messages: 2, billable: 2, cost: '0.0144' }), // m1 + v1
        row({ day: '2026-04-11', category: 'marketing', messages: 1, billable: 1, cost: '0.0131' }),
        row({ day: '2026-04-11', category: 'meta_business_agent', messages: 1, billable: 1, cost: null }),
        row({ day: '2026-04-11', category: 'utility', messages: 1, billable: 1, cost: '0.0072' }),
      ]);
    });

    it("source=meta: Meta's rows, free ones not charged, a missing country first and in the Other market", async () => {
      expect(await report('country', { source: 'meta' })).toEqual([
        row({ country: null, market: 'Other', messages: 3, billable: 0, cost: '0' }),
        row({ country: 'BR', market: 'Brazil', messages: 4, billable: 4, cost: '0.25' }),
        // "ZZ" is no market's country: Other. No pricing type is a charged row; its COST was withheld.
        row({ country: 'ZZ', market: 'Other', messages: 2, billable: 2, cost: null }),
      ]);
      expect(await report('pricing_type', { source: 'meta' })).toEqual([
        // null sorts first (as the empty string), then by name.
        row({ pricing_type: null, messages: 2, billable: 2, cost: null }),
        row({ pricing_type: 'free_customer_service', messages: 3, billable: 0, cost: '0' }),
        row({ pricing_type: 'regular', messages: 4, billable: 4, cost: '0.25' }),
      ]);
    });
  });

  engine.describe(`digit-string IDs (${engine.name})`, () => {
    // Meta's WABA and phone number IDs are digit strings of varying length: WABA 10's phone 123 and
    // WABA 101's phone 23 spell the same digits one after the other, and must stay two rows.
    const ten: WabaInfo = { ...W, id: '10', portfolio: 'P10' };
    const hundredOne: WabaInfo = { ...V, id: '101', portfolio: 'P101' };
    let fx: QueryFixture;
    beforeAll(async () => {
      fx = await openQueryFixture(
        engine,
        [ten, hundredOne],
        [
          ...delivered('10', '123', 'd1', '2026-04-10T09:00:00Z', BR, PMP('utility')),
          ...delivered('101', '23', 'd2', '2026-04-10T10:00:00Z', BR, PMP('marketing')),
        ],
      );
    });
    afterAll(async () => {
      await fx?.close();
    });

    it('by WABA and phone: one row per WABA and phone, each with its own cost', async () => {
      const rows = await buildReport(fx.ctx, {
        from: '2026-04-10',
        to: '2026-04-10',
        by: parseReportDimensions('waba,phone'),
        source: 'estimate',
      });
      expect(rows).toEqual([
        row({ waba: '10', phone_number_id: '123', messages: 1, billable: 1, cost: '0.0072' }),
        row({ waba: '101', phone_number_id: '23', messages: 1, billable: 1, cost: '0.0625' }),
      ]);
    });
  });
});

describe('parseReportDimensions', () => {
  it('takes a comma list, trimmed, empty parts dropped', () => {
    expect(parseReportDimensions(' day ,category,, market ')).toEqual(['day', 'category', 'market']);
    expect(parseReportDimensions('')).toEqual([]);
  });
  it('names the flag, the value and the allowed values for anything else', () => {
    let err: unknown;
    try {
      parseReportDimensions('day,group');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      field: '--by',
      value: 'group',
      reason: 'is not one of day, category, country, market, phone, pricing_type, waba',
    });
    expect(REPORT_DIMENSIONS.join(',')).toBe('day,category,country,market,phone,pricing_type,waba');
  });
});

describe('formatReport', () => {
  const rows: ReportRow[] = [
    row({ day: '2026-04-10', category: 'marketing', messages: 2, billable: 1, cost: '0.0625' }),
    // Fields a CSV reader would split on, or that hold quotes, are quoted (RFC 4180: quotes doubled).
    row({ country: 'a,b', category: 'say "hi"', market: 'line\nbreak', pricing_type: 'cr\rhere', messages: 0, billable: 0, cost: null }),
  ];

  it('writes CSV with the header, empty cells for nulls, and the chosen line end after every line', () => {
    const header = 'day,waba,phone_number_id,country,market,category,pricing_type,messages,billable,cost,currency';
    const body = ['2026-04-10,,,,,marketing,,2,1,0.0625,USD', ',,,"a,b","line\nbreak","say ""hi""","cr\rhere",0,0,,USD'];
    expect(formatReport(rows, 'csv')).toBe(`${header}\n${body[0]}\n${body[1]}\n`);
    expect(formatReport(rows, 'csv', '\r\n')).toBe(`${header}\r\n${body[0]}\r\n${body[1]}\r\n`);
    expect(formatReport([], 'csv')).toBe(`${header}\n`);
  });

  it('writes JSON as the rows, indented by two, with a final newline', () => {
    const out = formatReport(rows.slice(0, 1), 'json');
    expect(out).toBe(
      '[\n  {\n    "day": "2026-04-10",\n    "waba": null,\n    "phone_number_id": null,\n    "country": null,\n    "market": null,\n' +
        '    "category": "marketing",\n    "pricing_type": null,\n    "messages": 2,\n    "billable": 1,\n    "cost": "0.0625",\n    "currency": "USD"\n  }\n]\n',
    );
  });
});
