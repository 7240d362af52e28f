import type { DataFrame } from '@grafana/data';
import { priceBookFromJson, type Scenario } from '@core';
import { pricingInputResponse, type PriceFileItem, type PricingInputResponse } from '@contract';
import { parseOverrides, parseRuleShifts, parseShare, scenarioFilesOf, selectPriceFiles, toScenario } from '../query/what-if-scenario';
import { buildWhatIfFrames } from './what-if-frames';

// Invented rates (not Meta's), as /api/v1/price-book and /api/v1/price-files/{name} send them.
// Germany's card has no Service rate: charged service replies take its Utility rate (from 2026-10-01).
const BOOK_JSON = {
  version: 1,
  rateCards: [
    { currency: 'EUR', effectiveFrom: '2026-10-01', unit: 'message', rates: { Germany: { marketing: '0.1365', utility: '0.0550' } } },
  ],
  tierTables: [
    {
      currency: 'EUR',
      effectiveFrom: '2026-10-01',
      tiers: {
        Germany: {
          utility: [
            { lower: 0, upper: 3, rate: '0.0550' },
            { lower: 4, upper: null, rate: '0.0400' },
          ],
        },
      },
    },
  ],
  callRateCards: [],
};
const NEXT_JSON = {
  version: 1,
  rateCards: [
    { currency: 'EUR', effectiveFrom: '2027-01-01', unit: 'message', rates: { Germany: { marketing: '0.1500', utility: '0.0500' } } },
  ],
  tierTables: [
    {
      currency: 'EUR',
      effectiveFrom: '2027-01-01',
      tiers: {
        Germany: {
          utility: [
            { lower: 0, upper: 3, rate: '0.0500' },
            { lower: 4, upper: null, rate: '0.0350' },
          ],
        },
      },
    },
  ],
  callRateCards: [],
};
const ITEMS: PriceFileItem[] = [
  { name: 'eur-q4.csv', kind: 'rates', currency: 'EUR', effectiveFrom: '2026-10-01', importedAt: 1 },
  { name: 'eur-next.csv', kind: 'rates', currency: 'EUR', effectiveFrom: '2027-01-01', importedAt: 2 },
  { name: 'eur-next-tiers.csv', kind: 'tiers', currency: 'EUR', effectiveFrom: '2027-01-01', importedAt: 3 },
  { name: 'eur-next-calls.csv', kind: 'call_rates', currency: 'EUR', effectiveFrom: '2027-01-01', importedAt: 4 },
];

// Berlin (CET after 2026-10-25): WABA-local midnight of 2026-11-02 is 2026-11-01T23:00Z.
const D1 = Date.UTC(2026, 10, 1, 23);
const D2 = Date.UTC(2026, 10, 2, 23);
const NOV = Date.UTC(2026, 9, 31, 23);
const base = { wabaId: 'W', portfolioId: 'P', currency: 'EUR', market: 'Germany', pricingModel: 'PMP' as const };
const BI = { direction: 'business_initiated' };
const UI = { direction: 'user_initiated' };
const INPUT: PricingInputResponse = pricingInputResponse.parse({
  rows: [
    { ...base, day: '2026-11-02', time: D1, category: 'marketing', pricingType: 'regular', units: 2, dims: BI },
    { ...base, day: '2026-11-02', time: D1, category: 'utility', pricingType: 'regular', units: 2, dims: BI },
    { ...base, day: '2026-11-02', time: D1, category: 'service', pricingType: 'regular', units: 3, dims: UI },
    { ...base, day: '2026-11-03', time: D2, category: 'utility', pricingType: 'regular', units: 3, dims: BI },
    { ...base, day: '2026-11-03', time: D2, category: 'marketing', pricingType: 'regular', units: 1, dims: BI },
  ],
  // One utility message charged earlier in November: the range's first utility message is the month's second.
  priorUnits: [{ portfolioId: 'P', market: 'Germany', category: 'utility', month: '2026-11', units: 1 }],
});
const BOOK = priceBookFromJson(BOOK_JSON);
const ZONES = new Map([['W', 'Europe/Berlin']]);

const fieldsOf = (f: DataFrame) =>
  Object.fromEntries(f.fields.map((x) => [x.config.displayNameFromDS ?? x.name, [...(x.values as unknown as (number | null)[])]]));

function nextQuarter(): Scenario {
  const chosen = selectPriceFiles('latest', ITEMS);
  const files = [...new Set(chosen.map((c) => c.name))].flatMap((name) => scenarioFilesOf(name, NEXT_JSON, chosen));
  return toScenario(
    { scenarioName: 'Next quarter', priceFiles: 'latest', ruleShifts: '', overrides: '', moveShare: '', moveTo: 'utility' },
    files,
  );
}

describe('buildWhatIfFrames (prices by hand from the rows and cards above)', () => {
  test("next quarter's card and tiers, by category, per day: actual, scenario and difference", () => {
    const frames = buildWhatIfFrames(INPUT, BOOK, nextQuarter(), { refId: 'A', groupBy: ['category'], interval: 'day', timeZones: ZONES });
    expect(frames.map((f) => f.name)).toEqual(['Marketing · Next quarter', 'Service · Next quarter', 'Utility · Next quarter']);
    // Marketing: actual 2 x 0.1365 = 0.2730, 1 x 0.1365; next 2 x 0.1500 = 0.3000, 0.1500.
    expect(fieldsOf(frames[0]!)).toEqual({
      Time: [D1, D2],
      'Marketing · Actual': [0.273, 0.1365],
      'Marketing · Next quarter': [0.3, 0.15],
      'Marketing · Next quarter − actual': [0.027, 0.0135],
    });
    // Service (charged, no Service column): 3 x the card's utility rate, 0.0550 now, 0.0500 next.
    expect(fieldsOf(frames[1]!)).toEqual({
      Time: [D1],
      'Service · Actual': [0.165],
      'Service · Next quarter': [0.15],
      'Service · Next quarter − actual': [-0.015],
    });
    // Utility on the ladder after 1 prior unit: month units 2-3 in tier 1 (0.0550 / next 0.0500), then
    // units 4-6 in tier 2 (0.0400 / next 0.0350): 0.1100, 0.1200 against 0.1000, 0.1050.
    expect(fieldsOf(frames[2]!)).toEqual({
      Time: [D1, D2],
      'Utility · Actual': [0.11, 0.12],
      'Utility · Next quarter': [0.1, 0.105],
      'Utility · Next quarter − actual': [-0.01, -0.015],
    });
    const scenarioField = frames[0]!.fields[2]!;
    expect(scenarioField.labels).toEqual({ category: 'marketing', scenario: 'Next quarter' });
    expect(scenarioField.config.unit).toBe('currencyEUR');
  });

  test('half of service moved to utility templates, per WABA-local month, ungrouped: the moved units climb the tiers', () => {
    const scenario = toScenario(
      { scenarioName: 'Replies as templates', priceFiles: '', ruleShifts: '', overrides: '', moveShare: '50', moveTo: 'utility' },
      [],
    );
    const [frame, ...rest] = buildWhatIfFrames(INPUT, BOOK, scenario, { refId: 'A', groupBy: [], interval: 'month', timeZones: ZONES });
    expect(rest).toEqual([]);
    // Actual: 0.2730 + 0.1100 + 0.1650 + 0.1200 + 0.1365 = 0.8045.
    // Scenario: 3 x 50% = 1.5 -> 2 replies moved, 1 left (0.0550). Utility month units: prior 1, then
    // 2-3 (tier 1, 0.1100), the 2 moved as 4-5 (tier 2, 0.0800), the 3rd's 6-8 (tier 2, 0.1200);
    // marketing unchanged 0.4095. Total 0.0550 + 0.1100 + 0.0800 + 0.1200 + 0.4095 = 0.7745.
    expect(fieldsOf(frame!)).toEqual({
      Time: [NOV],
      Actual: [0.8045],
      'Replies as templates': [0.7745],
      'Replies as templates − actual': [-0.03],
    });
    expect(frame!.name).toBe('Replies as templates');
  });

  test('per month, each row in the month of its own WABA and zone: WABAs meeting on a day, a WABA crossing a month', () => {
    // W (Berlin) and W2 (UTC) on 11-01, then W2 on 12-01: one marketing message each, 0.1365 (the card
    // of 2026-10-01 is still in force in December). Berlin's November starts at 10-31 23:00 UTC, UTC's
    // at 11-01 00:00, and W2's December at 12-01 00:00: three buckets.
    const input = pricingInputResponse.parse({
      rows: [
        { ...base, day: '2026-11-01', time: Date.UTC(2026, 9, 31, 23), category: 'marketing', pricingType: 'regular', units: 1, dims: BI },
        {
          ...base,
          wabaId: 'W2',
          day: '2026-11-01',
          time: Date.UTC(2026, 10, 1),
          category: 'marketing',
          pricingType: 'regular',
          units: 1,
          dims: BI,
        },
        {
          ...base,
          wabaId: 'W2',
          day: '2026-12-01',
          time: Date.UTC(2026, 11, 1),
          category: 'marketing',
          pricingType: 'regular',
          units: 1,
          dims: BI,
        },
      ],
      priorUnits: [],
    });
    const same = toScenario({ scenarioName: 'Same', priceFiles: '', ruleShifts: '', overrides: '', moveShare: '', moveTo: 'utility' }, []);
    const zones = new Map([...ZONES, ['W2', 'UTC']]);
    const [frame] = buildWhatIfFrames(input, BOOK, same, { refId: 'A', groupBy: [], interval: 'month', timeZones: zones });
    expect(fieldsOf(frame!)).toEqual({
      Time: [NOV, Date.UTC(2026, 10, 1), Date.UTC(2026, 11, 1)],
      Actual: [0.1365, 0.1365, 0.1365],
      Same: [0.1365, 0.1365, 0.1365],
      'Same − actual': [0, 0, 0],
    });
  });

  test('overrides and a rule shift from the typed text; hours refused; an unlisted WABA named', () => {
    const scenario = toScenario(
      {
        scenarioName: 'Dearer marketing',
        priceFiles: '',
        ruleShifts: '2026-10-01@2026-11-03',
        overrides: 'Germany/marketing +10%; */service =0.0100',
        moveShare: '',
        moveTo: 'utility',
      },
      [],
    );
    const frames = buildWhatIfFrames(INPUT, BOOK, scenario, { refId: 'A', groupBy: ['category'], interval: 'day', timeZones: ZONES });
    // Shifting the 2026-10-01 row to 2026-11-03 frees 2026-11-02's charged service replies (0), and the
    // override prices service at 0.0100 per charged unit (none left); marketing 0.2730 x 1.1 = 0.3003, 0.1365 x 1.1 = 0.15015.
    expect(fieldsOf(frames[0]!)['Marketing · Dearer marketing']).toEqual([0.3003, 0.15015]);
    expect(fieldsOf(frames[1]!)['Service · Dearer marketing']).toEqual([0]);
    expect(() => buildWhatIfFrames(INPUT, BOOK, scenario, { refId: 'A', groupBy: [], interval: 'hour', timeZones: ZONES })).toThrow(
      'interval',
    );
    expect(() => buildWhatIfFrames(INPUT, BOOK, scenario, { refId: 'A', groupBy: [], interval: 'month', timeZones: new Map() })).toThrow(
      'wabas',
    );
  });
});

describe('what-if scenario text', () => {
  test('price files: a name, a day, latest (call rates only by name); unknown tokens named', () => {
    expect(selectPriceFiles('latest', ITEMS).map((f) => f.name)).toEqual(['eur-next.csv', 'eur-next-tiers.csv']);
    expect(selectPriceFiles('2026-10-01, eur-next-calls.csv', ITEMS).map((f) => f.name)).toEqual(['eur-q4.csv', 'eur-next-calls.csv']);
    expect(() => selectPriceFiles('nope.csv', ITEMS)).toThrow('priceFiles: "nope.csv" matches no stored price file');
  });

  test('rule shifts, overrides and share parse exactly or name the field', () => {
    expect(parseRuleShifts('2026-10-01@start, 2026-08-01 -> 2026-09-01')).toEqual([
      { rule: '2026-10-01', from: 'start' },
      { rule: '2026-08-01', from: '2026-09-01' },
    ]);
    expect(parseOverrides('North America/utility/usd -12.5%\nIndia/* =0.0012')).toEqual([
      { market: 'North America', category: 'utility', currency: 'USD', percent: -12.5 },
      { market: 'India', category: '*', rateMicros: 1200n },
    ]);
    expect(parseShare(' 30% ')).toBe(30);
    expect(parseShare('')).toBeUndefined();
    expect(() => parseRuleShifts('2026-10-01')).toThrow('ruleShifts');
    expect(() => parseOverrides('India marketing 10%')).toThrow('overrides');
    expect(() => parseOverrides('India/marketing -150%')).toThrow('more than 100%');
    expect(() => parseShare('120')).toThrow('moveShare');
    expect(() =>
      toScenario({ scenarioName: ' ', priceFiles: '', ruleShifts: '', overrides: '', moveShare: '', moveTo: 'utility' }, []),
    ).toThrow('scenarioName');
    expect(() =>
      toScenario({ scenarioName: 'x', priceFiles: '', ruleShifts: '', overrides: '', moveShare: '5', moveTo: 'service' }, []),
    ).toThrow('moveTo');
  });
});

describe('buildWhatIfFrames: every cell, field and notice (by hand)', () => {
  const same = (name: string, overrides = '', moveShare = '') =>
    toScenario({ scenarioName: name, priceFiles: '', ruleShifts: '', overrides, moveShare, moveTo: 'utility' }, []);

  test('grouped by WABA, market and pricing type: each value its own series', () => {
    // Austria gets a marketing rate of its own (0.1000); W2 keeps UTC days.
    const book = priceBookFromJson({
      ...BOOK_JSON,
      rateCards: [
        {
          currency: 'EUR',
          effectiveFrom: '2026-10-01',
          unit: 'message',
          rates: { Germany: { marketing: '0.1365', utility: '0.0550' }, Austria: { marketing: '0.1000' } },
        },
      ],
    });
    const w2Day = Date.UTC(2026, 10, 2);
    const input = pricingInputResponse.parse({
      rows: [
        { ...base, day: '2026-11-02', time: D1, category: 'marketing', pricingType: 'regular', units: 2, dims: BI },
        { ...base, day: '2026-11-02', time: D1, market: 'Austria', category: 'marketing', pricingType: 'regular', units: 3, dims: BI },
        { ...base, day: '2026-11-02', time: D1, category: 'service', pricingType: 'free_customer_service', units: 4, dims: UI },
        { ...base, wabaId: 'W2', day: '2026-11-02', time: w2Day, category: 'marketing', pricingType: 'regular', units: 1, dims: BI },
      ],
      priorUnits: [],
    });
    const zones = new Map([...ZONES, ['W2', 'UTC']]);
    const frames = buildWhatIfFrames(input, book, same('Same'), {
      refId: 'A',
      groupBy: ['waba', 'market', 'pricing_type'],
      interval: 'day',
      timeZones: zones,
    });
    const table = frames.map((f) => [f.fields[1]!.labels, ...Object.values(fieldsOf(f))]);
    // Germany marketing 2 x 0.1365; Austria 3 x 0.1000; free service replies 0; W2's one message 0.1365.
    expect(table).toEqual([
      [{ waba: 'W', market: 'Austria', pricing_type: 'regular' }, [D1], [0.3], [0.3], [0]],
      [{ waba: 'W', market: 'Germany', pricing_type: 'free_customer_service' }, [D1], [0], [0], [0]],
      [{ waba: 'W', market: 'Germany', pricing_type: 'regular' }, [D1], [0.273], [0.273], [0]],
      [{ waba: 'W2', market: 'Germany', pricing_type: 'regular' }, [w2Day], [0.1365], [0.1365], [0]],
    ]);
  });

  test('rows without a price: null cells and differences, notices once on the first frame, days in order', () => {
    // France has no rate on the card. The scenario prices France's marketing at 0.1000 a message
    // (an override), not its utility. Germany's days come in the order 11-03, 11-02.
    const input = pricingInputResponse.parse({
      rows: [
        { ...base, day: '2026-11-03', time: D2, category: 'marketing', pricingType: 'regular', units: 1, dims: BI },
        { ...base, day: '2026-11-02', time: D1, category: 'marketing', pricingType: 'regular', units: 2, dims: BI },
        { ...base, day: '2026-11-02', time: D1, market: 'France', category: 'marketing', pricingType: 'regular', units: 2, dims: BI },
        { ...base, day: '2026-11-03', time: D2, market: 'France', category: 'utility', pricingType: 'regular', units: 1, dims: BI },
      ],
      priorUnits: [],
    });
    const frames = buildWhatIfFrames(input, BOOK, same('France priced', 'France/marketing =0.1000'), {
      refId: 'B',
      groupBy: ['market'],
      interval: 'day',
      timeZones: ZONES,
    });
    expect(frames.map((f) => f.name)).toEqual(['France · France priced', 'Germany · France priced']);
    const [france, germany] = frames as [DataFrame, DataFrame];
    // France 11-02: actual unpriced (null), scenario 2 x 0.1000; 11-03: utility unpriced on both sides.
    expect(fieldsOf(france)).toEqual({
      Time: [D1, D2],
      'France · Actual': [null, null],
      'France · France priced': [0.2, null],
      'France · France priced − actual': [null, null],
    });
    expect(fieldsOf(germany)).toEqual({
      Time: [D1, D2],
      'Germany · Actual': [0.273, 0.1365],
      'Germany · France priced': [0.273, 0.1365],
      'Germany · France priced − actual': [0, 0],
    });
    expect(france.fields.map((f) => [f.name, f.labels])).toEqual([
      ['Time', undefined],
      ['Actual', { market: 'France' }],
      ['France priced', { market: 'France', scenario: 'France priced' }],
      ['Difference', { market: 'France', scenario: 'France priced' }],
    ]);
    expect(france.refId).toBe('B');
    const marketing = 'The EUR rate card from 2026-10-01 has no marketing rate for France';
    const utility = 'The EUR rate card from 2026-10-01 has no utility rate for France';
    expect(france.meta?.notices).toEqual([
      { severity: 'warning', text: `actual: no_rate: ${marketing}` },
      { severity: 'warning', text: `actual: no_rate: ${utility}` },
      { severity: 'warning', text: `France priced: no_rate: ${utility}` },
    ]);
    expect(germany.meta).toBeUndefined();
  });

  test('a gap met on two days is one notice per side, not one per day', () => {
    // France (no rate on the card) has marketing on 11-02 and 11-03: core reports the gap for each day.
    const input = pricingInputResponse.parse({
      rows: [
        { ...base, day: '2026-11-02', time: D1, market: 'France', category: 'marketing', pricingType: 'regular', units: 2, dims: BI },
        { ...base, day: '2026-11-03', time: D2, market: 'France', category: 'marketing', pricingType: 'regular', units: 1, dims: BI },
      ],
      priorUnits: [],
    });
    const [france] = buildWhatIfFrames(input, BOOK, same('Same', ''), { refId: 'C', groupBy: [], interval: 'day', timeZones: ZONES });
    const gap = 'no_rate: The EUR rate card from 2026-10-01 has no marketing rate for France';
    expect(fieldsOf(france!)).toEqual({ Time: [D1, D2], Actual: [null, null], Same: [null, null], 'Same − actual': [null, null] });
    expect(france!.meta?.notices).toEqual([
      { severity: 'warning', text: `actual: ${gap}` },
      { severity: 'warning', text: `Same: ${gap}` },
    ]);
  });

  test("a scenario card without the actual's market: the scenario cell and the difference are null, the actual kept", () => {
    // The chosen card prices France only; Germany's marketing (2 x 0.1365 actually) has no scenario price.
    const franceOnly = priceBookFromJson({
      version: 1,
      rateCards: [{ currency: 'EUR', effectiveFrom: '2027-01-01', unit: 'message', rates: { France: { marketing: '0.1000' } } }],
      tierTables: [],
      callRateCards: [],
    });
    const scenario: Scenario = { name: 'France card', priceFiles: [{ name: 'eur-france.csv', entry: franceOnly.rateCards[0]! }] };
    const input = pricingInputResponse.parse({
      rows: [{ ...base, day: '2026-11-02', time: D1, category: 'marketing', pricingType: 'regular', units: 2, dims: BI }],
      priorUnits: [],
    });
    const [frame] = buildWhatIfFrames(input, BOOK, scenario, { refId: 'A', groupBy: [], interval: 'day', timeZones: ZONES });
    expect(fieldsOf(frame!)).toEqual({ Time: [D1], Actual: [0.273], 'France card': [null], 'France card − actual': [null] });
  });

  test('all service replies moved to templates: the side without rows costs 0 (not null), moved rows on their day', () => {
    const frames = buildWhatIfFrames(INPUT, BOOK, same('All as templates', '', '100'), {
      refId: 'A',
      groupBy: ['category'],
      interval: 'day',
      timeZones: ZONES,
    });
    expect(frames.map((f) => f.name)).toEqual(['Marketing · All as templates', 'Service · All as templates', 'Utility · All as templates']);
    // Service on 11-02: 3 x 0.0550 actually, none left in the scenario.
    expect(fieldsOf(frames[1]!)).toEqual({
      Time: [D1],
      'Service · Actual': [0.165],
      'Service · All as templates': [0],
      'Service · All as templates − actual': [-0.165],
    });
    // Utility on the ladder after 1 prior unit. Actual: 11-02 units 2-3 (tier 1, 0.1100), 11-03 units
    // 4-6 (tier 2, 0.1200). Scenario: 11-02 the 2 sent (2-3, 0.1100) and the 3 moved (4-6, 0.1200),
    // 0.2300 on 11-02's WABA-local midnight; 11-03's 3 as units 7-9 (0.1200).
    expect(fieldsOf(frames[2]!)).toEqual({
      Time: [D1, D2],
      'Utility · Actual': [0.11, 0.12],
      'Utility · All as templates': [0.23, 0.12],
      'Utility · All as templates − actual': [0.12, 0],
    });
  });

  test('refusals name the field, the value and why', () => {
    expect(() => buildWhatIfFrames(INPUT, BOOK, same('x'), { refId: 'A', groupBy: [], interval: 'hour', timeZones: ZONES })).toThrow(
      'interval: "hour" what-if prices whole WABA-local days: use day or month',
    );
    expect(() => buildWhatIfFrames(INPUT, BOOK, same('x'), { refId: 'A', groupBy: [], interval: 'month', timeZones: new Map() })).toThrow(
      'wabas: "W" is not a WABA the connector lists; its month cannot be placed',
    );
  });
});
