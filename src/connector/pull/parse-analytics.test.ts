import { loadMetaFixture } from '../../../tests/fakes/load-meta-fixture';
import { parseCallAnalytics } from './parse-calls';
import { parseConversationAnalytics } from './parse-conversations';
import { parsePricingAnalytics, type ParseContext } from './parse-pricing';
import { PullError } from './pull-error';

function context(timezone: string, phoneIds: Record<string, string> = {}): ParseContext & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    wabaId: '161311403722088',
    timezone,
    currency: 'USD',
    phoneIds: new Map(Object.entries(phoneIds)),
    warn: (m) => warnings.push(m),
    warnings,
  };
}

const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

describe('pricing_analytics (Meta analytics page example with tiers)', () => {
  const body = loadMetaFixture('pricing_analytics_response_with_tiers.json') as { pricing_analytics: unknown };

  test('each data point becomes a row on its WABA-local day, with tier, type, category and exact micros', () => {
    const ctx = context('America/Los_Angeles');
    const rows = parsePricingAnalytics(body.pricing_analytics, ctx);
    expect(rows).toHaveLength(14);
    expect(rows.reduce((n, r) => n + r.volume, 0)).toBe(26);
    expect(sum(rows.map((r) => r.costMicros ?? 0n))).toBe(96_900_000n);
    expect(rows[1]).toEqual({
      day: '2025-06-05',
      wabaId: '161311403722088',
      phoneNumberId: null,
      country: 'IN',
      category: 'authentication_international',
      pricingType: 'regular',
      tier: '0:750000',
      volume: 2,
      costMicros: 4_600_000n,
      currency: 'USD',
    });
    expect(
      rows
        .filter((r) => r.day === '2025-06-01')
        .map((r) => r.category)
        .sort(),
    ).toEqual(['authentication', 'marketing', 'marketing_lite', 'service', 'utility', 'utility']);
    expect(rows.find((r) => r.pricingType === 'free_entry_point')).toMatchObject({
      category: 'service',
      volume: 6,
      tier: null,
      costMicros: 0n,
    });
    // The buckets start at 07:00 UTC = midnight in Pacific time: aligned, no warning.
    expect(ctx.warnings).toEqual([]);
  });

  test('a zone whose midnight differs keeps each bucket on its calendar day and warns about the alignment', () => {
    const ctx = context('UTC');
    const rows = parsePricingAnalytics(body.pricing_analytics, ctx);
    expect([...new Set(rows.map((r) => r.day))].sort()).toEqual(['2025-06-01', '2025-06-02', '2025-06-03', '2025-06-05', '2025-06-06']);
    expect(ctx.warnings.length).toBe(14);
    expect(ctx.warnings[0]).toMatch(/does not start at WABA-local midnight/);
  });

  test('Marketing Lite example (MM API pricing page)', () => {
    const lite = loadMetaFixture('pricing_analytics_marketing_lite_example.json') as { pricing_analytics: unknown };
    const rows = parsePricingAnalytics(lite.pricing_analytics, context('America/Los_Angeles'));
    expect(rows).toEqual([
      expect.objectContaining({
        day: '2025-06-01',
        category: 'marketing_lite',
        pricingType: 'regular',
        volume: 1,
        costMicros: 10_000_000n,
      }),
    ]);
  });

  test('missing cost (partner credit line) is null, not zero; phone numbers map to ids; unknown categories are kept', () => {
    const ctx = context('UTC', { '15550783881': '106540352242922' });
    const rows = parsePricingAnalytics(
      {
        data: [
          {
            data_points: [
              {
                start: 1767225600,
                end: 1767312000,
                phone_number: '+1 555-078-3881',
                country: 'us',
                pricing_type: 'REGULAR',
                pricing_category: 'MARKETING',
                volume: 3,
              },
              {
                start: 1767225600,
                end: 1767312000,
                phone_number: '15550783881',
                country: 'US',
                pricing_type: 'REGULAR',
                pricing_category: 'MARKETING',
                volume: 2,
              },
              {
                start: 1767225600,
                end: 1767312000,
                country: 'US',
                pricing_type: 'REGULAR',
                pricing_category: 'GROUP_MARKETING',
                volume: 4,
                cost: 0.4,
              },
            ],
          },
        ],
      },
      ctx,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        day: '2026-01-01',
        phoneNumberId: '106540352242922',
        country: 'US',
        category: 'marketing',
        volume: 5,
        costMicros: null,
      }),
      expect.objectContaining({ category: null, volume: 4, costMicros: 400_000n }),
    ]);
    expect(ctx.warnings).toEqual(['unknown pricing category kept as null']);
  });

  test('a malformed data point is a bad_response naming the field', () => {
    const bad = { data: [{ data_points: [{ start: 1767225600, end: 1767312000, volume: 'many' }] }] };
    expect(() => parsePricingAnalytics(bad, context('UTC'))).toThrow(PullError);
    expect(() => parsePricingAnalytics(bad, context('UTC'))).toThrow(/pricing_analytics\.data_points\[0\]\.volume/);
  });
});

describe('conversation_analytics (CBP-era examples)', () => {
  test('monthly, all dimensions: conversations, types and costs per category', () => {
    const body = loadMetaFixture('conversation_analytics_monthly_all_dimensions.json') as { conversation_analytics: unknown };
    const rows = parseConversationAnalytics(body.conversation_analytics, context('America/Los_Angeles', { '15550458206': 'PN-1' }));
    expect(rows).toHaveLength(9);
    expect(rows.every((r) => r.day === '2023-06-01' && r.phoneNumberId === 'PN-1' && r.country === 'US' && r.tier === null)).toBe(true);
    expect(rows.reduce((n, r) => n + r.volume, 0)).toBe(17_576);
    expect(sum(rows.map((r) => r.costMicros ?? 0n))).toBe(175_760_000n);
    expect(rows.filter((r) => r.pricingType === 'free_tier')).toHaveLength(4);
    expect(rows.find((r) => r.pricingType === 'free_entry_point')).toMatchObject({ category: 'service', volume: 1433 });
  });

  test('monthly by type, documented without the conversation_analytics wrapper', () => {
    const body = loadMetaFixture('conversation_analytics_monthly_by_type.json');
    const rows = parseConversationAnalytics(body, context('UTC'));
    expect(rows.map((r) => [r.pricingType, r.volume, r.costMicros])).toEqual([
      ['regular', 8500, 88_101_000n],
      ['free_tier', 1000, 0n],
      ['free_entry_point', 250, 0n],
    ]);
    expect(rows.every((r) => r.category === null && r.day === '2022-02-01')).toBe(true);
  });
});

describe('call_analytics (documented DAILY example, pseudo-JSON)', () => {
  test('count, cost and average duration per day; direction from the directions filter', () => {
    const body = loadMetaFixture('call_analytics_response_daily.jsonc') as { call_analytics: unknown };
    const rows = parseCallAnalytics(body.call_analytics, context('America/Los_Angeles'));
    expect(rows).toEqual([
      expect.objectContaining({ day: '2025-12-17', direction: 'user_initiated', count: 35, costMicros: 477_950n, averageDurationSec: 106 }),
      expect.objectContaining({ day: '2025-10-20', direction: 'user_initiated', count: 20, costMicros: 0n, averageDurationSec: 103 }),
      expect.objectContaining({ day: '2025-10-19', direction: 'user_initiated', count: 24, costMicros: 0n, averageDurationSec: 103 }),
    ]);
  });
});
