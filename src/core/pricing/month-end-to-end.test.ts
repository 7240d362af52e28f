/**
 * MUST SHOW (issue 2): Meta-format rate CSVs with INVENTED rates import, and a hand-built month of
 * traffic (16 March - 15 April 2026, WABA-local) across three markets (India, Brazil, Rest of
 * Africa), two time zones (Asia/Kolkata UTC+5:30, America/Sao_Paulo UTC-3), volume tiers counted per
 * portfolio across both WABAs, and the 2026-04-01 quarter rate change, prices to the hand-computed
 * total. Messages go through the whole core path: timeline -> classifyTimeline -> buildUsageRows
 * (marketOf, WABA-local days) -> priceUsage.
 *
 * Rates (invented, USD per message):     2026-01-01 card     2026-04-01 card
 *   India marketing                        0.0118              0.0131
 *   Brazil marketing                       0.0625              0.0625
 *   Brazil utility (tier 1 / tier 2)       0.0068 / 0.0060     0.0072 / 0.0064   tiers 0:50, 51:MAX
 *   India utility (tiers 0:100, 101:200, 201:MAX)  0.0014 / 0.0012 / 0.0010 (both quarters)
 *   Rest of Africa authentication          0.0040 (no tier table -> flat)
 *
 * Hand computation (portfolio P1 = WABA "in" in Kolkata + WABA "br" in Sao Paulo):
 * | grp | WABA | local time              | what                                   | charged | arithmetic                                   | USD      |
 * |-----|------|-------------------------|----------------------------------------|---------|----------------------------------------------|----------|
 * | A   | in   | 03-20 10:00             | 150 utility templates -> India         | 150     | 100 x 0.0014 + 50 x 0.0012 (units 1-150)     | 0.2000   |
 * | B   | in   | 03-21 09:00/09:30/09:31 | 40 users write; 40 utility + 40 texts  | 0       | utility inside the CSW and texts are free    | 0.0000   |
 * | C   | in   | 03-25 11:00             | 30 marketing -> India                  | 30      | 30 x 0.0118                                  | 0.3540   |
 * | D   | in   | 03-31 23:30 (18:00Z)    | 10 marketing -> India                  | 10      | 10 x 0.0118 (still March locally)            | 0.1180   |
 * | E   | in   | 04-01 00:30 (03-31 19:00Z) | 10 marketing -> India               | 10      | 10 x 0.0131 (April locally, new card)        | 0.1310   |
 * | F   | in   | 04-02 12:00             | 60 authentication -> Kenya             | 60      | 60 x 0.0040 (Rest of Africa, flat)           | 0.2400   |
 * | G   | in   | 04-03 12:00             | 120 utility -> India                   | 120     | April resets: 100 x 0.0014 + 20 x 0.0012     | 0.1640   |
 * | H   | br   | 03-22 15:00             | 80 utility -> India                    | 80      | units 151-230 of P1's March India count:     |          |
 * |     |      |                         |                                        |         | 50 x 0.0012 + 30 x 0.0010                    | 0.0900   |
 * | I   | br   | 03-23 10:00             | 70 utility -> Brazil                   | 70      | 50 x 0.0068 + 20 x 0.0060                    | 0.4600   |
 * | J   | br   | 03-31 22:00 (04-01 01:00Z) | 5 utility -> Brazil                 | 5       | units 71-75 of March: 5 x 0.0060 (old card)  | 0.0300   |
 * | K   | br   | 04-01 10:00             | 55 utility -> Brazil                   | 55      | April: 50 x 0.0072 + 5 x 0.0064              | 0.3920   |
 * | L   | br   | 04-05 10:00/10:30, 04-06 16:30 | 20 ad referrals; 20 replies; 20 marketing | 0 | FEP: reply opens 72h, marketing inside is free | 0.0000 |
 * | M   | br   | 04-06 09:00             | 25 marketing -> Brazil, statuses repeated | 25   | 25 x 0.0625 (duplicates count once)          | 1.5625   |
 * | N   | br   | 04-07 09:00             | 5 marketing -> Brazil, sent then failed | 0      | not delivered                                | 0.0000   |
 * | P   | br   | 04-08 09:00             | 3 utility with Meta's verdict free_customer_service | 0 | Meta's pricing object wins       | 0.0000   |
 * Total = 0.2000 + 0.3540 + 0.1180 + 0.1310 + 0.2400 + 0.1640 + 0.0900 + 0.4600 + 0.0300 + 0.3920 + 1.5625 = 3.7415 USD -> 3.74
 * By market: India 0.2000+0.3540+0.1180+0.1310+0.1640+0.0900 = 1.0570; Brazil 0.4600+0.0300+0.3920+1.5625 = 2.4445; Rest of Africa 0.2400.
 */
import { formatMicros, formatMoney, sumMicros } from '../model/money';
import { addToPriceBook, emptyPriceBook } from '../ratecard/price-book';
import { parseRateCardCsv } from '../ratecard/rate-card';
import { parseTierCsv } from '../ratecard/tiers';
import { USD_RATES_2026_01, USD_RATES_2026_04, USD_TIERS_2026_01, USD_TIERS_2026_04 } from '../test-fixtures/invented-rate-cards';
import { dayStartMs } from '../time/local-time';
import { classifyTimeline } from '../windows/classify-timeline';
import type { TimelineEvent } from '../windows/timeline-events';
import { priceUsage } from './price-usage';
import { buildUsageRows, type UsageMessage } from './usage-rows';

const WABAS = {
  in: { wabaId: 'in', portfolioId: 'P1', currency: 'USD', timezone: 'Asia/Kolkata' },
  br: { wabaId: 'br', portfolioId: 'P1', currency: 'USD', timezone: 'America/Sao_Paulo' },
} as const;
type Waba = keyof typeof WABAS;

/** Local wall-clock time in the WABA's zone -> epoch ms. */
function localMs(waba: Waba, day: string, hh: number, mm: number): number {
  return dayStartMs(day, WABAS[waba].timezone) + (hh * 60 + mm) * 60_000;
}

const timelines = new Map<string, { waba: Waba; events: TimelineEvent[] }>();
let wamidSeq = 0;
function contact(waba: Waba, phone: string) {
  const key = `${waba}/${phone}`;
  if (!timelines.has(key)) timelines.set(key, { waba, events: [] });
  return (timelines.get(key) as { events: TimelineEvent[] }).events;
}
function template(
  waba: Waba,
  phone: string,
  at: number,
  templateCategory: 'marketing' | 'utility' | 'authentication',
  extra: Partial<TimelineEvent> = {},
) {
  const wamid = `wamid.${(wamidSeq += 1)}`;
  contact(waba, phone).push({ kind: 'outbound_message', wamid, atMs: at, isTemplate: true, templateCategory, ...extra } as TimelineEvent);
  return wamid;
}
const india = (group: string, i: number) => `91 98${group.charCodeAt(0)} ${String(i).padStart(5, '0')}`;
const brazil = (group: string, i: number) => `+55 11 9${group.charCodeAt(0)}${String(i).padStart(5, '0')}`;
const kenya = (i: number) => `+254-712-${String(i).padStart(6, '0')}`;

function buildMonth(): void {
  for (let i = 0; i < 150; i += 1) template('in', india('A', i), localMs('in', '2026-03-20', 10, 0), 'utility');
  for (let i = 0; i < 40; i += 1) {
    const phone = india('B', i);
    contact('in', phone).push({ kind: 'inbound_message', id: `in.B${i}`, atMs: localMs('in', '2026-03-21', 9, 0) });
    template('in', phone, localMs('in', '2026-03-21', 9, 30), 'utility');
    contact('in', phone).push({
      kind: 'outbound_message',
      wamid: `wamid.B.text.${i}`,
      atMs: localMs('in', '2026-03-21', 9, 31),
      isTemplate: false,
    });
  }
  for (let i = 0; i < 30; i += 1) template('in', india('C', i), localMs('in', '2026-03-25', 11, 0), 'marketing');
  for (let i = 0; i < 10; i += 1) template('in', india('D', i), localMs('in', '2026-03-31', 23, 30), 'marketing');
  for (let i = 0; i < 10; i += 1) template('in', india('E', i), localMs('in', '2026-04-01', 0, 30), 'marketing');
  for (let i = 0; i < 60; i += 1) template('in', kenya(i), localMs('in', '2026-04-02', 12, 0), 'authentication');
  for (let i = 0; i < 120; i += 1) template('in', india('G', i), localMs('in', '2026-04-03', 12, 0), 'utility');

  for (let i = 0; i < 80; i += 1) template('br', india('H', i), localMs('br', '2026-03-22', 15, 0), 'utility');
  for (let i = 0; i < 70; i += 1) template('br', brazil('I', i), localMs('br', '2026-03-23', 10, 0), 'utility');
  for (let i = 0; i < 5; i += 1) template('br', brazil('J', i), localMs('br', '2026-03-31', 22, 0), 'utility');
  for (let i = 0; i < 55; i += 1) template('br', brazil('K', i), localMs('br', '2026-04-01', 10, 0), 'utility');
  for (let i = 0; i < 20; i += 1) {
    const phone = brazil('L', i);
    contact('br', phone).push({ kind: 'inbound_message', id: `in.L${i}`, atMs: localMs('br', '2026-04-05', 10, 0), referral: true });
    contact('br', phone).push({
      kind: 'outbound_message',
      wamid: `wamid.L.reply.${i}`,
      atMs: localMs('br', '2026-04-05', 10, 30),
      isTemplate: false,
    });
    template('br', phone, localMs('br', '2026-04-06', 16, 30), 'marketing');
  }
  for (let i = 0; i < 25; i += 1) {
    const phone = brazil('M', i);
    const at = localMs('br', '2026-04-06', 9, 0);
    const wamid = template('br', phone, at, 'marketing', { status: 'sent' });
    for (const status of ['delivered', 'read', 'delivered'] as const) {
      contact('br', phone).push({
        kind: 'outbound_message',
        wamid,
        atMs: at + 2000,
        isTemplate: true,
        templateCategory: 'marketing',
        status,
      });
    }
  }
  for (let i = 0; i < 5; i += 1) {
    const phone = brazil('N', i);
    const wamid = template('br', phone, localMs('br', '2026-04-07', 9, 0), 'marketing', { status: 'sent' });
    contact('br', phone).push({
      kind: 'outbound_message',
      wamid,
      atMs: localMs('br', '2026-04-07', 9, 1),
      isTemplate: true,
      status: 'failed',
    });
  }
  for (let i = 0; i < 3; i += 1) {
    template('br', brazil('P', i), localMs('br', '2026-04-08', 9, 0), 'utility', {
      pricing: { category: 'utility', pricingType: 'free_customer_service' },
    });
  }
}

describe('must show: a hand-built month priced to the cent', () => {
  buildMonth();
  let book = emptyPriceBook();
  book = addToPriceBook(book, parseRateCardCsv(USD_RATES_2026_01, { effectiveFrom: '2026-01-01' }));
  book = addToPriceBook(book, parseRateCardCsv(USD_RATES_2026_04, { effectiveFrom: '2026-04-01' }));
  book = addToPriceBook(book, parseTierCsv(USD_TIERS_2026_01, { effectiveFrom: '2026-01-01', currency: 'USD' }));
  book = addToPriceBook(book, parseTierCsv(USD_TIERS_2026_04, { effectiveFrom: '2026-04-01', currency: 'USD' }));

  const messages: UsageMessage[] = [];
  for (const [key, { waba, events }] of timelines) {
    const phone = key.slice(key.indexOf('/') + 1);
    for (const c of classifyTimeline(events, { timezone: WABAS[waba].timezone })) {
      messages.push({
        ...WABAS[waba],
        atMs: c.atMs,
        recipient: phone,
        category: c.category,
        pricingType: c.pricingType,
        pricingModel: c.pricingModel,
        delivered: c.delivered,
      });
    }
  }
  const rows = buildUsageRows(messages);
  const priced = priceUsage(rows, book);

  test('the total is the hand-computed 3.7415 USD (3.74 to the cent) with no pricing problems', () => {
    expect(priced.problems).toEqual([]);
    const total = sumMicros(priced.rows.map((r) => r.costMicros as bigint));
    expect(formatMicros(total, 4)).toBe('3.7415');
    expect(formatMoney(total, 'USD')).toBe('3.74');
  });

  test('per market as in the table', () => {
    const byMarket = new Map<string, bigint>();
    for (const r of priced.rows) byMarket.set(r.market, (byMarket.get(r.market) ?? 0n) + (r.costMicros as bigint));
    expect(Object.fromEntries([...byMarket].map(([m, v]) => [m, formatMicros(v, 4)]))).toEqual({
      India: '1.0570',
      Brazil: '2.4445',
      'Rest of Africa': '0.2400',
    });
  });

  test('the boundary groups land on the WABA-local day and card', () => {
    expect(new Date(localMs('in', '2026-04-01', 0, 30)).toISOString()).toBe('2026-03-31T19:00:00.000Z');
    expect(new Date(localMs('br', '2026-03-31', 22, 0)).toISOString()).toBe('2026-04-01T01:00:00.000Z');
    const costOf = (waba: string, day: string, market: string, category: string) =>
      priced.rows
        .filter((r) => r.wabaId === waba && r.day === day && r.market === market && r.category === category && r.billable > 0)
        .map((r) => formatMicros(r.costMicros as bigint, 4));
    expect(costOf('in', '2026-03-31', 'India', 'marketing')).toEqual(['0.1180']); // D
    expect(costOf('in', '2026-04-01', 'India', 'marketing')).toEqual(['0.1310']); // E (UTC still 31 March)
    expect(costOf('br', '2026-03-31', 'Brazil', 'utility')).toEqual(['0.0300']); // J (UTC already 1 April)
    expect(costOf('br', '2026-03-22', 'India', 'utility')).toEqual(['0.0900']); // H continues A's tier count
  });

  test('delivered messages, charged units and free verdicts add up', () => {
    const sum = (f: (r: (typeof priced.rows)[number]) => number) => priced.rows.reduce((s, r) => s + f(r), 0);
    // delivered: A150 + B80 + C30 + D10 + E10 + F60 + G120 + H80 + I70 + J5 + K55 + L40 + M25 + P3 = 738 (N failed)
    expect(sum((r) => r.units)).toBe(738);
    // charged: 150 + 30 + 10 + 10 + 60 + 120 + 80 + 70 + 5 + 55 + 25 = 615
    expect(sum((r) => r.billable)).toBe(615);
    expect(sum((r) => (r.pricingType === 'free_entry_point' ? r.units : 0))).toBe(40);
  });
});
