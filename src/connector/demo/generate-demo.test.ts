import { dayOfWeek, localDay, marketOf } from '@core';
import { generateDemo } from './generate-demo';

// One full default demo (60 days, scale 1), summarised once; each test checks one property of it.
const AS_OF = Date.UTC(2026, 10, 22, 15, 30);
const demo = generateDemo({ seed: 'realism', asOfMs: AS_OF });

interface Summary {
  envelopes: number;
  statuses: number;
  fields: Map<string, number>;
  categories: Set<string>;
  types: Set<string>;
  seen: Map<string, number>;
  firstSeen: Map<string, string>;
  outOfOrder: number;
  failed: number;
  errorCodes: Set<number>;
  templates: number;
  tagged: number;
  fepConversations: number;
  referrals: number;
  callTerminates: { direction: string; status: string; duration: number }[];
  recipientCountries: Set<string>;
  marketingByDay: Map<string, number>;
  tierUpdates: unknown[];
  categoryUpdates: Record<string, unknown>[];
  lastArrival: number;
  ordered: boolean;
  latestTimestamp: number;
}

function summarise(): Summary {
  const s: Summary = {
    envelopes: 0,
    statuses: 0,
    fields: new Map(),
    categories: new Set(),
    types: new Set(),
    seen: new Map(),
    firstSeen: new Map(),
    outOfOrder: 0,
    failed: 0,
    errorCodes: new Set(),
    templates: 0,
    tagged: 0,
    fepConversations: 0,
    referrals: 0,
    callTerminates: [],
    recipientCountries: new Set(),
    marketingByDay: new Map(),
    tierUpdates: [],
    categoryUpdates: [],
    lastArrival: 0,
    ordered: true,
    latestTimestamp: 0,
  };
  const brazil = demo.wabas[0]!;
  for (const { atMs, envelope } of demo.envelopes()) {
    s.envelopes++;
    if (atMs < s.lastArrival) s.ordered = false;
    s.lastArrival = atMs;
    for (const entry of envelope.entry) {
      for (const { field, value } of entry.changes) {
        s.fields.set(field, (s.fields.get(field) ?? 0) + 1);
        for (const st of (value.statuses ?? []) as Record<string, any>[]) {
          s.statuses++;
          s.latestTimestamp = Math.max(s.latestTimestamp, Number(st.timestamp) * 1000);
          const key = `${st.id}|${st.status}`;
          s.seen.set(key, (s.seen.get(key) ?? 0) + 1);
          if (!s.firstSeen.has(st.id)) s.firstSeen.set(st.id, st.status);
          if (st.status === 'failed') {
            s.failed++;
            s.errorCodes.add(st.errors[0].code);
          }
          if (st.pricing) {
            s.categories.add(st.pricing.category);
            s.types.add(st.pricing.type);
          }
          if (st.conversation?.origin?.type === 'referral_conversion') s.fepConversations++;
          if (st.status === 'sent') {
            s.recipientCountries.add(marketOf(st.recipient_id, '2026-11-01').iso2 ?? '?');
            if (st.pricing.category !== 'service') {
              s.templates++;
              if (st.biz_opaque_callback_data) s.tagged++;
            }
            if (entry.id === brazil.id && st.pricing.category === 'marketing') {
              const day = localDay(Number(st.timestamp) * 1000, brazil.timezone);
              s.marketingByDay.set(day, (s.marketingByDay.get(day) ?? 0) + 1);
            }
          }
        }
        for (const m of (value.messages ?? []) as Record<string, any>[]) if (m.referral) s.referrals++;
        for (const c of (value.calls ?? []) as Record<string, any>[])
          if (c.event === 'terminate') s.callTerminates.push({ direction: c.direction, status: c.status, duration: c.duration });
        if (field === 'account_update') s.tierUpdates.push(value);
        if (field === 'template_category_update') s.categoryUpdates.push(value);
      }
    }
  }
  for (const [id, first] of s.firstSeen) if (first !== 'sent') s.outOfOrder += id ? 1 : 0;
  return s;
}

const s = summarise();

test('volume: a few hundred thousand status events, delivered in arrival order, nothing after asOf', () => {
  expect(s.statuses).toBeGreaterThan(150_000);
  expect(s.statuses).toBeLessThan(400_000);
  expect(s.ordered).toBe(true);
  expect(s.lastArrival).toBeLessThanOrEqual(AS_OF);
  expect(s.latestTimestamp).toBeLessThanOrEqual(AS_OF);
});

test('three WABAs in different time zones and currencies, two portfolios, several numbers', () => {
  expect(new Set(demo.wabas.map((w) => w.timezone)).size).toBe(3);
  expect(new Set(demo.wabas.map((w) => w.currency))).toEqual(new Set(['BRL', 'INR', 'EUR']));
  expect(new Set(demo.wabas.map((w) => w.portfolio)).size).toBe(2);
  expect(demo.wabas.flatMap((w) => w.phones).length).toBeGreaterThanOrEqual(5);
});

test('every pricing category and type appears, as Meta spells them in webhooks', () => {
  expect(s.categories).toEqual(
    new Set(['marketing', 'marketing_lite', 'utility', 'authentication', 'authentication-international', 'service', 'referral_conversion']),
  );
  expect(s.types).toEqual(new Set(['regular', 'free_customer_service', 'free_entry_point']));
});

test('recipients in 12+ countries, NANP islands and both +7 countries included', () => {
  expect(s.recipientCountries.size).toBeGreaterThanOrEqual(12);
  for (const iso of ['DO', 'PR', 'JM', 'RU', 'KZ', 'US', 'BR', 'IN', 'DE']) expect(s.recipientCountries).toContain(iso);
});

test('webhook imperfections: duplicates, out-of-order statuses, failures with Meta error codes', () => {
  const duplicates = [...s.seen.values()].filter((n) => n > 1).length;
  expect(duplicates / s.statuses).toBeGreaterThan(0.005);
  expect(s.outOfOrder).toBeGreaterThan(100);
  expect(s.failed / s.statuses).toBeGreaterThan(0.005);
  expect(s.errorCodes).toContain(131049);
});

test('about 70% of template sends carry a biz_opaque_callback_data tag, the rest none', () => {
  expect(s.tagged / s.templates).toBeGreaterThan(0.55);
  expect(s.tagged / s.templates).toBeLessThan(0.85);
});

test('click-to-WhatsApp referrals open free entry point windows', () => {
  expect(s.referrals).toBeGreaterThan(100);
  expect(s.fepConversations).toBeGreaterThan(s.referrals);
});

test('user- and business-initiated calls, answered with durations and unanswered', () => {
  const user = s.callTerminates.filter((c) => c.direction === 'USER_INITIATED');
  const business = s.callTerminates.filter((c) => c.direction === 'BUSINESS_INITIATED');
  expect(user.length).toBeGreaterThan(300);
  expect(business.length).toBeGreaterThan(200);
  expect(user.some((c) => c.status === 'COMPLETED' && c.duration > 60)).toBe(true);
  expect(business.some((c) => c.status === 'FAILED' && c.duration === 0)).toBe(true);
});

test('weekday/weekend pattern and campaign spikes in marketing', () => {
  const days = [...s.marketingByDay.entries()].slice(1, -1);
  const weekend = days.filter(([d]) => [0, 6].includes(dayOfWeek(d))).map(([, n]) => n);
  const weekday = days
    .filter(([d]) => ![0, 6].includes(dayOfWeek(d)))
    .map(([, n]) => n)
    .sort((a, b) => a - b);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  expect(avg(weekday)).toBeGreaterThan(1.5 * avg(weekend));
  expect(weekday.at(-1)!).toBeGreaterThan(1.8 * weekday[Math.floor(weekday.length / 2)]!);
});

test('a volume tier update and a utility -> marketing recategorisation are announced', () => {
  expect(s.tierUpdates.length).toBeGreaterThanOrEqual(2);
  expect(s.tierUpdates[0]).toMatchObject({
    event: 'VOLUME_BASED_PRICING_TIER_UPDATE',
    volume_tier_info: { tier: expect.stringMatching(/^\d+:(\d+|MAX)$/) },
  });
  // Meta's figures for the same month show the portfolio moving into the second utility tier.
  expect(demo.metaFigures().pricing.some((r) => r.category === 'utility' && r.tier === '2001:8000')).toBe(true);
  expect(s.categoryUpdates).toEqual([
    expect.objectContaining({ message_template_name: 'order_shipped', previous_category: 'UTILITY', new_category: 'MARKETING' }),
  ]);
});
