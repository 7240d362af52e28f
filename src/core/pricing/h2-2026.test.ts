import { formatMicros, sumMicros } from '../model/money';
import type { PricedRow, UsageRow } from '../model/usage';
import { addToPriceBook, emptyPriceBook } from '../ratecard/price-book';
import { parseRateCardCsv } from '../ratecard/rate-card';
import { parseTierCsv } from '../ratecard/tiers';
import { PRICING_RULES } from '../rules/pricing-rules';
import { classifyTimeline } from '../windows/classify-timeline';
import type { TimelineEvent } from '../windows/timeline-events';
import { priceUsage } from './price-usage';
import { tierKey } from './tier-ladder';
import { buildUsageRows } from './usage-rows';

// Invented rates (not Meta's): Brazil's card has no Service rate, India's has one.
const CARD = [
  'Cost per message in USD',
  'Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service',
  'Brazil,USD,0.0625,0.0085,0.0085,n/a,n/a',
  'India,USD,0.0131,0.0014,0.0014,0.0280,0.0040',
].join('\n');
const TIERS = ['Market,Category,Lower,Upper,Rate', 'Brazil,utility,0,2,0.0085', 'Brazil,utility,3,MAX,0.0070'].join('\n');
const book = addToPriceBook(
  addToPriceBook(emptyPriceBook(), parseRateCardCsv(CARD, { effectiveFrom: '2026-07-01' })),
  parseTierCsv(TIERS, { effectiveFrom: '2026-07-01', currency: 'USD' }),
);
const money = (m: bigint | null) => (m === null ? null : formatMicros(m, 4));
const total = (rows: PricedRow[]) => formatMicros(sumMicros(rows.map((r) => r.costMicros ?? 0n)), 4);

function row(p: Partial<UsageRow> & Pick<UsageRow, 'day' | 'units' | 'category'>): UsageRow {
  return { wabaId: 'w', portfolioId: 'p', currency: 'USD', market: 'Brazil', pricingType: 'regular', pricingModel: 'PMP', ...p };
}

describe("Meta's verdicts from 2026-10-01 (status webhooks: category service, type regular)", () => {
  test("service at the card's Service rate where present, else the market's utility rate; never tiered, never moves utility tiers", () => {
    const { rows, problems, tierCounts } = priceUsage(
      [
        row({ day: '2026-10-05', units: 3, category: 'service' }),
        row({ day: '2026-10-05', units: 3, category: 'utility' }),
        row({ day: '2026-10-05', units: 5, category: 'service', market: 'India' }),
      ],
      book,
    );
    // Brazil service: 3 x utility rate 0.0085 = 0.0255 (the card's column, not a tier).
    expect(money(rows[0]!.costMicros)).toBe('0.0255');
    expect(rows[0]!.tiers).toBeUndefined();
    // Brazil utility: units 1-2 at 0.0085 and unit 3 at 0.0070 = 0.0170 + 0.0070 = 0.0240 (service did not move the ladder).
    expect(money(rows[1]!.costMicros)).toBe('0.0240');
    // India service: the card's own Service rate, 5 x 0.0040 = 0.0200.
    expect(money(rows[2]!.costMicros)).toBe('0.0200');
    expect(tierCounts.get(tierKey('p', 'Brazil', 'utility', '2026-10'))).toBe(3);
    expect([...tierCounts.keys()].some((k) => k.includes('service'))).toBe(false);
    expect(problems).toEqual([]);
  });

  test('free verdicts stay free after 2026-10-01 (free_customer_service, free_entry_point)', () => {
    const { rows } = priceUsage(
      [
        row({ day: '2026-10-05', units: 4, category: 'service', pricingType: 'free_customer_service' }),
        row({ day: '2026-10-05', units: 4, category: 'referral_conversion', pricingType: 'free_entry_point' }),
      ],
      book,
    );
    expect(rows.map((r) => [r.billable, r.costMicros])).toEqual([
      [0, 0n],
      [0, 0n],
    ]);
  });
});

describe('unknown categories and pricing types are kept, never fatal', () => {
  test('a Meta Business Agent row (value normalised to meta_business_agent) is counted, cost null, one problem with its units', () => {
    const { rows, problems } = priceUsage(
      [
        row({ day: '2026-10-05', units: 2, category: 'meta_business_agent' }),
        row({ day: '2026-10-06', units: 3, category: 'meta_business_agent', wabaId: 'w2' }),
        row({ day: '2026-10-05', units: 1, category: 'marketing' }),
        row({ day: '2026-10-05', units: 1, category: 'meta_business_agent', pricingType: 'free_customer_service' }),
        row({ day: '2026-10-05', units: 7, category: 'utility', pricingType: 'free_agent_window' }),
      ],
      book,
    );
    expect(rows.map((r) => [r.category, r.units, r.billable, money(r.costMicros)])).toEqual([
      ['meta_business_agent', 2, 2, null],
      ['meta_business_agent', 3, 3, null],
      ['marketing', 1, 1, '0.0625'],
      ['meta_business_agent', 1, 0, '0.0000'], // Meta's known free verdict: nothing to pay
      ['utility', 7, 0, null],
    ]);
    expect(problems.map((p) => [p.code, p.day, p.category, p.rows, p.units])).toEqual([
      ['unknown_category', '2026-10-05', 'meta_business_agent', 2, 3],
      ['unknown_pricing_type', '2026-10-05', 'utility', 1, 7],
      ['unknown_category', '2026-10-06', 'meta_business_agent', 1, 3],
    ]);
  });
});

describe('inference (no pricing object) around 2026-10-01 00:00 WABA-local, far from UTC', () => {
  const MIN = 60_000;
  // Sao Paulo is UTC-3 (midnight = 03:00Z), Kolkata UTC+5:30 (midnight = 18:30Z the day before).
  test.each([
    ['America/Sao_Paulo', Date.parse('2026-10-01T03:00:00Z')],
    ['Asia/Kolkata', Date.parse('2026-09-30T18:30:00Z')],
  ])('%s: service and utility inside the CSW free at 23:59 on 09-30, charged at 00:00 on 10-01', (timezone, midnight) => {
    const events: TimelineEvent[] = [
      { kind: 'inbound_message', id: 'u1', atMs: midnight - 60 * MIN },
      { kind: 'outbound_message', wamid: 's-2359', atMs: midnight - MIN, isTemplate: false },
      { kind: 'outbound_message', wamid: 'u-2359', atMs: midnight - MIN, isTemplate: true, templateCategory: 'utility' },
      { kind: 'outbound_message', wamid: 's-0000', atMs: midnight, isTemplate: false },
      { kind: 'outbound_message', wamid: 'u-0000', atMs: midnight, isTemplate: true, templateCategory: 'utility' },
    ];
    const result = classifyTimeline(events, { timezone });
    expect(result.map((c) => [c.wamid, c.day, c.category, c.pricingType, c.charged])).toEqual([
      ['s-2359', '2026-09-30', 'service', 'free_customer_service', false],
      ['u-2359', '2026-09-30', 'utility', 'free_customer_service', false],
      ['s-0000', '2026-10-01', 'service', 'regular', true],
      ['u-0000', '2026-10-01', 'utility', 'regular', true],
    ]);
    // Through the pricer (market Brazil): 10-01 has service 0.0085 (utility rate) + utility 0.0085 = 0.0170; 09-30 nothing.
    const rows = buildUsageRows(
      result.map((c) => ({
        wabaId: 'w',
        portfolioId: 'p',
        currency: 'USD',
        timezone,
        atMs: c.atMs,
        market: 'Brazil',
        category: c.category,
        pricingType: c.pricingType,
      })),
    );
    const priced = priceUsage(rows, book).rows;
    expect(total(priced.filter((r) => r.day === '2026-09-30'))).toBe('0.0000');
    expect(total(priced.filter((r) => r.day === '2026-10-01'))).toBe('0.0170');
  });

  test('anything inside a free entry point window stays free after 2026-10-01', () => {
    const t = Date.parse('2026-10-10T12:00:00Z');
    const H = 3_600_000;
    const result = classifyTimeline(
      [
        { kind: 'inbound_message', id: 'ad', atMs: t, referral: true },
        { kind: 'outbound_message', wamid: 'r', atMs: t + H, isTemplate: false },
        { kind: 'outbound_message', wamid: 'u', atMs: t + 2 * H, isTemplate: true, templateCategory: 'utility' },
        { kind: 'outbound_message', wamid: 'm', atMs: t + 30 * H, isTemplate: true, templateCategory: 'marketing' },
      ],
      { timezone: 'Asia/Kolkata' },
    );
    expect(result.map((c) => [c.wamid, c.pricingType, c.charged])).toEqual([
      ['r', 'free_entry_point', false],
      ['u', 'free_entry_point', false],
      ['m', 'free_entry_point', false],
    ]);
  });
});

describe("Meta's worked example: marketing template, 2 Meta Business Agent replies, 1 human reply, 1 order confirmation within an hour", () => {
  const MIN = 60_000;
  // Meta has not published the webhook value for Meta Business Agent messages. We assume for this test that it
  // arrives as "META_BUSINESS_AGENT" with type regular (from 2026-08-01): waspend keeps it as meta_business_agent,
  // counts it as charged (Meta's verdict) but cannot price it (per token): cost null plus an unknown_category problem.
  // Before 2026-08-01 the agent's replies carry no charge; we send them without a pricing object (inferred service).
  function scenario(startIso: string, mbaCharged: boolean): TimelineEvent[] {
    const t = Date.parse(startIso);
    const mba = (wamid: string, at: number): TimelineEvent => ({
      kind: 'outbound_message',
      wamid,
      atMs: at,
      isTemplate: false,
      ...(mbaCharged ? { pricing: { category: 'META_BUSINESS_AGENT', pricingType: 'regular' } } : {}),
    });
    return [
      { kind: 'outbound_message', wamid: 'marketing', atMs: t, isTemplate: true, templateCategory: 'marketing' },
      { kind: 'inbound_message', id: 'question', atMs: t + 5 * MIN },
      mba('agent-1', t + 6 * MIN),
      mba('agent-2', t + 10 * MIN),
      { kind: 'outbound_message', wamid: 'human', atMs: t + 20 * MIN, isTemplate: false },
      { kind: 'outbound_message', wamid: 'order', atMs: t + 40 * MIN, isTemplate: true, templateCategory: 'utility' },
    ];
  }
  function run(startIso: string, mbaCharged: boolean) {
    const classified = classifyTimeline(scenario(startIso, mbaCharged), { timezone: 'America/Sao_Paulo' });
    const rows = buildUsageRows(
      classified.map((c) => ({
        wabaId: 'w',
        portfolioId: 'p',
        currency: 'USD',
        timezone: 'America/Sao_Paulo',
        atMs: c.atMs,
        market: 'Brazil',
        category: c.category,
        pricingType: c.pricingType,
      })),
    );
    const priced = priceUsage(rows, book);
    return { charges: classified.filter((c) => c.charged).length, priced };
  }

  test('before August 2026: 1 charge (the marketing template, 0.0625)', () => {
    const { charges, priced } = run('2026-07-15T15:00:00Z', false);
    expect(charges).toBe(1);
    expect(total(priced.rows)).toBe('0.0625');
    expect(priced.problems).toEqual([]);
  });

  test('from August 2026: 3 charges; we price the marketing one (0.0625) and report 2 unpriced agent messages', () => {
    const { charges, priced } = run('2026-08-20T15:00:00Z', true);
    expect(charges).toBe(3);
    expect(total(priced.rows)).toBe('0.0625');
    expect(priced.problems.map((p) => [p.code, p.category, p.units])).toEqual([['unknown_category', 'meta_business_agent', 2]]);
  });

  test('from October 2026: 5 charges; marketing 0.0625 + human reply 0.0085 + order confirmation 0.0085 = 0.0795, 2 agent messages unpriced', () => {
    const { charges, priced } = run('2026-10-20T15:00:00Z', true);
    expect(charges).toBe(5);
    expect(total(priced.rows)).toBe('0.0795');
    expect(priced.problems.map((p) => [p.code, p.category, p.units])).toEqual([['unknown_category', 'meta_business_agent', 2]]);
  });
});

describe('Meta Business Agent is recognised by one rules row once Meta names its webhook value', () => {
  test('a synthetic row naming "meta_business_agent" from 2026-11-01 turns unknown_category into unpriced_per_token', () => {
    const named = [
      ...PRICING_RULES,
      {
        from: '2026-11-01',
        what: 'synthetic: Meta names the webhook value',
        source: PRICING_RULES[0]!.source,
        set: { metaBusinessAgent: { charged: true, webhookValue: 'meta_business_agent' } },
      },
    ];
    const rows = [
      row({ day: '2026-10-31', units: 2, category: 'meta_business_agent' }),
      row({ day: '2026-11-01', units: 3, category: 'meta_business_agent' }),
    ];
    const result = priceUsage(rows, book, { rules: named });
    expect(result.rows.map((r) => [r.day, r.billable, r.costMicros])).toEqual([
      ['2026-10-31', 2, null],
      ['2026-11-01', 3, null],
    ]);
    expect(result.problems.map((p) => [p.day, p.code, p.units])).toEqual([
      ['2026-10-31', 'unknown_category', 2],
      ['2026-11-01', 'unpriced_per_token', 3],
    ]);
    // Meta's own table (no name published yet): still unknown on 2026-11-01.
    expect(priceUsage(rows, book).problems.map((p) => p.code)).toEqual(['unknown_category', 'unknown_category']);
  });
});
