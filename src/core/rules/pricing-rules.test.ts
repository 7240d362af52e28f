import { InputError } from '../errors';
import { formatMicros } from '../model/money';
import { addToPriceBook, emptyPriceBook } from '../ratecard/price-book';
import { parseRateCardCsv } from '../ratecard/rate-card';
import { parseTierCsv } from '../ratecard/tiers';
import { FREE_SERVICE_CONVERSATIONS, SERVICE_FREE_FROM } from '../pricing/price-usage';
import { priceUsage } from '../pricing/price-usage';
import { classifyTimeline } from '../windows/classify-timeline';
import { PMP_START_DAY, pricingModelOnDay } from '../windows/pricing-model';
import { PRICING_RULES, rulesOn, type PricingRuleRow } from './pricing-rules';

describe('rulesOn: the rules in force on each effective day and the day before', () => {
  test.each([
    ['2024-10-31', { pricingModel: 'CBP', cbpServiceCharged: true, cbpFreeServicePerMonth: 1000 }],
    ['2024-11-01', { pricingModel: 'CBP', cbpServiceCharged: false, cbpFreeServicePerMonth: 0 }],
    ['2025-06-30', { pricingModel: 'CBP', tierCounters: {} }],
    [
      '2025-07-01',
      {
        pricingModel: 'PMP',
        freeInCsw: ['service', 'utility'],
        tierCounters: {
          utility: 'utility',
          authentication: 'authentication',
          authentication_international: 'authentication_international',
        },
      },
    ],
    ['2026-07-31', { metaBusinessAgent: { charged: false, webhookValue: null } }],
    ['2026-08-01', { metaBusinessAgent: { charged: true, webhookValue: null } }],
    ['2026-09-30', { freeInCsw: ['service', 'utility'], serviceRateFallback: null, freeInFep: true }],
    ['2026-10-01', { freeInCsw: [], serviceRateFallback: 'utility', freeInFep: true }],
  ])('%s', (day, expected) => {
    expect(rulesOn(day)).toMatchObject(expected);
  });

  test('service is never a tiered column; every row cites a Meta page with its Updated date', () => {
    for (const row of PRICING_RULES) {
      expect(rulesOn(row.from).tierCounters).not.toHaveProperty('service');
      expect(row.source.url).toMatch(/^https:\/\/developers\.facebook\.com\/documentation\/business-messaging\/whatsapp\/pricing/);
      expect(row.source.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  test('the dates callers know by name are read from the table', () => {
    expect(PMP_START_DAY).toBe('2025-07-01');
    expect(SERVICE_FREE_FROM).toBe('2024-11-01');
    expect(FREE_SERVICE_CONVERSATIONS).toBe(1000);
  });

  test('bad tables and days are InputErrors naming the field', () => {
    const src = PRICING_RULES[0]!.source;
    const unsorted: PricingRuleRow[] = [
      { from: '2026-01-01', what: 'a', source: src, set: {} },
      { from: '2025-01-01', what: 'b', source: src, set: {} },
    ];
    expect(() => rulesOn('2026-02-01', unsorted)).toThrow(/^rules\[1\]\.from: "2025-01-01" must be after 2026-01-01/);
    const twice: PricingRuleRow[] = [unsorted[0]!, { ...unsorted[0]!, what: 'again' }];
    expect(() => rulesOn('2026-02-01', twice)).toThrow(/^rules\[1\]\.from/);
    const uncited: PricingRuleRow[] = [{ from: '2026-01-01', what: 'a', source: { ...src, url: '' }, set: {} }];
    expect(() => rulesOn('2026-02-01', uncited)).toThrow(/^rules\[0\]\.source\.url/);
    expect(() => rulesOn('2026-02-30')).toThrow(InputError);
  });
});

describe("Meta's next change is one row: a synthetic row changes the verdicts from its day", () => {
  // A made-up 2027-01-01 change (NOT Meta's): utility templates inside the CSW free again, and no volume tiers.
  const NEXT: PricingRuleRow = {
    from: '2027-01-01',
    what: 'synthetic test row',
    source: PRICING_RULES[0]!.source,
    set: { freeInCsw: ['utility'], tierCounters: {} },
  };
  const withNext = [...PRICING_RULES, NEXT];
  const H = 3_600_000;

  test('the classifier: a utility template inside the CSW on 2027-01-05 is free only with the extra row', () => {
    const at = Date.parse('2027-01-05T12:00:00Z');
    const events = [
      { kind: 'inbound_message' as const, id: 'u', atMs: at },
      { kind: 'outbound_message' as const, wamid: 'x', atMs: at + H, isTemplate: true, templateCategory: 'utility' as const },
    ];
    expect(classifyTimeline(events, { timezone: 'UTC' })[0]).toMatchObject({ pricingType: 'regular', charged: true });
    expect(classifyTimeline(events, { timezone: 'UTC', rules: withNext })[0]).toMatchObject({
      pricingType: 'free_customer_service',
      charged: false,
    });
    // The day before the row, both tables agree (the 2026-10-01 rule: charged).
    const before = events.map((e) => ({ ...e, atMs: e.atMs - 5 * 24 * H }));
    expect(classifyTimeline(before, { timezone: 'UTC', rules: withNext })[0]).toMatchObject({ pricingType: 'regular' });
    expect(pricingModelOnDay('2027-01-05', withNext)).toBe('PMP');
  });

  test('the pricer: 150 utility messages are tiered on 2026-12-31 and flat from 2027-01-01 with the extra row', () => {
    let book = emptyPriceBook();
    book = addToPriceBook(
      book,
      parseRateCardCsv(
        'Cost per message in USD\nMarket,Currency,Marketing,Utility,Authentication,Authentication-International,Service\nIndia,USD,0.0131,0.0014,0.0014,0.0280,n/a\n',
        {
          effectiveFrom: '2026-10-01',
        },
      ),
    );
    book = addToPriceBook(
      book,
      parseTierCsv('Market,Category,Lower,Upper,Rate\nIndia,utility,0,100,0.0014\nIndia,utility,101,MAX,0.0012\n', {
        effectiveFrom: '2026-10-01',
        currency: 'USD',
      }),
    );
    const row = (day: string) => ({
      day,
      wabaId: 'w',
      portfolioId: 'p',
      currency: 'USD',
      market: 'India',
      category: 'utility',
      pricingType: 'regular',
      pricingModel: 'PMP' as const,
      units: 150,
    });
    const cost = (day: string, rules?: readonly PricingRuleRow[]) =>
      formatMicros(priceUsage([row(day)], book, rules ? { rules } : {}).rows[0]!.costMicros!, 4);
    // Tiered: 100 x 0.0014 + 50 x 0.0012 = 0.1400 + 0.0600 = 0.2000. Flat: 150 x 0.0014 = 0.2100.
    expect(cost('2026-12-31', withNext)).toBe('0.2000');
    expect(cost('2027-01-01', withNext)).toBe('0.2100');
    expect(cost('2027-01-01')).toBe('0.2000');
  });
});

describe('the 2024-11-01 rule at WABA-local midnight in Sao Paulo (UTC-3)', () => {
  test('a service conversation opened at 23:59 on 10-31 is charged, one opened at 00:00 on 11-01 is not', () => {
    const midnight = Date.parse('2024-11-01T03:00:00Z');
    const MIN = 60_000;
    // Two contacts, each classified on its own history: the user writes, the business replies.
    const reply = (atMs: number) =>
      classifyTimeline(
        [
          { kind: 'inbound_message', id: 'in', atMs: atMs - 5 * MIN },
          { kind: 'outbound_message', wamid: 'reply', atMs, isTemplate: false },
        ],
        { timezone: 'America/Sao_Paulo' },
      ).map((c) => [c.day, c.pricingModel, c.category, c.opensConversation, c.charged]);
    expect(reply(midnight - MIN)).toEqual([['2024-10-31', 'CBP', 'service', true, true]]);
    expect(reply(midnight)).toEqual([['2024-11-01', 'CBP', 'service', true, false]]);
  });
});
