import { localDay, marketOf, priceUsage, type UsageRow } from '@core';
import { generateDemo } from './generate-demo';

// The demo follows the pricing rules of each day it covers (issue 11 item 8): until 2026-09-30 service
// replies and utility templates inside the customer-service window are free; from 2026-10-01 (WABA-local)
// Meta sends them `type: regular`, `billable: true`, and service is priced at the market's utility rate
// (the demo's invented cards have no Service rate). Free entry point messages stay free.

const AS_OF = Date.UTC(2026, 9, 4, 12, 0); // 2026-10-04 12:00 UTC
const demo = generateDemo({ seed: 'rules', asOfMs: AS_OF, days: 6, scale: 0.4 });
const BOUNDARY = '2026-10-01';

interface Msg {
  waba: string;
  recipient: string;
  sentDay: string;
  category: string;
  type: string;
  billable: boolean;
  deliveredAt: number;
}
const messages = new Map<string, Msg>();
for (const { envelope } of demo.envelopes()) {
  for (const entry of envelope.entry) {
    const waba = demo.wabas.find((w) => w.id === entry.id);
    if (!waba) continue;
    for (const { value } of entry.changes) {
      for (const st of (value.statuses ?? []) as Record<string, any>[]) {
        const m = messages.get(st.id) ?? {
          waba: waba.id,
          recipient: st.recipient_id,
          sentDay: '',
          category: '',
          type: '',
          billable: false,
          deliveredAt: Number.POSITIVE_INFINITY,
        };
        if (st.pricing) Object.assign(m, { category: st.pricing.category, type: st.pricing.type, billable: st.pricing.billable });
        if (st.status === 'sent') m.sentDay = localDay(Number(st.timestamp) * 1000, waba.timezone);
        if (st.status === 'delivered' || st.status === 'read') m.deliveredAt = Math.min(m.deliveredAt, Number(st.timestamp) * 1000);
        messages.set(st.id, m);
      }
    }
  }
}
const sent = [...messages.values()].filter((m) => m.sentDay !== '' && m.category !== '');
const before = sent.filter((m) => m.sentDay < BOUNDARY);
const after = sent.filter((m) => m.sentDay >= BOUNDARY);
const verdicts = (list: Msg[], category: string) =>
  new Set(list.filter((m) => m.category === category).map((m) => `${m.type}/${m.billable}`));

test('service replies are free until 2026-09-30 and charged (regular, billable) from 2026-10-01, WABA-local', () => {
  expect(verdicts(before, 'service')).toEqual(new Set(['free_customer_service/false']));
  expect(verdicts(after, 'service')).toEqual(new Set(['regular/true']));
  expect(before.filter((m) => m.category === 'service').length).toBeGreaterThan(50);
  expect(after.filter((m) => m.category === 'service').length).toBeGreaterThan(50);
});

test('utility templates inside the window are free until 2026-09-30 and charged from 2026-10-01; entry point windows stay free', () => {
  expect(verdicts(before, 'utility')).toEqual(new Set(['free_customer_service/false', 'regular/true']));
  expect(verdicts(after, 'utility')).toEqual(new Set(['regular/true']));
  expect(verdicts(after, 'referral_conversion')).toEqual(new Set(['free_entry_point/false']));
});

test("service on 2026-10-02 costs the market's utility rate of the invented EUR card per message (by hand)", () => {
  const berlin = demo.wabas.find((w) => w.currency === 'EUR')!;
  const day = '2026-10-02';
  const delivered = [...messages.values()].filter(
    (m) =>
      m.waba === berlin.id &&
      m.category === 'service' &&
      Number.isFinite(m.deliveredAt) &&
      localDay(m.deliveredAt, berlin.timezone) === day,
  );
  expect(delivered.length).toBeGreaterThan(5);
  // The card in force: the latest EUR rates file effective on or before the day, read as text.
  const card = demo.rateFiles
    .filter((f) => f.kind === 'rates' && f.currency === 'EUR' && f.effectiveFrom <= day)
    .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom))
    .at(-1)!;
  expect(card.text).toMatch(/Service/);
  const utilityMicros = (market: string) => {
    const line = card.text.split(/\r?\n/).find((l) => l.startsWith(`${market},EUR,`));
    const [, , , utility, , , service] = (line as string).split(',');
    expect(service).toBe('n/a');
    const [int, frac = ''] = (utility as string).split('.');
    return BigInt(int as string) * 1_000_000n + BigInt(frac.padEnd(6, '0'));
  };
  const perMarket = new Map<string, number>();
  for (const m of delivered) {
    const market = marketOf(m.recipient, day).market;
    perMarket.set(market, (perMarket.get(market) ?? 0) + 1);
  }
  let expected = 0n;
  for (const [market, n] of perMarket) expected += BigInt(n) * utilityMicros(market);

  const rows: UsageRow[] = [...perMarket].map(([market, n]) => ({
    day,
    wabaId: berlin.id,
    portfolioId: berlin.portfolio,
    currency: 'EUR',
    market,
    category: 'service',
    pricingType: 'regular',
    pricingModel: 'PMP',
    units: n,
  }));
  const priced = priceUsage(rows, demo.priceBook);
  expect(priced.problems).toEqual([]);
  expect(priced.rows.reduce((sum, r) => sum + (r.costMicros as bigint), 0n)).toBe(expected);
  expect(priced.rows.reduce((n, r) => n + r.billable, 0)).toBe(delivered.length);
});
