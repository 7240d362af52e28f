import { localDay, marketOf, priceUsage, toCategory, toPricingType, type Micros, type UsageRow } from '@core';
import { generateDemo } from './generate-demo';

// An independent, minimal "ingest" of the demo webhooks (dedupe by wamid + status, delivered = a
// delivered or read status, Meta's pricing object as the verdict), priced with core on the demo's
// invented price book, compared with the demo's "Meta's figures": they must agree within the small
// drift the generator adds, and the price book must cover every market the demo reaches.

const AS_OF = Date.UTC(2026, 10, 22, 15, 30);
const demo = generateDemo({ seed: 'consistency', asOfMs: AS_OF, days: 30, scale: 0.5 });

interface Msg {
  waba: string;
  at: number;
  recipient: string;
  category: string;
  type: string;
  delivered: boolean;
}
const messages = new Map<string, Msg>();
for (const { envelope } of demo.envelopes()) {
  for (const entry of envelope.entry) {
    for (const { value } of entry.changes) {
      for (const st of (value.statuses ?? []) as Record<string, any>[]) {
        const m = messages.get(st.id) ?? {
          waba: entry.id,
          at: Number.POSITIVE_INFINITY,
          recipient: st.recipient_id,
          category: '',
          type: '',
          delivered: false,
        };
        if (st.pricing) Object.assign(m, { category: st.pricing.category, type: st.pricing.type });
        if (st.status === 'delivered' || st.status === 'read') {
          m.delivered = true;
          m.at = Math.min(m.at, Number(st.timestamp) * 1000);
        }
        messages.set(st.id, m);
      }
    }
  }
}

const rows: UsageRow[] = [];
for (const m of messages.values()) {
  if (!m.delivered) continue;
  const waba = demo.wabas.find((w) => w.id === m.waba)!;
  const day = localDay(m.at, waba.timezone);
  const range = demo.completeDays(waba.id);
  if (day < range.from || day > range.to) continue;
  rows.push({
    day,
    wabaId: waba.id,
    portfolioId: waba.portfolio,
    currency: waba.currency,
    market: marketOf(m.recipient, day).market,
    category: toCategory(m.category),
    pricingType: toPricingType(m.type),
    pricingModel: 'PMP',
    units: 1,
  });
}
const estimate = priceUsage(rows, demo.priceBook);
const figures = demo.metaFigures();

test('the invented price book prices every demo message: no missing card, market or rate', () => {
  expect(estimate.problems).toEqual([]);
  expect(estimate.rows.every((r) => r.costMicros !== null)).toBe(true);
});

test.each(demo.wabas.map((w) => [w.name, w.id] as const))(
  '%s: Meta volume and cost match our estimate within the drift',
  (_name, wabaId) => {
    const ours = estimate.rows.filter((r) => r.wabaId === wabaId);
    const meta = figures.pricing.filter((r) => r.wabaId === wabaId);
    const volume = (xs: { units?: number; volume?: number }[]) => xs.reduce((n, r) => n + (r.units ?? r.volume ?? 0), 0);
    const cost = (xs: { costMicros: Micros | null }[]) => Number(xs.reduce((n, r) => n + (r.costMicros ?? 0n), 0n));
    expect(volume(meta)).toBeGreaterThan(0);
    expect(Math.abs(volume(meta) - volume(ours)) / volume(ours)).toBeLessThan(0.01);
    expect(Math.abs(cost(meta) - cost(ours)) / cost(ours)).toBeLessThan(0.02);
    // ...but not identical: the reconciliation dashboard has a drift to show.
    expect(cost(meta)).not.toBe(cost(ours));
    const days = new Set(meta.map((r) => r.day));
    const range = demo.completeDays(wabaId);
    expect(Math.min(...[...days].map((d) => Date.parse(d)))).toBe(Date.parse(range.from));
    expect([...days].every((d) => d <= range.to)).toBe(true);
  },
);

test('Meta rows look like pricing_analytics: tiers on charged rows, FEP under SERVICE, free rows at zero cost', () => {
  expect(figures.pricing.some((r) => r.category === 'utility' && r.tier === '0:2000')).toBe(true);
  expect(figures.pricing.filter((r) => r.category === 'marketing' && r.pricingType === 'regular').every((r) => r.tier === '0:MAX')).toBe(
    true,
  );
  expect(
    figures.pricing
      .filter((r) => r.pricingType === 'free_entry_point')
      .every((r) => r.category === 'service' && r.costMicros === 0n && r.tier === null),
  ).toBe(true);
  expect(figures.pricing.some((r) => r.category === 'referral_conversion')).toBe(false);
});

test('Meta call rows: business-initiated calls cost money, user-initiated are free', () => {
  const business = figures.calls.filter((r) => r.direction === 'business_initiated');
  expect(business.reduce((n, r) => n + (r.costMicros ?? 0n), 0n)).toBeGreaterThan(0n);
  expect(figures.calls.filter((r) => r.direction === 'user_initiated').every((r) => r.costMicros === 0n)).toBe(true);
  expect(figures.calls.every((r) => r.count > 0 && r.averageDurationSec !== null)).toBe(true);
});
