import type { UsageRow } from '../model/usage';
import { priceUsage, priceUsageEach, type PriceUsageResult } from '../pricing/price-usage';
import { freeTierKey, tierKey } from '../pricing/tier-ladder';
import { addToPriceBook } from '../ratecard/price-book';
import { parseRateCardCsv } from '../ratecard/rate-card';
import { parseTierCsv } from '../ratecard/tiers';
import { PRICING_RULES, type PricingRuleRow } from '../rules/pricing-rules';
import { BRL_RATES_2026_07, USD_RATES_2026_04, USD_TIERS_2026_04 } from '../test-fixtures/invented-rate-cards';
import { buildTestBook } from '../test-fixtures/test-book';
import { addDays } from '../time/calendar';
import { priceScenario, priceScenarioEach, type PriorUnitsRow } from './price-scenario';
import type { Scenario } from './scenario';

/*
 * A regression guard for speed work on the pricer: a large generated input (the what-if bench's
 * day x WABA x market x category grain, plus edge rows: tier bounds crossed, every rule day, the CBP
 * allowance, unknown categories and pricing types, a Meta Business Agent value, markets and currencies
 * without a card, dims and messages on some rows) priced by priceUsage and priceScenario, compared with
 * fingerprints of the output. The fingerprints were computed with the pricer as it was before the
 * speed work (commit "pricing fingerprint test", 2026-12-02) and written here by hand: a change in any
 * priced figure, split, problem or tier count changes them. They were taken again once, when the
 * problems list got a total order (it had kept insertion order among problems of one day, code and
 * message): the old pricer's output with its problems put in that order gave exactly the new values. The hand-computed pricing figures live in
 * price-usage.test.ts, price-scenario.test.ts and the other core tests; this test only proves that
 * faster code gives the same answers.
 */

/** A seeded PRNG (mulberry32), so the input is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 53-bit string hash (two 32-bit FNV-style lanes): enough to tell two outputs apart. */
function fingerprint(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** JSON with object keys sorted, bigints as `<n>n` and maps as sorted [key, value] pairs: field order does not count. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Map) return [...v.entries()].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
    if (v && typeof v === 'object' && !Array.isArray(v))
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, (v as Record<string, unknown>)[k]]),
      );
    return v;
  });
}

const WINDOWS = [
  ['2024-10-28', 7], // CBP, the free service allowance ends 2024-11-01
  ['2025-06-28', 6], // CBP -> PMP on 2025-07-01
  ['2026-03-29', 5], // a new card and tier table on 2026-04-01
  ['2026-07-30', 4], // the BRL card from 2026-07-01, the agent row 2026-08-01
  ['2026-09-28', 6], // service charged from 2026-10-01
  ['2026-10-30', 4], // the test table's agent webhook value from 2026-11-01
] as const;
const WABAS = [
  { wabaId: 'w1', portfolioId: 'p1', currency: 'USD' },
  { wabaId: 'w2', portfolioId: 'p1', currency: 'USD' },
  { wabaId: 'w3', portfolioId: 'p2', currency: 'BRL' },
  { wabaId: 'w4', portfolioId: 'p2', currency: 'EUR' },
] as const;
const MARKETS = ['India', 'Brazil', 'Other', 'North America', 'Atlantis'] as const;
const COMBOS = [
  ['marketing', 'regular'],
  ['marketing_lite', 'regular'],
  ['utility', 'regular'],
  ['utility', 'free_customer_service'],
  ['authentication', 'regular'],
  ['authentication_international', 'regular'],
  ['service', 'regular'],
  ['service', 'free_customer_service'],
  ['service', 'free_tier'],
  ['referral_conversion', 'free_entry_point'],
  ['marketing', 'free_entry_point'],
  ['meta_business_agent', 'regular'],
  ['brand_new_category', 'regular'],
  ['utility', 'brand_new_type'],
] as const;

function generatedRows(): UsageRow[] {
  const rand = rng(14);
  const rows: UsageRow[] = [];
  for (const [first, n] of WINDOWS)
    for (let d = 0; d < n; d += 1) {
      const day = addDays(first, d);
      for (const waba of WABAS)
        for (const market of MARKETS)
          for (const [category, pricingType] of COMBOS) {
            const r = rand();
            if (r < 0.08) continue; // not every cell has traffic
            // Mostly small counts, some large enough to cross a tier bound within a day, a few zeros.
            const units = r < 0.12 ? 0 : r < 0.8 ? 1 + Math.floor(rand() * 30) : 40 + Math.floor(rand() * 200);
            const row: UsageRow = {
              day,
              ...waba,
              market,
              category,
              pricingType,
              pricingModel: day < '2025-07-01' ? (rand() < 0.97 ? 'CBP' : 'PMP') : 'PMP',
              units,
            };
            if (rand() < 0.5) row.messages = units;
            if (rand() < 0.3)
              row.dims = rand() < 0.5 ? { direction: 'business_initiated', phone: `ph-${d % 3}` } : { phone: `ph-${d % 2}` };
            rows.push(row);
          }
    }
  // Input order must not matter to the tiers: a fixed shuffle.
  for (let i = rows.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1));
    [rows[i], rows[j]] = [rows[j] as UsageRow, rows[i] as UsageRow];
  }
  return rows;
}

const book = addToPriceBook(buildTestBook(), parseRateCardCsv(BRL_RATES_2026_07, { effectiveFrom: '2026-07-01' }));
const agentTable: readonly PricingRuleRow[] = [
  ...PRICING_RULES,
  {
    from: '2026-11-01',
    what: 'test row: the agent webhook value published',
    source: (PRICING_RULES[0] as PricingRuleRow).source,
    set: { metaBusinessAgent: { charged: true, webhookValue: 'meta_business_agent' } },
  },
];
const priorRows: PriorUnitsRow[] = [
  { portfolioId: 'p1', market: 'India', category: 'utility', month: '2026-03', units: 150 },
  { portfolioId: 'p1', market: 'India', category: 'authentication', month: '2026-09', units: 99 },
  { portfolioId: 'p1', market: 'Brazil', category: 'utility', month: '2026-10', units: 49 },
  { portfolioId: 'p2', market: 'India', category: 'utility', month: '2026-07', units: 300 },
  { portfolioId: 'p1', market: 'India', category: 'marketing', month: '2026-09', units: 1000 },
];
const nextCard = { name: 'usd-next.csv', entry: parseRateCardCsv(USD_RATES_2026_04, { effectiveFrom: '2027-01-01' }) };
const nextTiers = { name: 'usd-tiers-next.csv', entry: parseTierCsv(USD_TIERS_2026_04, { effectiveFrom: '2027-01-01', currency: 'USD' }) };
const everything: Scenario = {
  name: 'everything',
  priceFiles: [nextCard, nextTiers],
  rules: [{ rule: '2026-10-01', from: 'start' }],
  overrides: [
    { market: 'India', category: 'marketing', percent: 10 },
    { category: 'utility', currency: 'USD', rateMicros: 1234n },
    { currency: 'BRL', percent: -50 },
  ],
  moveService: { share: 33.3333, to: 'utility' },
};
const allToMarketing: Scenario = { name: 'all service to marketing', moveService: { share: 100, to: 'marketing' } };

const summary = (r: PriceUsageResult) => ({ rows: r.rows.length, problems: r.problems.length, tiers: r.tierCounts.size });

describe('pricing fingerprint (same answers before and after speed work)', () => {
  const rows = generatedRows();

  test('the generated input covers the edge cases', () => {
    expect(rows.length).toBe(8241);
    const codes = new Set(priceUsage(rows, book, { rules: agentTable }).problems.map((p) => p.code));
    expect([...codes].sort()).toEqual(['no_rate', 'no_rate_card', 'unknown_category', 'unknown_pricing_type', 'unpriced_per_token']);
  });

  test('priceUsage, default rules, no prior units', () => {
    const r = priceUsage(rows, book);
    expect(summary(r)).toEqual({ rows: 8241, problems: 3222, tiers: 244 });
    expect(fingerprint(canonical(r))).toBe('1b9786b0f32989');
  });

  test('priceUsage with prior units (a map and a record) and a rules table with an extra row', () => {
    const prior = new Map([
      [tierKey('p1', 'India', 'utility', '2026-03'), 150],
      [tierKey('p1', 'Brazil', 'utility', '2026-10'), 49],
      [freeTierKey('w1', '2024-10'), 990],
    ]);
    const a = priceUsage(rows, book, { priorUnits: prior, rules: agentTable });
    const b = priceUsage(rows, book, { priorUnits: Object.fromEntries(prior), rules: agentTable });
    expect(canonical(b)).toBe(canonical(a));
    expect(fingerprint(canonical(a))).toBe('04e31cb4a338e0');
  });

  test('priceScenario: every part of a scenario', () => {
    const r = priceScenario(rows, priorRows, book, everything);
    expect(summary(r.scenario).rows).toBeGreaterThan(rows.length);
    // Changed once on purpose (was 183eee876b6dd4): the flat USD utility override no longer prices
    // the 297 rows of an unknown pricing type at 0 (they stay null), and the scenario no longer
    // reports the 42 no_rate problems of the rows it prices. Compared with the earlier code: every
    // other row, the actual side, the tier counts and the other problems are the same.
    expect(fingerprint(canonical(r))).toBe('1ad09f530034df');
  });

  test('priceScenario: all service moved to marketing, a range starting on a rule day', () => {
    const from = rows.filter((r) => r.day >= '2026-09-28');
    const r = priceScenario(from, priorRows, book, allToMarketing, agentTable);
    expect(fingerprint(canonical(r))).toBe('1f7482452437fa');
  });

  test('the sums-only paths (no priced rows, no splits) give every row the same cost and the same problems', () => {
    const costs = (r: PriceUsageResult) => r.rows.map((x) => x.costMicros);
    const each: (bigint | null)[] = [];
    const rest = priceUsageEach(
      rows,
      book,
      {},
      (i, _row, _b, c, t) => {
        expect(t).toBeUndefined();
        each[i] = c;
      },
      false,
    );
    const full = priceUsage(rows, book);
    expect(each).toEqual(costs(full));
    expect(canonical(rest.problems)).toBe(canonical(full.problems));
    for (const sc of [everything, allToMarketing]) {
      const sides: Record<'actual' | 'scenario', (bigint | null)[]> = { actual: [], scenario: [] };
      const outcome = priceScenarioEach(
        rows,
        priorRows,
        book,
        sc,
        (side, i, _row, _b, c) => {
          sides[side][i] = c;
        },
        undefined,
        false,
      );
      const r = priceScenario(rows, priorRows, book, sc);
      expect(sides.actual).toEqual(costs(r.actual));
      expect(sides.scenario).toEqual(costs(r.scenario));
      expect(canonical(outcome.scenario.problems)).toBe(canonical(r.scenario.problems));
    }
  });
});
