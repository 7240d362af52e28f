import { InputError } from '../errors';
import { formatMicros, parseMicros, sumMicros } from '../model/money';
import type { PricedRow, UsageRow } from '../model/usage';
import { priceUsage } from '../pricing/price-usage';
import { tierKey } from '../pricing/tier-ladder';
import { parseCallRateCsv } from '../ratecard/call-rates';
import { addToPriceBook, emptyPriceBook } from '../ratecard/price-book';
import { parseRateCardCsv } from '../ratecard/rate-card';
import { parseTierCsv } from '../ratecard/tiers';
import { PRICING_RULES } from '../rules/pricing-rules';
import { inputErrorOf } from '../test-fixtures/input-error-of';
import { USD_CALL_RATES_2025_08, USD_CONVERSATION_RATES_2023_06 } from '../test-fixtures/invented-rate-cards';
import { priceScenario, priorTierUnits, scenarioBook, type PriorUnitsRow } from './price-scenario';
import type { Scenario } from './scenario';

// Invented rates (not Meta's). Brazil's card has no Service rate (service takes the utility rate from
// 2026-10-01), India's has one. Brazil utility is tiered: units 1-2 at 0.0085, from unit 3 at 0.0070.
const CARD = [
  'Cost per message in USD',
  'Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service',
  'Brazil,USD,0.0625,0.0085,0.0085,n/a,n/a',
  'India,USD,0.0131,0.0014,0.0014,0.0280,0.0040',
].join('\n');
const TIERS = ['Market,Category,Lower,Upper,Rate', 'Brazil,utility,0,2,0.0085', 'Brazil,utility,3,MAX,0.0070'].join('\n');
const NEXT_CARD = [
  'Cost per message in USD',
  'Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service',
  'Brazil,USD,0.0700,0.0090,0.0090,n/a,n/a',
  'India,USD,0.0150,0.0016,0.0016,0.0300,0.0045',
].join('\n');
const NEXT_TIERS = ['Market,Category,Lower,Upper,Rate', 'Brazil,utility,0,2,0.0080', 'Brazil,utility,3,MAX,0.0060'].join('\n');
const BRL_CARD = ['Cost per message in BRL', 'Market,Currency,Marketing,Utility', 'Brazil,BRL,9.0000,9.0000'].join('\n');

const book = addToPriceBook(
  addToPriceBook(emptyPriceBook(), parseRateCardCsv(CARD, { effectiveFrom: '2026-07-01' })),
  parseTierCsv(TIERS, { effectiveFrom: '2026-07-01', currency: 'USD' }),
);
const nextCard = { name: 'usd-rates-2027-01-01.csv', entry: parseRateCardCsv(NEXT_CARD, { effectiveFrom: '2027-01-01' }) };
const nextTiers = { name: 'usd-tiers-2027-01-01.csv', entry: parseTierCsv(NEXT_TIERS, { effectiveFrom: '2027-01-01', currency: 'USD' }) };
const brlCard = { name: 'brl-rates-2027-01-01.csv', entry: parseRateCardCsv(BRL_CARD, { effectiveFrom: '2027-01-01' }) };

const total = (rows: readonly PricedRow[]) => formatMicros(sumMicros(rows.map((r) => r.costMicros ?? 0n)), 6);
const costOf = (rows: readonly PricedRow[], p: (r: PricedRow) => boolean) => total(rows.filter(p));

function row(p: Partial<UsageRow> & Pick<UsageRow, 'day' | 'units' | 'category'>): UsageRow {
  return { wabaId: 'w', portfolioId: 'p', currency: 'USD', market: 'Brazil', pricingType: 'regular', pricingModel: 'PMP', ...p };
}
const named = (name: string, rest: Omit<Scenario, 'name'> = {}): Scenario => ({ name, ...rest });

describe('priceScenario: actual is what the connector charges', () => {
  test('actual equals priceUsage with the prior units as tier counters; an empty scenario equals actual', () => {
    const rows = [
      row({ day: '2026-10-05', units: 2, category: 'utility' }),
      row({ day: '2026-10-05', units: 3, category: 'marketing' }),
      row({ day: '2026-10-06', units: 4, category: 'service' }),
    ];
    const prior: PriorUnitsRow[] = [{ portfolioId: 'p', market: 'Brazil', category: 'utility', month: '2026-10', units: 1 }];
    const r = priceScenario(rows, prior, book, named('nothing'));
    const direct = priceUsage(rows, book, { priorUnits: new Map([[tierKey('p', 'Brazil', 'utility', '2026-10'), 1]]) });
    expect(r.actual.rows).toEqual(direct.rows);
    // By hand: utility units 2-3 of the month: 0.0085 + 0.0070; marketing 3 x 0.0625; service 4 x utility 0.0085.
    expect(total(r.actual.rows)).toBe('0.237000'); // 0.0155 + 0.1875 + 0.0340
    expect(total(r.scenario.rows)).toBe('0.237000');
    expect(r.rules).toBe(PRICING_RULES);
  });

  test('prior units: only tiered categories count, per portfolio x market x counter x month', () => {
    const m = priorTierUnits([
      { portfolioId: 'p', market: 'Brazil', category: 'utility', month: '2026-10', units: 5 },
      { portfolioId: 'p', market: 'Brazil', category: 'marketing', month: '2026-10', units: 7 },
      { portfolioId: 'p', market: 'Brazil', category: 'service', month: '2026-10', units: 9 },
      { portfolioId: 'p', market: 'India', category: 'authentication_international', month: '2026-10', units: 2 },
    ]);
    expect([...m.entries()]).toEqual([
      ['p|Brazil|utility|2026-10', 5],
      ['p|India|authentication_international|2026-10', 2],
    ]);
    expect(() => priorTierUnits([{ portfolioId: 'p', market: 'Brazil', category: 'utility', month: '2026-10', units: -1 }])).toThrow(
      'priorUnits[0].units',
    );
  });
});

describe('priceScenario: share of service moved to templates', () => {
  test("50% of Brazil's service to utility templates crosses the tier bound exactly", () => {
    const rows = [row({ day: '2026-10-05', units: 2, category: 'utility' }), row({ day: '2026-10-05', units: 4, category: 'service' })];
    const prior: PriorUnitsRow[] = [{ portfolioId: 'p', market: 'Brazil', category: 'utility', month: '2026-10', units: 1 }];
    const r = priceScenario(rows, prior, book, named('half to templates', { moveService: { share: 50, to: 'utility' } }));
    // Actual: utility units 2-3 = 0.0085 + 0.0070 = 0.0155; service 4 x 0.0085 = 0.0340.
    expect(total(r.actual.rows)).toBe('0.049500');
    // Scenario: 2 service left = 0.0170; utility now 4 units, month units 2-5 = 0.0085 + 3 x 0.0070 = 0.0295.
    expect(costOf(r.scenario.rows, (x) => x.category === 'service')).toBe('0.017000');
    expect(costOf(r.scenario.rows, (x) => x.category === 'utility')).toBe('0.029500');
    expect(r.scenario.tierCounts.get(tierKey('p', 'Brazil', 'utility', '2026-10'))).toBe(5);
    expect(r.scenario.rows.map((x) => [x.category, x.pricingType, x.units])).toEqual([
      ['utility', 'regular', 2],
      ['service', 'regular', 2],
      ['utility', 'regular', 2],
    ]);
  });

  test('moved replies are business-initiated templates (their other dims kept); what stays is user-initiated', () => {
    const rows = [
      row({ day: '2026-10-05', units: 4, category: 'service', dims: { direction: 'user_initiated' } }),
      row({ day: '2026-10-06', units: 4, category: 'service', dims: { direction: 'user_initiated', country: 'BR' } }),
      row({ day: '2026-10-07', units: 4, category: 'service' }),
    ];
    const r = priceScenario(rows, [], book, named('half', { moveService: { share: 50, to: 'utility' } }));
    expect(r.scenario.rows.map((x) => [x.day, x.category, x.units, x.dims])).toEqual([
      ['2026-10-05', 'service', 2, { direction: 'user_initiated' }],
      ['2026-10-05', 'utility', 2, { direction: 'business_initiated' }],
      ['2026-10-06', 'service', 2, { direction: 'user_initiated', country: 'BR' }],
      ['2026-10-06', 'utility', 2, { direction: 'business_initiated', country: 'BR' }],
      ['2026-10-07', 'service', 2, undefined],
      ['2026-10-07', 'utility', 2, undefined],
    ]);
    // The input rows are not touched.
    expect(rows[1]?.dims).toEqual({ direction: 'user_initiated', country: 'BR' });
  });

  test('before 2026-10-01 moved replies are free utility templates inside the window; odd units round half up', () => {
    const rows = [row({ day: '2026-09-10', units: 5, category: 'service', pricingType: 'free_customer_service' })];
    const r = priceScenario(rows, [], book, named('move', { moveService: { share: 50, to: 'utility' } }));
    // 5 x 50% = 2.5 -> 3 moved, 2 left; utility was free inside the window before 2026-10-01.
    expect(r.scenario.rows.map((x) => [x.category, x.pricingType, x.units, x.costMicros])).toEqual([
      ['service', 'free_customer_service', 2, 0n],
      ['utility', 'free_customer_service', 3, 0n],
    ]);
  });

  test('to marketing templates: charged at the marketing rate; CBP rows and free entry point rows never move', () => {
    const rows = [
      row({ day: '2026-10-05', units: 10, category: 'service', market: 'India' }),
      row({ day: '2026-10-05', units: 6, category: 'referral_conversion', pricingType: 'free_entry_point' }),
      row({ day: '2024-09-05', units: 6, category: 'service', pricingModel: 'CBP' }),
    ];
    const r = priceScenario(rows, [], book, named('to marketing', { moveService: { share: 30, to: 'marketing' } }));
    // India: 7 service x 0.0040 = 0.0280 and 3 marketing x 0.0131 = 0.0393.
    expect(costOf(r.scenario.rows, (x) => x.market === 'India')).toBe('0.067300');
    expect(r.scenario.rows.slice(2).map((x) => [x.category, x.units])).toEqual([
      ['referral_conversion', 6],
      ['service', 6],
    ]);
  });
});

describe('priceScenario: rule rows applied from another day', () => {
  test('"service charged from the start of this range": free replies in September become charged at the utility rate', () => {
    const rows = [
      row({ day: '2026-09-20', units: 10, category: 'service', pricingType: 'free_customer_service' }),
      row({ day: '2026-09-20', units: 2, category: 'utility', pricingType: 'free_customer_service' }),
      row({ day: '2026-09-20', units: 3, category: 'referral_conversion', pricingType: 'free_entry_point' }),
    ];
    const r = priceScenario(rows, [], book, named('service from start', { rules: [{ rule: '2026-10-01', from: 'start' }] }));
    expect(total(r.actual.rows)).toBe('0.000000');
    // 10 service x 0.0085 (Brazil utility, the card has no Service rate) = 0.0850; the 2 utility
    // templates in the window are charged too, on the ladder: 2 x 0.0085 = 0.0170; FEP stays free.
    expect(total(r.scenario.rows)).toBe('0.102000');
    expect(r.rules.map((x) => x.from)).toEqual(['2024-11-01', '2025-07-01', '2026-08-01', '2026-09-20']);
  });

  test('the shifted day is a WABA-local day: the day before stays as it was, the day itself changes', () => {
    // São Paulo's 2026-09-20 ends at 2026-09-21T03:00Z; its rows are already WABA-local days, so a
    // rule from 2026-09-21 does not touch them even though part of the day is the 21st in UTC.
    const rows = [
      row({ day: '2026-09-20', units: 4, category: 'service', pricingType: 'free_customer_service' }),
      row({ day: '2026-09-21', units: 4, category: 'service', pricingType: 'free_customer_service' }),
    ];
    const r = priceScenario(rows, [], book, named('from the 21st', { rules: [{ rule: '2026-10-01', from: '2026-09-21' }] }));
    expect(r.scenario.rows.map((x) => [x.day, x.pricingType, formatMicros(x.costMicros ?? -1n, 4)])).toEqual([
      ['2026-09-20', 'free_customer_service', '0.0000'],
      ['2026-09-21', 'regular', '0.0340'],
    ]);
  });

  test('applied later: charged service replies in October are free again; charged utility templates stay charged', () => {
    const rows = [
      row({ day: '2026-10-10', units: 4, category: 'service' }),
      row({ day: '2026-10-10', units: 1, category: 'utility' }),
      row({ day: '2026-11-02', units: 4, category: 'service' }),
    ];
    const r = priceScenario(rows, [], book, named('delayed', { rules: [{ rule: '2026-10-01', from: '2026-11-01' }] }));
    expect(total(r.actual.rows)).toBe('0.076500'); // 8 x 0.0085 + 0.0085
    expect(r.scenario.rows.map((x) => formatMicros(x.costMicros ?? -1n, 4))).toEqual(['0.0000', '0.0085', '0.0340']);
  });

  test('bad shifts are InputErrors naming the field', () => {
    const rows = [row({ day: '2026-10-10', units: 1, category: 'service' })];
    expect(() => priceScenario(rows, [], book, named('x', { rules: [{ rule: '2026-10-02', from: 'start' }] }))).toThrow(
      'scenario.rules[0].rule',
    );
    expect(() => priceScenario(rows, [], book, named('x', { rules: [{ rule: '2026-10-01', from: '10/01' }] }))).toThrow(
      'scenario.rules[0].from',
    );
    expect(() => priceScenario(rows, [], book, named('x', { rules: [{ rule: '2026-10-01', from: '2026-08-01' }] }))).toThrow(
      'two rules on one day',
    );
  });
});

describe('priceScenario: price files and overrides', () => {
  test("next quarter's card and tiers price every day of the range; another currency's file changes nothing", () => {
    const rows = [
      row({ day: '2026-10-05', units: 3, category: 'marketing' }),
      row({ day: '2026-10-05', units: 4, category: 'utility' }),
      row({ day: '2026-10-31', units: 2, category: 'service', market: 'India' }),
    ];
    const r = priceScenario(rows, [], book, named("next quarter's rates", { priceFiles: [nextCard, nextTiers, brlCard] }));
    // Actual: 3 x 0.0625 + (2 x 0.0085 + 2 x 0.0070) + 2 x 0.0040 = 0.1875 + 0.0310 + 0.0080.
    expect(total(r.actual.rows)).toBe('0.226500');
    // Next: 3 x 0.0700 + (2 x 0.0080 + 2 x 0.0060) + 2 x 0.0045 = 0.2100 + 0.0280 + 0.0090.
    expect(total(r.scenario.rows)).toBe('0.247000');
    expect(r.scenario.problems).toEqual([]);
  });

  test('a card without its tier table: tiered rows keep the tiers in force, the card prices the rest', () => {
    const rows = [row({ day: '2026-10-05', units: 3, category: 'marketing' }), row({ day: '2026-10-05', units: 4, category: 'utility' })];
    const r = priceScenario(rows, [], book, named('card only', { priceFiles: [nextCard] }));
    expect(total(r.scenario.rows)).toBe('0.241000'); // 0.2100 + 0.0310
  });

  test('overrides: first match wins; percent of the priced cost (tiers kept), a rate per charged unit (tiers replaced)', () => {
    const rows = [
      row({ day: '2026-10-05', units: 3, category: 'marketing' }),
      row({ day: '2026-10-05', units: 4, category: 'utility' }),
      row({ day: '2026-10-05', units: 3, category: 'marketing', market: 'India' }),
      row({ day: '2026-10-05', units: 5, category: 'service', market: 'India', pricingType: 'free_customer_service' }),
    ];
    const scenario = named('overrides', {
      overrides: [
        { market: 'Brazil', category: 'marketing', percent: 10 },
        { market: 'Brazil', category: 'utility', percent: -50 },
        { market: 'India', rateMicros: parseMicros('0.02', 'rate') },
        { percent: 100 },
      ],
    });
    const r = priceScenario(rows, [], book, scenario);
    expect(r.scenario.rows.map((x) => formatMicros(x.costMicros ?? -1n, 6))).toEqual([
      '0.206250', // 0.1875 x 1.10
      '0.015500', // (2 x 0.0085 + 2 x 0.0070) x 0.5
      '0.060000', // 3 charged x 0.02
      '0.000000', // free: no charged unit to rate
    ]);
    expect(r.scenario.rows[1]?.tiers).toHaveLength(2);
    expect(r.scenario.rows[2]?.tiers).toBeUndefined();
  });

  test('percent rounding is half away from zero per row, in micro-units', () => {
    const rows = [row({ day: '2026-10-05', units: 1, category: 'utility', market: 'India' })];
    const r = priceScenario(rows, [], book, named('third', { overrides: [{ percent: -33.3333 }] }));
    // 0.0014 = 1400 micros x 0.666667 = 933.3338 -> 933.
    expect(r.scenario.rows[0]?.costMicros).toBe(933n);
  });

  test('bad scenarios are InputErrors naming the field', () => {
    const rows = [row({ day: '2026-10-05', units: 1, category: 'marketing' })];
    const cases: [Scenario, string][] = [
      [named(''), 'scenario.name'],
      [named('x', { overrides: [{ market: 'Brazil' }] }), 'scenario.overrides[0]'],
      [named('x', { overrides: [{ percent: -101 }] }), 'scenario.overrides[0].percent'],
      [named('x', { overrides: [{ rateMicros: -1n }] }), 'scenario.overrides[0].rate'],
      [named('x', { moveService: { share: 120, to: 'utility' } }), 'scenario.moveService.share'],
      [named('x', { moveService: { share: 10, to: 'service' as never } }), 'scenario.moveService.to'],
    ];
    for (const [s, field] of cases) {
      let err: unknown;
      try {
        priceScenario(rows, [], book, s);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).field).toBe(field);
    }
  });

  test('no rows: both sides empty', () => {
    const r = priceScenario([], [], book, named('empty', { rules: [{ rule: '2026-10-01', from: 'start' }] }));
    expect(r.actual.rows).toEqual([]);
    expect(r.scenario.rows).toEqual([]);
  });
});

describe('priceScenario: fast paths give what the general path gives', () => {
  test('prior units: 0 is a count; a negative or fractional count names its row', () => {
    const prior = (units: number): PriorUnitsRow[] => [
      { portfolioId: 'p', market: 'Brazil', category: 'utility', month: '2026-10', units: 1 },
      { portfolioId: 'p', market: 'India', category: 'utility', month: '2026-10', units },
    ];
    expect([...priorTierUnits(prior(0)).entries()]).toEqual([
      ['p|Brazil|utility|2026-10', 1],
      ['p|India|utility|2026-10', 0],
    ]);
    for (const units of [-1, 1.5])
      expect(inputErrorOf(() => priorTierUnits(prior(units)))).toEqual({
        field: 'priorUnits[1].units',
        reason: 'must be a whole number >= 0',
      });
  });

  test('rows the scenario leaves alone keep every field, with or without a shifted rules table', () => {
    // A CBP conversation whose later messages add to `messages` only: 2 units, 7 messages.
    const cbpBook = addToPriceBook(book, parseRateCardCsv(USD_CONVERSATION_RATES_2023_06));
    const rows = [
      row({ day: '2024-09-05', units: 2, messages: 7, category: 'marketing', pricingModel: 'CBP' }),
      row({ day: '2026-10-05', units: 3, messages: 3, category: 'marketing', dims: { direction: 'business_initiated' } }),
    ];
    // The second scenario shifts a rule onto its own day: a new table with the same rules (the general path).
    for (const s of [named('same table'), named('same rules', { rules: [{ rule: '2026-10-01', from: '2026-10-01' }] })]) {
      const r = priceScenario(rows, [], cbpBook, s);
      expect(r.scenario.rows).toEqual(r.actual.rows);
      // 2 conversations x 0.0625; 3 messages x 0.0625.
      expect(r.scenario.rows.map((x) => [x.units, x.messages, formatMicros(x.costMicros ?? -1n, 4)])).toEqual([
        [2, 7, '0.1250'],
        [3, 3, '0.1875'],
      ]);
    }
  });

  test('rules looked up per run of one day: days out of order, same table or a copy of its rules', () => {
    const rows = [
      row({ day: '2026-09-30', units: 4, category: 'service', pricingType: 'free_customer_service' }),
      row({ day: '2026-10-01', units: 4, category: 'service' }),
      row({ day: '2026-09-30', units: 2, category: 'utility', pricingType: 'free_customer_service' }),
      row({ day: '2026-10-01', units: 1, category: 'utility' }),
    ];
    const move = { share: 25, to: 'utility' } as const;
    // By hand: 25% of 4 = 1 unit moves from each service row. On 09-30 replies and utility templates
    // are free in the window: all free. On 10-01 3 service units at Brazil's utility rate 0.0085
    // (untiered) = 0.0255; the moved unit and the utility unit are the month's charged utility units
    // 1-2, at 0.0085 each.
    const want = [
      ['2026-09-30', 'service', 'free_customer_service', 3, '0.0000'],
      ['2026-09-30', 'utility', 'free_customer_service', 1, '0.0000'],
      ['2026-10-01', 'service', 'regular', 3, '0.0255'],
      ['2026-10-01', 'utility', 'regular', 1, '0.0085'],
      ['2026-09-30', 'utility', 'free_customer_service', 2, '0.0000'],
      ['2026-10-01', 'utility', 'regular', 1, '0.0085'],
    ];
    for (const s of [
      named('move', { moveService: move }),
      named('move', { moveService: move, rules: [{ rule: '2026-10-01', from: '2026-10-01' }] }),
    ]) {
      const r = priceScenario(rows, [], book, s);
      expect(r.scenario.rows.map((x) => [x.day, x.category, x.pricingType, x.units, formatMicros(x.costMicros ?? -1n, 4)])).toEqual(want);
      expect(total(r.scenario.rows)).toBe('0.042500');
    }
  });

  test('moved replies are business-initiated whatever the order of their dims keys', () => {
    const rows = [
      row({ day: '2026-10-05', units: 2, category: 'service', dims: { country: 'BR', direction: 'user_initiated' } }),
      row({ day: '2026-10-05', units: 2, category: 'service', dims: { direction: 'user_initiated' } }),
    ];
    const r = priceScenario(rows, [], book, named('half', { moveService: { share: 50, to: 'marketing' } }));
    expect(r.scenario.rows.map((x) => [x.category, x.dims])).toEqual([
      ['service', { country: 'BR', direction: 'user_initiated' }],
      ['marketing', { country: 'BR', direction: 'business_initiated' }],
      ['service', { direction: 'user_initiated' }],
      ['marketing', { direction: 'business_initiated' }],
    ]);
  });

  test("a flat rate answers the book's problems about the rows it prices; a percentage of no price does not", () => {
    // Chile is on neither card. Next quarter's card is dated to the first day while the tier table
    // stays at 2026-07-01: Brazil's tiered utility gets a stale-tier problem in the scenario.
    const rows = [
      row({ day: '2026-10-05', units: 2, category: 'marketing', market: 'Chile' }),
      row({ day: '2026-10-05', units: 1, category: 'utility', market: 'Chile' }),
      row({ day: '2026-10-05', units: 3, category: 'utility' }),
      row({ day: '2026-10-05', units: 4, category: 'marketing', market: 'Chile', pricingType: 'brand_new_type' }),
    ];
    const flat = priceScenario(
      rows,
      [],
      book,
      named('flat', {
        priceFiles: [nextCard],
        overrides: [
          { market: 'Chile', category: 'marketing', rateMicros: 50_000n },
          { market: 'Brazil', category: 'utility', rateMicros: 10_000n },
          { market: 'Chile', percent: 10 },
        ],
      }),
    );
    const codes = (problems: readonly { code: string; market?: string; category?: string }[]) =>
      problems.map((p) => `${p.code} ${p.market} ${p.category}`);
    expect(codes(flat.actual.problems)).toEqual([
      'no_rate Chile marketing',
      'no_rate Chile utility',
      'unknown_pricing_type Chile marketing',
    ]);
    // Chile marketing 2 x 0.05; Brazil utility 3 x 0.01; Chile utility: 10 % more than no price is no
    // price; the verdict waspend does not know stays unpriced (0 units known charged, not 0 x 0.05).
    expect(flat.scenario.rows.map((r) => (r.costMicros === null ? null : formatMicros(r.costMicros, 6)))).toEqual([
      '0.100000',
      null,
      '0.030000',
      null,
    ]);
    expect(codes(flat.scenario.problems)).toEqual(['no_rate Chile utility', 'unknown_pricing_type Chile marketing']);
    // Without the flat Brazil rate the stale tier table still prices Brazil's utility, and says so.
    const tiered = priceScenario(
      rows,
      [],
      book,
      named('tiered', { priceFiles: [nextCard], overrides: [{ market: 'Chile', percent: 10 }] }),
    );
    expect(codes(tiered.scenario.problems)).toEqual([
      'no_rate Chile marketing',
      'no_rate Chile utility',
      'stale_tier_table Brazil utility',
      'unknown_pricing_type Chile marketing',
    ]);
  });

  test('overrides: `*` and the empty string match any market, category or currency; none or no match changes nothing', () => {
    const rows = [
      row({ day: '2026-10-05', units: 3, category: 'marketing' }),
      row({ day: '2026-10-05', units: 1, category: 'utility', market: 'India' }),
    ];
    const r = priceScenario(
      rows,
      [],
      book,
      named('wildcards', {
        overrides: [
          { market: '*', category: 'marketing', currency: '*', percent: 100 },
          { market: 'India', category: '', currency: '', rateMicros: parseMicros('0.01', 'rate') },
        ],
      }),
    );
    // 3 x 0.0625 x 2; 1 charged unit x 0.01.
    expect(r.scenario.rows.map((x) => formatMicros(x.costMicros ?? -1n, 6))).toEqual(['0.375000', '0.010000']);
    for (const overrides of [[], [{ market: 'Chile', percent: 50 }]]) {
      const same = priceScenario(rows, [], book, named('no change', { overrides }));
      expect(same.scenario.rows).toEqual(same.actual.rows);
      expect(total(same.scenario.rows)).toBe('0.188900'); // 0.1875 + 0.0014
    }
  });
});

describe('scenarioBook', () => {
  const calls = parseCallRateCsv(USD_CALL_RATES_2025_08, { effectiveFrom: '2025-08-01', currency: 'USD' });
  const withCalls = addToPriceBook(book, calls);

  test("a file replaces only its own slot, dated to the first priced day; the other kinds' entries stay", () => {
    const cardOnly = scenarioBook(withCalls, [nextCard], '2026-10-05');
    expect(cardOnly.rateCards).toEqual([{ ...nextCard.entry, effectiveFrom: '2026-10-05' }]);
    expect(cardOnly.tierTables).toEqual(withCalls.tierTables);
    expect(cardOnly.callRateCards).toEqual([calls]);
    const nextCalls = {
      name: 'usd-calls.csv',
      entry: parseCallRateCsv(USD_CALL_RATES_2025_08, { effectiveFrom: '2027-01-01', currency: 'USD' }),
    };
    const callsOnly = scenarioBook(withCalls, [nextCalls], '2026-10-05');
    expect(callsOnly.rateCards).toEqual(withCalls.rateCards);
    expect(callsOnly.callRateCards).toEqual([{ ...nextCalls.entry, effectiveFrom: '2026-10-05' }]);
  });

  test('no files: the same entries', () => {
    expect(scenarioBook(withCalls, [], '2026-10-05')).toEqual(withCalls);
  });
});
