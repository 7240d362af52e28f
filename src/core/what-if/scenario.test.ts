import { formatMicros, sumMicros } from '../model/money';
import type { PricedRow, UsageRow } from '../model/usage';
import { PRICING_RULES } from '../rules/pricing-rules';
import { inputErrorOf } from '../test-fixtures/input-error-of';
import { buildTestBook, usageRow } from '../test-fixtures/test-book';
import { priceScenario } from './price-scenario';
import { shiftRules, type Scenario } from './scenario';

// The invented USD book: India on 2026-10-05 has marketing 0.0131 and utility 0.0014 (no Service
// rate: from 2026-10-01 service takes the utility rate, untiered).
const book = buildTestBook();
const MARKETING = [usageRow({ day: '2026-10-05', units: 3 })];
const SERVICE = [usageRow({ day: '2026-10-05', units: 10, category: 'service' })];

const named = (name: string, rest: Omit<Scenario, 'name'> = {}): Scenario => ({ name, ...rest });
const total = (rows: readonly PricedRow[]) => formatMicros(sumMicros(rows.map((r) => r.costMicros ?? 0n)), 4);
/** The verdict on a scenario priced over `rows` (an InputError's field and reason, or null). */
const verdict = (s: Scenario, rows: readonly UsageRow[] = MARKETING) => inputErrorOf(() => priceScenario(rows, [], book, s));

const RULE_DAYS = '2024-11-01, 2025-07-01, 2026-08-01, 2026-10-01';

describe('assertScenario: every refusal names its field and says why', () => {
  test('the name: missing, not a string, empty or blank', () => {
    const noName = { field: 'scenario.name', reason: 'must name the scenario' };
    expect(verdict(undefined as never)).toEqual(noName);
    expect(verdict({ name: 5 } as never)).toEqual(noName);
    expect(verdict(named(''))).toEqual(noName);
    expect(verdict(named('   '))).toEqual(noName);
    expect(verdict(named(' a '))).toBeNull();
  });

  test('price files: each needs a parsed entry and a non-empty string name; the index is the bad one', () => {
    const good = { name: 'usd.csv', entry: book.rateCards[1] as never };
    const bad = (file: unknown) => verdict(named('x', { priceFiles: [good, file as never] }));
    const refused = { field: 'scenario.priceFiles[1]', reason: 'must be a named, parsed price file' };
    expect(bad(null)).toEqual(refused);
    expect(bad({ name: 'usd.csv' })).toEqual(refused);
    expect(bad({ name: 5, entry: good.entry })).toEqual(refused);
    expect(bad({ name: '', entry: good.entry })).toEqual(refused);
    expect(bad(good)).toBeNull();
  });

  test('rule shifts: an unknown rule lists the table, a rule shifted twice, a day that is not a day', () => {
    expect(verdict(named('x', { rules: [null as never] }))).toEqual({
      field: 'scenario.rules[0].rule',
      reason: `is not a row of the rules table (${RULE_DAYS})`,
    });
    expect(verdict(named('x', { rules: [{ rule: '2026-10-02', from: 'start' }] }))).toEqual({
      field: 'scenario.rules[0].rule',
      reason: `is not a row of the rules table (${RULE_DAYS})`,
    });
    const twice = [
      { rule: '2026-10-01', from: 'start' },
      { rule: '2026-10-01', from: '2026-11-01' },
    ];
    expect(verdict(named('x', { rules: twice }))).toEqual({ field: 'scenario.rules[1].rule', reason: 'is shifted twice' });
    const notADay = { field: 'scenario.rules[1].from', reason: 'must be a day YYYY-MM-DD or "start"' };
    for (const from of ['next week', '2026-02-30'])
      expect(
        verdict(
          named('x', {
            rules: [
              { rule: '2026-08-01', from: 'start' },
              { rule: '2026-10-01', from },
            ],
          }),
        ),
      ).toEqual(notADay);
  });

  test('overrides: exactly one of percent or rate, percent >= -100 and finite, rate a bigint >= 0', () => {
    const one = (o: unknown) => verdict(named('x', { overrides: [{ percent: 5 }, o as never] }));
    const neither = { field: 'scenario.overrides[1]', reason: 'needs exactly one of percent or rate' };
    expect(one(null)).toEqual(neither);
    expect(one({ market: 'India' })).toEqual(neither);
    expect(one({ percent: 5, rateMicros: 10n })).toEqual(neither);
    const percent = { field: 'scenario.overrides[1].percent', reason: 'must be a number >= -100' };
    expect(one({ percent: -100.5 })).toEqual(percent);
    expect(one({ percent: Number.NaN })).toEqual(percent);
    expect(one({ percent: Number.POSITIVE_INFINITY })).toEqual(percent);
    const rate = { field: 'scenario.overrides[1].rate', reason: 'must be a rate >= 0' };
    expect(one({ rateMicros: -1n })).toEqual(rate);
    expect(one({ rateMicros: 5 })).toEqual(rate);
  });

  test('the bounds are allowed: -100% and a rate of 0 price every matching row at 0', () => {
    // Actual: 3 x 0.0131.
    for (const o of [{ percent: -100 }, { rateMicros: 0n }]) {
      const r = priceScenario(MARKETING, [], book, named('free', { overrides: [o] }));
      expect([total(r.actual.rows), total(r.scenario.rows)]).toEqual(['0.0393', '0.0000']);
    }
  });

  test('moving service: share a finite percentage 0..100, target one of the template categories', () => {
    const share = { field: 'scenario.moveService.share', reason: 'must be a percentage from 0 to 100' };
    for (const s of [-1, -0.0001, 100.0001, 120, Number.NaN, Number.POSITIVE_INFINITY])
      expect(verdict(named('x', { moveService: { share: s, to: 'marketing' } }))).toEqual(share);
    expect(verdict(named('x', { moveService: { share: 10, to: 'service' as never } }))).toEqual({
      field: 'scenario.moveService.to',
      reason: 'must be one of utility, marketing, authentication',
    });
  });

  test('a share of 0 moves nothing; 100 moves every unit and leaves no service row', () => {
    // 10 India service units at the utility rate 0.0014 = 0.0140; as marketing templates 10 x 0.0131.
    const none = priceScenario(SERVICE, [], book, named('none', { moveService: { share: 0, to: 'marketing' } }));
    expect(none.scenario.rows.map((x) => [x.category, x.units])).toEqual([['service', 10]]);
    expect(total(none.scenario.rows)).toBe('0.0140');
    const all = priceScenario(SERVICE, [], book, named('all', { moveService: { share: 100, to: 'marketing' } }));
    expect(all.scenario.rows.map((x) => [x.category, x.units])).toEqual([['marketing', 10]]);
    expect(total(all.scenario.rows)).toBe('0.1310');
  });
});

describe('shiftRules: two rules on one day name the shift that put one there', () => {
  test('a dated shift landing on another rule, second in the list', () => {
    const rows = [usageRow({ day: '2026-09-20', units: 1 })];
    const rules = [
      { rule: '2026-10-01', from: 'start' },
      { rule: '2026-08-01', from: '2025-07-01' },
    ];
    expect(verdict(named('x', { rules }), rows)).toEqual({
      field: 'scenario.rules[1].from',
      reason: 'puts two rules on one day; shift it by a day',
    });
  });

  test('a shift to "start" landing on another rule, second in the list', () => {
    // The range starts on 2026-08-01, the day of an unshifted rule.
    const rows = [usageRow({ day: '2026-08-01', units: 1 }), usageRow({ day: '2026-08-02', units: 1 })];
    const rules = [
      { rule: '2024-11-01', from: '2024-10-01' },
      { rule: '2026-10-01', from: 'start' },
    ];
    expect(verdict(named('x', { rules }), rows)).toEqual({
      field: 'scenario.rules[1].from',
      reason: 'puts two rules on one day; shift it by a day',
    });
  });

  test('a rule moved back past another is sorted into place and priced from its new day', () => {
    // Service charged from 2026-07-15: the 2026-08-01 row (Meta Business Agent) now follows it.
    const rows = [
      usageRow({ day: '2026-07-14', units: 10, category: 'service', pricingType: 'free_customer_service' }),
      usageRow({ day: '2026-07-15', units: 10, category: 'service', pricingType: 'free_customer_service' }),
    ];
    const r = priceScenario(rows, [], book, named('early', { rules: [{ rule: '2026-10-01', from: '2026-07-15' }] }));
    expect(r.rules.map((x) => x.from)).toEqual(['2024-11-01', '2025-07-01', '2026-07-15', '2026-08-01']);
    expect(r.rules[2]?.what).toBe(PRICING_RULES[3]?.what);
    // 07-14 stays free; 07-15: 10 x India utility 0.0014.
    expect(r.scenario.rows.map((x) => formatMicros(x.costMicros ?? -1n, 4))).toEqual(['0.0000', '0.0140']);
  });

  test("called directly, the shifted table is checked as the scenario's rules", () => {
    // Unreachable through priceScenario (the range's days are checked first): a start day that is no
    // day fails the table check, which names the row of the scenario's table.
    expect(inputErrorOf(() => shiftRules(PRICING_RULES, [{ rule: '2026-10-01', from: 'start' }], '2026-13-01'))).toEqual({
      field: 'scenario.rules[3].from',
      reason: 'is not a real calendar date',
    });
  });
});
