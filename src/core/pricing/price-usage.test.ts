import { InputError } from '../errors';
import { formatMicros } from '../model/money';
import { addToPriceBook, emptyPriceBook } from '../ratecard/price-book';
import { parseRateCardCsv } from '../ratecard/rate-card';
import { priceUsage } from './price-usage';
import { buildTestBook, usageRow as row } from '../test-fixtures/test-book';
import { freeTierKey, tierKey } from './tier-ladder';

const book = buildTestBook();
const cost = (micros: bigint | null) => (micros === null ? null : formatMicros(micros, 4));

describe('priceUsage: per-message pricing (PMP)', () => {
  test.each([
    // category, pricingType, units, billable, cost (India, USD card from 2026-01-01; India marketing 0.0118, utility 0.0014)
    ['marketing', 'regular', 10, 10, '0.1180'],
    ['marketing_lite', 'regular', 10, 10, '0.1180'],
    ['marketing', 'free_entry_point', 10, 0, '0.0000'],
    ['referral_conversion', 'free_entry_point', 10, 0, '0.0000'],
    ['referral_conversion', 'regular', 10, 0, '0.0000'],
    ['service', 'free_customer_service', 10, 0, '0.0000'],
    ['utility', 'free_customer_service', 10, 0, '0.0000'],
    ['authentication_international', 'regular', 3, 3, '0.0840'],
  ] as const)('%s / %s x %d -> billable %d, cost %s', (category, pricingType, units, billable, expected) => {
    const { rows, problems } = priceUsage([row({ day: '2026-02-10', units, category, pricingType })], book);
    expect(rows[0]?.billable).toBe(billable);
    expect(cost(rows[0]!.costMicros)).toBe(expected);
    expect(problems).toEqual([]);
  });

  test("a regular service message: the card's service rate, else (from 2026-10-01 only) the market's utility rate", () => {
    // Before 2026-10-01 no rule says where a service rate comes from: no rate, never invented.
    const noRate = priceUsage([row({ day: '2026-09-30', units: 4, category: 'service' })], book);
    expect(noRate.rows[0]).toMatchObject({ billable: 4, costMicros: null });
    expect(noRate.problems).toEqual([expect.objectContaining({ code: 'no_rate', category: 'service', rows: 1 })]);
    // From 2026-10-01 the card without a Service rate gives India's utility rate: 4 x 0.0014 = 0.0056.
    const fallback = priceUsage([row({ day: '2026-10-02', units: 4, category: 'service' })], book);
    expect(cost(fallback.rows[0]!.costMicros)).toBe('0.0056');
    expect(fallback.problems).toEqual([]);
    const withService = addToPriceBook(
      book,
      parseRateCardCsv(
        'Cost per message in USD\nMarket,Currency,Marketing,Utility,Authentication,Authentication-International,Service\nIndia,USD,0.0131,0.0014,0.0014,0.0280,0.0014\n',
        { effectiveFrom: '2026-10-01' },
      ),
    );
    expect(cost(priceUsage([row({ day: '2026-10-02', units: 4, category: 'service' })], withService).rows[0]!.costMicros)).toBe('0.0056');
    expect(
      priceUsage([row({ day: '2026-10-02', units: 4, category: 'service', pricingType: 'free_customer_service' })], withService).rows[0],
    ).toMatchObject({ billable: 0, costMicros: 0n });
  });

  test('the rate card switches on the quarter date (WABA-local days)', () => {
    const { rows } = priceUsage([row({ day: '2026-03-31', units: 100 }), row({ day: '2026-04-01', units: 100 })], book);
    expect(rows.map((r) => cost(r.costMicros))).toEqual(['1.1800', '1.3100']);
  });

  test('missing cards and rates: cost null, one aggregated problem per kind, free rows still priced at 0', () => {
    const rows = [
      row({ day: '2026-02-10', units: 5, currency: 'EUR' }),
      row({ day: '2026-02-10', units: 6, currency: 'EUR', wabaId: 'w2' }),
      row({ day: '2026-02-10', units: 7, currency: 'EUR', pricingType: 'free_customer_service', category: 'service' }),
      row({ day: '2026-02-10', units: 8, market: 'Brazil', category: 'authentication_international' }),
    ];
    const result = priceUsage(rows, book);
    expect(result.rows.map((r) => r.costMicros)).toEqual([null, null, 0n, null]);
    expect(result.problems).toEqual([
      {
        code: 'no_rate',
        message: 'The USD rate card from 2026-01-01 has no authentication_international rate for Brazil',
        currency: 'USD',
        day: '2026-02-10',
        market: 'Brazil',
        category: 'authentication_international',
        rows: 1,
      },
      {
        code: 'no_rate_card',
        message: 'No EUR rate card per message in force on 2026-02-10',
        currency: 'EUR',
        day: '2026-02-10',
        market: 'India',
        category: 'marketing',
        rows: 2,
      },
    ]);
  });

  test.each([
    [{ units: -1 }, /^rows\[0\]\.units: -1 must be a whole number/],
    [{ units: 1.5 }, /^rows\[0\]\.units/],
    [{ category: 'Promo Mixed' }, /^rows\[0\]\.category: "Promo Mixed" must be a pricing category in lower snake case/],
    [{ category: '' }, /^rows\[0\]\.category/],
    [{ pricingType: undefined }, /^rows\[0\]\.pricingType/],
    [{ day: '2026-13-01' }, /^rows\[0\]\.day: "2026-13-01"/],
    [{ pricingModel: 'XYZ' }, /^rows\[0\]\.pricingModel/],
    [{ market: '' }, /^rows\[0\]\.market/],
  ])('bad rows are InputErrors naming the field (%#)', (patch, message) => {
    expect(() => priceUsage([{ ...row({ day: '2026-02-10', units: 1 }), ...(patch as object) }], book)).toThrow(InputError);
    expect(() => priceUsage([{ ...row({ day: '2026-02-10', units: 1 }), ...(patch as object) }], book)).toThrow(message);
  });
});

describe('priceUsage: volume tiers (India utility 0:100 @0.0014, 101:200 @0.0012, 201:MAX @0.0010)', () => {
  const utility = (day: string, units: number, extra: Partial<Parameters<typeof row>[0]> = {}) =>
    row({ day, units, category: 'utility', ...extra });

  test.each([
    // rows (day, units), expected splits per row as "units@rate", expected total
    ['one row inside tier 1', [['2026-02-03', 80]], [['80@0.0014']], '0.1120'],
    ['one row crossing two boundaries', [['2026-02-03', 250]], [['100@0.0014', '100@0.0012', '50@0.0010']], '0.3100'],
    [
      'each tier rate only for the units inside it, across days',
      [
        ['2026-02-03', 90],
        ['2026-02-04', 20],
        ['2026-02-05', 100],
      ],
      [['90@0.0014'], ['10@0.0014', '10@0.0012'], ['90@0.0012', '10@0.0010']],
      '0.2700',
    ],
    [
      'the month resets the count',
      [
        ['2026-02-28', 150],
        ['2026-03-01', 150],
      ],
      [
        ['100@0.0014', '50@0.0012'],
        ['100@0.0014', '50@0.0012'],
      ],
      '0.4000',
    ],
  ] as const)('%s', (_name, input, splits, total) => {
    const result = priceUsage(
      input.map(([day, units]) => utility(day, units)),
      book,
    );
    expect(result.rows.map((r) => r.tiers?.map((t) => `${t.units}@${formatMicros(t.rateMicros, 4)}`))).toEqual(splits);
    expect(
      formatMicros(
        result.rows.reduce((s, r) => s + (r.costMicros ?? 0n), 0n),
        4,
      ),
    ).toBe(total);
    for (const r of result.rows) expect(r.tiers?.reduce((s, t) => s + t.units, 0)).toBe(r.billable);
  });

  test('only charged units count; free utility in a CSW does not move the tier', () => {
    const result = priceUsage(
      [utility('2026-02-03', 500, { pricingType: 'free_customer_service' }), utility('2026-02-04', 100), utility('2026-02-05', 1)],
      book,
    );
    expect(result.rows.map((r) => cost(r.costMicros))).toEqual(['0.0000', '0.1400', '0.0012']);
  });

  test('counted per portfolio across its WABAs, separately per market, category and portfolio', () => {
    const result = priceUsage(
      [
        utility('2026-02-03', 100, { wabaId: 'w1' }),
        utility('2026-02-04', 10, { wabaId: 'w2' }), // same portfolio: tier 2
        utility('2026-02-04', 10, { portfolioId: 'p2' }), // other portfolio: tier 1
        row({ day: '2026-02-04', units: 10, category: 'authentication' }), // other column: tier 1
        utility('2026-02-04', 10, { market: 'Brazil' }), // other market: its own ladder, tier 1
      ],
      book,
    );
    expect(result.rows.map((r) => cost(r.costMicros))).toEqual(['0.1400', '0.0120', '0.0140', '0.0140', '0.0680']);
    expect(result.tierCounts.get(tierKey('p1', 'India', 'utility', '2026-02'))).toBe(110);
  });

  test('the split does not depend on input order', () => {
    const rows = [utility('2026-02-05', 70, { wabaId: 'b' }), utility('2026-02-05', 70, { wabaId: 'a' }), utility('2026-02-04', 70)];
    const forward = priceUsage(rows, book).rows.map((r) => [r.wabaId, r.day, cost(r.costMicros)]);
    const backward = priceUsage([...rows].reverse(), book)
      .rows.map((r) => [r.wabaId, r.day, cost(r.costMicros)])
      .reverse();
    expect(backward).toEqual(forward);
    // day 04 first (1..70), then day 05 by WABA id: a = 71..140, b = 141..210
    expect(forward).toEqual([
      ['b', '2026-02-05', '0.0820'],
      ['a', '2026-02-05', '0.0900'],
      ['w1', '2026-02-04', '0.0980'],
    ]);
  });

  test('problems come in one order whatever the order of the rows (day, code, message, then currency, market, category)', () => {
    // No XYZ card: three no_rate_card problems with one message, told apart by market and category only.
    const rows = [
      row({ day: '2026-02-05', units: 5, currency: 'XYZ', market: 'India', category: 'utility' }),
      row({ day: '2026-02-05', units: 5, currency: 'XYZ', market: 'Brazil', category: 'utility' }),
      row({ day: '2026-02-05', units: 5, currency: 'XYZ', market: 'Brazil', category: 'marketing' }),
    ];
    const where = (rs: typeof rows) => priceUsage(rs, book).problems.map((p) => [p.code, p.market, p.category]);
    const expected = [
      ['no_rate_card', 'Brazil', 'marketing'],
      ['no_rate_card', 'Brazil', 'utility'],
      ['no_rate_card', 'India', 'utility'],
    ];
    expect(where(rows)).toEqual(expected);
    expect(where([...rows].reverse())).toEqual(expected);
    expect(where([rows[1], rows[0], rows[2]] as typeof rows)).toEqual(expected);
  });

  test('a WABA id holding U+0000 still orders as the joined key does (the separator sorts before any letter)', () => {
    // Joined keys: "…\0a\0India…" vs "…\0a\0A\0India…": "A" < "India", so the WABA "a\0A" comes first,
    // although "a" < "a\0A" field by field. Units 1..70 @0.0014 go to it; "a" gets 71..140: 30 @0.0014 + 40 @0.0012.
    const rows = [utility('2026-02-05', 70, { wabaId: 'a' }), utility('2026-02-05', 70, { wabaId: 'a\u0000A' })];
    expect(priceUsage(rows, book).rows.map((r) => [r.wabaId, cost(r.costMicros)])).toEqual([
      ['a', '0.0900'],
      ['a\u0000A', '0.0980'],
    ]);
  });

  test('with U+0000 in some key, the joined key still keeps each field apart (WABA "w" before "w1")', () => {
    // The Brazil row only puts a U+0000 among the counted rows, so the joined keys order them. Joined
    // with U+0000, "…\0w\0India…" < "…\0w1\0India…": "w" takes units 1..70 @0.0014 = 0.0980 and "w1"
    // 71..140: 30 @0.0014 + 40 @0.0012 = 0.0420 + 0.0480 = 0.0900. Run together, "wIndia" > "w1India".
    const rows = [
      utility('2026-02-05', 70, { wabaId: 'w1' }),
      utility('2026-02-05', 70, { wabaId: 'w' }),
      utility('2026-02-05', 1, { wabaId: 'x\u0000', market: 'Brazil' }),
    ];
    expect(
      priceUsage(rows, book)
        .rows.slice(0, 2)
        .map((r) => [r.wabaId, cost(r.costMicros)]),
    ).toEqual([
      ['w1', '0.0900'],
      ['w', '0.0980'],
    ]);
  });

  test('priorUnits starts a window mid-month (Map or object)', () => {
    const key = tierKey('p1', 'India', 'utility', '2026-02');
    for (const priorUnits of [new Map([[key, 195]]), { [key]: 195 }]) {
      const result = priceUsage([utility('2026-02-20', 10)], book, { priorUnits });
      expect(result.rows[0]?.tiers?.map((t) => [t.units, t.lower])).toEqual([
        [5, 101],
        [5, 201],
      ]);
      expect(result.tierCounts.get(key)).toBe(205);
    }
  });

  test('no tier table for a market/category: the flat card rate, and no tiers on the row', () => {
    const result = priceUsage([row({ day: '2026-02-04', units: 500, market: 'Rest of Africa', category: 'utility' })], book);
    expect(result.rows[0]).toMatchObject({ billable: 500, costMicros: 2_000_000n });
    expect(result.rows[0]?.tiers).toBeUndefined();
  });

  test('a tier table older than the rate card is used but reported', () => {
    const older = addToPriceBook(
      addToPriceBook(emptyPriceBook(), book.tierTables[0]!),
      parseRateCardCsv('Cost per message in USD\nMarket,Currency,Utility\nIndia,USD,0.0015\n', { effectiveFrom: '2026-04-01' }),
    );
    const result = priceUsage([utility('2026-04-02', 10)], older);
    expect(cost(result.rows[0]!.costMicros)).toBe('0.0140');
    expect(result.problems.map((p) => p.code)).toEqual(['stale_tier_table']);
  });

  test('10M messages in a month sum to the cent', () => {
    // 31 days x 322,581 (last day 322,570) = 10,000,000 marketing + 10,000,000 utility, India, March 2026.
    // marketing 10,000,000 x 0.0118 = 118,000.00
    // utility: 100 x 0.0014 + 100 x 0.0012 + 9,999,800 x 0.0010 = 0.14 + 0.12 + 9,999.80 = 10,000.06
    const rows = [];
    for (let d = 1; d <= 31; d += 1) {
      const units = d === 31 ? 10_000_000 - 30 * 322_581 : 322_581;
      const day = `2026-03-${String(d).padStart(2, '0')}`;
      rows.push(row({ day, units }), utility(day, units));
    }
    const result = priceUsage(rows, book);
    const total = result.rows.reduce((s, r) => s + (r.costMicros as bigint), 0n);
    expect(formatMicros(total, 2)).toBe('128000.06');
    expect(total).toBe(128_000_060_000n);
  });
});

describe('priceUsage: per-conversation pricing (CBP)', () => {
  const cbp = (day: string, units: number, extra: Partial<Parameters<typeof row>[0]> = {}) =>
    row({ day, units, pricingModel: 'CBP', category: 'service', ...extra });

  test('first 1,000 service conversations per WABA per month are free until 2024-10-31', () => {
    const result = priceUsage(
      [
        cbp('2024-09-05', 600),
        cbp('2024-09-06', 600),
        cbp('2024-09-06', 50, { wabaId: 'w2' }),
        cbp('2024-10-01', 5),
        cbp('2024-11-01', 5000),
      ],
      book,
    );
    // India service per conversation 0.0040: 200 x 0.0040 = 0.8000
    expect(result.rows.map((r) => [r.billable, cost(r.costMicros)])).toEqual([
      [0, '0.0000'],
      [200, '0.8000'],
      [0, '0.0000'],
      [0, '0.0000'],
      [0, '0.0000'],
    ]);
  });

  test("Meta's free_tier verdicts fill the allowance first; priorUnits carries it into a mid-month window", () => {
    const result = priceUsage([cbp('2024-09-05', 10), cbp('2024-09-05', 995, { pricingType: 'free_tier' })], book);
    expect(result.rows.map((r) => r.billable)).toEqual([5, 0]);
    const later = priceUsage([cbp('2024-09-20', 10)], book, { priorUnits: { [freeTierKey('w1', '2024-09')]: 997 } });
    expect(later.rows[0]?.billable).toBe(7);
  });

  test('marketing and utility conversations are one charge each; FEP is free; no tiers before PMP', () => {
    const result = priceUsage(
      [
        cbp('2024-09-05', 3, { category: 'marketing' }),
        cbp('2024-09-05', 300, { category: 'utility' }),
        cbp('2024-09-05', 3, { category: 'marketing', pricingType: 'free_entry_point' }),
      ],
      book,
    );
    expect(result.rows.map((r) => [cost(r.costMicros), r.tiers])).toEqual([
      ['0.0297', undefined],
      ['1.2600', undefined],
      ['0.0000', undefined],
    ]);
  });

  test('a per-message card never prices conversations', () => {
    const pmpOnly = addToPriceBook(
      emptyPriceBook(),
      book.rateCards.find((c) => c.unit === 'message')!,
    );
    const result = priceUsage([cbp('2025-06-30', 3, { category: 'marketing' })], pmpOnly);
    expect(result.rows[0]?.costMicros).toBeNull();
    expect(result.problems[0]?.message).toBe('No USD rate card per conversation in force on 2025-06-30');
  });
});

describe('authentication and authentication-international: separate volume-tier counters in one market and month', () => {
  test('60 auth-international messages do not move the authentication ladder (Meta publishes a separate auth-international ladder)', () => {
    // India authentication tiers (2026-01 table): 0-100 at 0.0014, 101+ at 0.0011; no auth-international ladder, card 0.0280.
    const { rows, tierCounts } = priceUsage(
      [
        row({ day: '2026-02-10', units: 60, category: 'authentication_international' }),
        row({ day: '2026-02-11', units: 50, category: 'authentication' }),
      ],
      book,
    );
    // auth-international: 60 x 0.0280 = 1.6800; authentication: units 1-50 at 0.0014 = 0.0700
    // (a shared counter would make them units 61-110: 40 x 0.0014 + 10 x 0.0011 = 0.0670).
    expect(rows.map((r) => cost(r.costMicros))).toEqual(['1.6800', '0.0700']);
    expect(tierCounts.get(tierKey('p1', 'India', 'authentication', '2026-02'))).toBe(50);
    expect(tierCounts.get(tierKey('p1', 'India', 'authentication_international', '2026-02'))).toBe(60);
  });
});

describe('priceUsage: mutation-testing gaps (exact values by hand)', () => {
  const utility = (day: string, units: number, extra: Partial<Parameters<typeof row>[0]> = {}) =>
    row({ day, units, category: 'utility', ...extra });
  const costs = (rows: Parameters<typeof priceUsage>[0]) => priceUsage(rows, book).rows.map((r) => cost(r.costMicros));

  test('the stale tier table problem names both dates and the fix', () => {
    const older = addToPriceBook(
      addToPriceBook(emptyPriceBook(), book.tierTables[0]!),
      parseRateCardCsv('Cost per message in USD\nMarket,Currency,Utility\nIndia,USD,0.0015\n', { effectiveFrom: '2026-04-01' }),
    );
    const result = priceUsage([utility('2026-04-02', 10), utility('2026-04-02', 5, { wabaId: 'w2' })], older);
    expect(result.problems).toEqual([
      {
        code: 'stale_tier_table',
        message: 'USD volume tiers from 2026-01-01 are older than the rate card from 2026-04-01; import the matching tier CSV',
        currency: 'USD',
        day: '2026-04-02',
        market: 'India',
        category: 'utility',
        rows: 2,
      },
    ]);
  });

  test('rows that differ only in dims are tiered in dims order, whatever the input order', () => {
    // India utility 0:100 @0.0014, 101:200 @0.0012. The first row by dims takes units 1..70 (0.0980),
    // the second 71..140: 30 @0.0014 + 40 @0.0012 = 0.0420 + 0.0480 = 0.0900.
    const pairs: [Record<string, string | null>, Record<string, string | null>][] = [
      [{ direction: 'in' }, { direction: 'out' }], // one key each: by value
      [{ a: '2' }, { b: '1' }], // different sole keys: by the joined key "a=2" < "b=1"
      [
        { a: '1', b: '1' },
        { a: '1', b: '2' },
      ], // several keys: "a=1\u0001b=1" < "a=1\u0001b=2"
      [
        { b: '1', a: '1' },
        { a: '2', b: '0' },
      ], // keys sorted before joining: "a=1\u0001b=1" < "a=2\u0001b=0"
      [
        { a: '1', b: '2' },
        { a: '2', b: '1' },
      ], // by the first key that differs, not the last: "a=1\u0001b=2" < "a=2\u0001b=1"
      [{ a: '1', b: '0' }, { a: '1b' }], // the separator sorts before any letter: "a=1\u0001b=0" < "a=1b"
      [{ direction: null }, { direction: 'A' }], // a null value is the empty string: "" < "A"
      [
        { a: null, b: '1' },
        { a: 'A', b: '1' },
      ], // "a=\u0001b=1" < "a=A\u0001b=1"
    ];
    for (const [first, second] of pairs) {
      expect(costs([utility('2026-02-05', 70, { dims: second }), utility('2026-02-05', 70, { dims: first })])).toEqual([
        '0.0900',
        '0.0980',
      ]);
      expect(costs([utility('2026-02-05', 70, { dims: first }), utility('2026-02-05', 70, { dims: second })])).toEqual([
        '0.0980',
        '0.0900',
      ]);
    }
    // No dims sort before any dims (the empty joined key).
    expect(costs([utility('2026-02-05', 70, { dims: { A: '1' } }), utility('2026-02-05', 70)])).toEqual(['0.0900', '0.0980']);
  });

  test('rows equal on every key are tiered in input order', () => {
    // First: 100 @0.0014 + 50 @0.0012 = 0.1400 + 0.0600 = 0.2000; second: 10 @0.0012 = 0.0120.
    expect(costs([utility('2026-02-05', 150), utility('2026-02-05', 10)])).toEqual(['0.2000', '0.0120']);
    // First: 10 @0.0014 = 0.0140; second 11..160: 90 @0.0014 + 60 @0.0012 = 0.1260 + 0.0720 = 0.1980.
    expect(costs([utility('2026-02-05', 10), utility('2026-02-05', 150)])).toEqual(['0.0140', '0.1980']);
  });
});

describe('priceUsage: CBP mutation-testing gaps', () => {
  const cbp = (day: string, units: number, extra: Partial<Parameters<typeof row>[0]> = {}) =>
    row({ day, units, pricingModel: 'CBP', category: 'service', ...extra });

  test('a free service conversation of another type uses none of the monthly allowance', () => {
    // 600 free_entry_point + 600 regular: the allowance (1,000) covers the 600 regular ones, nothing charged.
    const result = priceUsage([cbp('2024-09-05', 600, { pricingType: 'free_entry_point' }), cbp('2024-09-06', 600)], book);
    expect(result.rows.map((r) => [r.billable, cost(r.costMicros)])).toEqual([
      [0, '0.0000'],
      [0, '0.0000'],
    ]);
    expect(result.tierCounts.get(freeTierKey('w1', '2024-09'))).toBe(600);
  });

  test("a non-service conversation with Meta's free_tier verdict is not charged", () => {
    const result = priceUsage([cbp('2024-09-05', 3, { category: 'marketing', pricingType: 'free_tier' })], book);
    expect(result.rows[0]).toMatchObject({ billable: 0, costMicros: 0n });
  });
});

describe('problems: one per code, currency, day, market and category', () => {
  test('two codes for the same day, market and category stay two problems', () => {
    const result = priceUsage(
      [
        row({ day: '2026-02-10', units: 2, currency: 'EUR', pricingType: 'new_type' }),
        row({ day: '2026-02-10', units: 3, currency: 'EUR' }),
      ],
      book,
    );
    expect(result.problems.map((p) => [p.code, p.rows])).toEqual([
      ['no_rate_card', 1],
      ['unknown_pricing_type', 1],
    ]);
  });
});

describe('bad rows: validation', () => {
  test('a row of 0 units is valid (priced at 0)', () => {
    expect(priceUsage([row({ day: '2026-02-10', units: 0 })], book).rows[0]).toMatchObject({ billable: 0, costMicros: 0n });
  });

  test('a row of 0 units with a bad category names the category, not the units', () => {
    const bad = () => priceUsage([row({ day: '2026-02-10', units: 0, category: 'Promo Mixed' })], book);
    expect(bad).toThrow(InputError);
    expect(bad).toThrow('rows[0].category: "Promo Mixed" must be a pricing category in lower snake case');
  });
});
