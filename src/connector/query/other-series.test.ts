/**
 * /annotations, /tiers, /lists, /contacts, /reconciliation and /pricing-input (other-series.ts) on small
 * fixtures, in-process on SQLite and PostgreSQL. Every expected value is worked out by hand next to it.
 */
import { annotationsQuery, contactsQuery, listQuery, pricingInputQuery, reconciliationQuery, tiersQuery } from '@contract';
import { statusObject } from '../../../tests/store/store-suite';
import { describeOnBothStores } from '../../../tests/helpers/both-stores';
import { BR, terminated } from '../../../tests/helpers/query-fixture';
import { importRateFile, loadPriceBook, type RateFileInput } from '../runtime/price-files';
import { normaliseEnvelope, parseEnvelope } from '../ingest';
import type { ConnectorStore } from '../store';
import { annotations, contactsSeries, listValues, pricingInput, reconciliation, tierState } from './other-series';
import type { QueryContext, WabaInfo } from './query-context';

jest.setTimeout(60_000);

const at = (iso: string) => Date.parse(iso);
const waba = (id: string, name: string, timezone: string, code: string, portfolio: string): WabaInfo => ({
  id,
  name,
  timezone,
  currencies: [{ from: '', code }],
  portfolio,
});

/** One webhook envelope of `wabaId`, dated `iso` (entry.time), with the given changes. */
async function post(store: ConnectorStore, wabaId: string, iso: string, changes: { field: string; value: unknown }[]): Promise<void> {
  const body = { object: 'whatsapp_business_account', entry: [{ id: wabaId, time: at(iso) / 1000, changes }] };
  await store.ingest(normaliseEnvelope(parseEnvelope(JSON.stringify(body)), 0), 0);
}

interface Sent {
  id: string;
  at: string;
  to: string;
  category: string;
  phone?: string;
  type?: string;
  group?: string;
}
/** Delivered PMP messages (a `to` starting 55 is Brazil, 91 India). */
async function deliver(store: ConnectorStore, wabaId: string, messages: Sent[]): Promise<void> {
  for (const m of messages) {
    const type = m.type ?? 'regular';
    const pricing = { billable: type === 'regular', pricing_model: 'PMP', type, category: m.category };
    const status = statusObject(m.id, 'delivered', m.at, {
      recipient_id: m.to,
      pricing,
      ...(m.group ? { biz_opaque_callback_data: m.group } : {}),
    });
    await post(store, wabaId, m.at, [{ field: 'messages', value: { metadata: { phone_number_id: m.phone ?? 'P1' }, statuses: [status] } }]);
  }
}

const BR2 = '5511987650002';
const IN = '919812340001';

const rates = (currency: string, effectiveFrom: string, brazilMarketing: string, indiaLine = ''): RateFileInput => ({
  kind: 'rates',
  effectiveFrom,
  fileName: `${currency}-${effectiveFrom}.csv`,
  text: `Cost per message in ${currency}
Market,Currency,Marketing,Utility,Authentication,"Authentication-
International",Service
Brazil,${currency},${brazilMarketing},0.0080,0.0068,n/a,n/a
${indiaLine}`,
});

describeOnBothStores('annotations', (open) => {
  let store: ConnectorStore;
  let ctx: QueryContext;
  const U = waba('W_UTC', 'Shop UTC', 'UTC', 'USD', 'P1');
  const S = waba('W_SP', 'Loja SP', 'America/Sao_Paulo', 'BRL', 'P2');

  beforeAll(async () => {
    store = await open({ timezones: { W_UTC: 'UTC', W_SP: 'America/Sao_Paulo' } });
    for (const f of [
      rates('USD', '2025-07-01', '0.0625'),
      rates('USD', '2025-08-15', '0.0700'),
      rates('USD', '2025-12-01', '0.0750'),
      rates('BRL', '2025-09-01', '0.3125'),
      // No configured WABA is billed in EUR: never an annotation.
      rates('EUR', '2025-07-20', '0.0500'),
    ])
      await importRateFile(store, f, 0);
    const { book } = await loadPriceBook(store);
    ctx = {
      store,
      wabas: new Map([U, S].map((w) => [w.id, w])),
      priceBook: () => book,
      generation: () => 1,
      now: () => at('2026-01-01T00:00:00Z'),
    };
    await post(store, 'W_UTC', '2025-07-10T06:00:00Z', [{ field: 'account_update', value: { volume_tier_info: { tier: '2001:10000' } } }]);
    // 600 characters of E: the text keeps the first 500 of its JSON.
    await post(store, 'W_UTC', '2025-07-12T00:00:00Z', [{ field: 'account_update', value: { event: 'E'.repeat(600) } }]);
    await post(store, 'W_SP', '2025-07-20T12:00:00Z', [
      {
        field: 'template_category_update',
        value: { message_template_name: 'order_update', previous_category: 'MARKETING', new_category: 'UTILITY' },
      },
    ]);
    await post(store, 'W_UTC', '2025-07-25T00:00:00Z', [
      { field: 'message_template_status_update', value: { category: 'AUTHENTICATION' } },
    ]);
    await post(store, 'W_UTC', '2025-07-28T00:00:00Z', [{ field: 'template_category_update', value: { message_template_id: 7 } }]);
    await post(store, 'W_SP', '2025-07-29T00:00:00Z', [{ field: 'account_update', value: { volume_tier_info: { tier: '1:1000' } } }]);
    // After every range asked below.
    await post(store, 'W_UTC', '2025-11-05T00:00:00Z', [{ field: 'account_update', value: { volume_tier_info: { tier: 'LATE' } } }]);
  });
  afterAll(async () => {
    await store.close();
  });

  const ask = (params: Record<string, string>) => annotations(ctx, annotationsQuery.parse(params));

  const usdFirst = {
    time: at('2025-07-01T00:00:00Z'),
    kind: 'rate_card',
    title: 'USD rate card (per message) from 2025-07-01',
    text: 'first entry of this kind (3 rates)',
    wabaId: null,
    tags: ['rate_card', 'USD'],
  };
  const pmp = (w: WabaInfo, time: string) => ({
    time: at(time),
    kind: 'pricing_model',
    title: 'Per-message pricing starts',
    text: `Meta bills ${w.name} per delivered message from 2025-07-01 (WABA-local); per-conversation before.`,
    wabaId: w.id,
    tags: ['pricing_model'],
  });
  const tier2001 = {
    time: at('2025-07-10T06:00:00Z'),
    kind: 'tier',
    title: 'Volume tier: 2001:10000',
    text: '{"volume_tier_info":{"tier":"2001:10000"}}',
    wabaId: 'W_UTC',
    tags: ['tier'],
  };
  // '{"event":"' is 10 characters, so 490 E follow it.
  const accountUpdate = {
    time: at('2025-07-12T00:00:00Z'),
    kind: 'tier',
    title: 'Account update',
    text: `{"event":"${'E'.repeat(490)}`,
    wabaId: 'W_UTC',
    tags: ['tier'],
  };
  const orderUpdate = {
    time: at('2025-07-20T12:00:00Z'),
    kind: 'template_category',
    title: 'Template order_update recategorised to UTILITY',
    text: 'MARKETING -> UTILITY',
    wabaId: 'W_SP',
    tags: ['template_category', 'utility'],
  };
  const unnamedAuth = {
    time: at('2025-07-25T00:00:00Z'),
    kind: 'template_category',
    title: 'Template recategorised to AUTHENTICATION',
    text: '? -> AUTHENTICATION',
    wabaId: 'W_UTC',
    tags: ['template_category', 'authentication'],
  };
  const unknownCategory = {
    time: at('2025-07-28T00:00:00Z'),
    kind: 'template_category',
    title: 'Template recategorised to unknown',
    text: '? -> unknown',
    wabaId: 'W_UTC',
    tags: ['template_category', 'unknown'],
  };
  const spTier = {
    time: at('2025-07-29T00:00:00Z'),
    kind: 'tier',
    title: 'Volume tier: 1:1000',
    text: '{"volume_tier_info":{"tier":"1:1000"}}',
    wabaId: 'W_SP',
    tags: ['tier'],
  };
  const usdSecond = {
    time: at('2025-08-15T00:00:00Z'),
    kind: 'rate_card',
    title: 'USD rate card (per message) from 2025-08-15',
    text: '1 rate changed: Brazil marketing 0.0625 → 0.07',
    wabaId: null,
    tags: ['rate_card', 'USD'],
  };
  const brlFirst = (time: string) => ({
    time: at(time),
    kind: 'rate_card',
    title: 'BRL rate card (per message) from 2025-09-01',
    text: 'first entry of this kind (3 rates)',
    wabaId: null,
    tags: ['rate_card', 'BRL'],
  });
  const zimbabwe = (time: string) => ({
    time: at(time),
    kind: 'market_change',
    title: 'Pricing market change',
    text: 'Zimbabwe (ZW): Other -> Rest of Africa',
    wabaId: null,
    tags: ['market_change'],
  });

  it('lists every kind in time order, days on the first WABA’s calendar (UTC here), each WABA’s own PMP midnight', async () => {
    // 2025-07-01..2025-10-01: PMP starts on the first day, Zimbabwe moves market on the last.
    // Rate cards of USD and BRL only (the WABAs' currencies); the EUR one and USD's 2025-12-01 card are not shown.
    expect((await ask({ from: '2025-07-01', to: '2025-10-01' })).items).toEqual([
      usdFirst,
      pmp(U, '2025-07-01T00:00:00Z'),
      // Sao Paulo is UTC-3: its midnight is 03:00 UTC.
      pmp(S, '2025-07-01T03:00:00Z'),
      tier2001,
      accountUpdate,
      orderUpdate,
      unnamedAuth,
      unknownCategory,
      spTier,
      usdSecond,
      brlFirst('2025-09-01T00:00:00Z'),
      zimbabwe('2025-10-01T00:00:00Z'),
    ]);
  });

  it('keeps a change dated on the first or the last day of the range, not one a day outside it', async () => {
    // USD's 08-15 card on the first day, BRL's 09-01 card on the last; 07-01 and 12-01 outside.
    expect((await ask({ from: '2025-08-15', to: '2025-09-01', kind: 'rate_card' })).items).toEqual([
      usdSecond,
      brlFirst('2025-09-01T00:00:00Z'),
    ]);
    // PMP's first day as the last day of the range.
    expect((await ask({ from: '2025-06-01', to: '2025-07-01', kind: 'pricing_model' })).items).toEqual([
      pmp(U, '2025-07-01T00:00:00Z'),
      pmp(S, '2025-07-01T03:00:00Z'),
    ]);
    // Zimbabwe's 2025-10-01 move as the first day of the range; the 2026-07-01 moves are later.
    expect((await ask({ from: '2025-10-01', to: '2026-06-30', kind: 'market_change' })).items).toEqual([zimbabwe('2025-10-01T00:00:00Z')]);
    // Ending the day before PMP's start, or starting the day after it and ending before Zimbabwe's move: neither.
    expect((await ask({ from: '2025-05-01', to: '2025-06-30', kind: 'pricing_model,market_change' })).items).toEqual([]);
    expect((await ask({ from: '2025-07-02', to: '2025-09-30', kind: 'pricing_model,market_change' })).items).toEqual([]);
  });

  it('lists the six market moves of 2026-07-01 on that day alone, not 2025’s', async () => {
    const items = (await ask({ from: '2026-07-01', to: '2026-07-01', kind: 'market_change' })).items;
    expect(items.map((i) => i.text)).toEqual([
      'Hong Kong (HK): Rest of Asia Pacific -> Hong Kong',
      'Hungary (HU): Rest of Central and Eastern Europe -> Hungary',
      'Poland (PL): Rest of Central and Eastern Europe -> Poland',
      'Qatar (QA): Rest of Middle East -> Qatar',
      'Romania (RO): Rest of Central and Eastern Europe -> Romania',
      'Singapore (SG): Rest of Asia Pacific -> Singapore',
    ]);
    expect(new Set(items.map((i) => i.time))).toEqual(new Set([at('2026-07-01T00:00:00Z')]));
  });

  it('gives only the kinds asked for', async () => {
    const range = { from: '2025-07-01', to: '2025-10-01' };
    expect((await ask({ ...range, kind: 'tier' })).items).toEqual([tier2001, accountUpdate, spTier]);
    expect((await ask({ ...range, kind: 'template_category' })).items).toEqual([orderUpdate, unnamedAuth, unknownCategory]);
    expect((await ask({ ...range, kind: 'rate_card,market_change' })).items).toEqual([
      usdFirst,
      usdSecond,
      brlFirst('2025-09-01T00:00:00Z'),
      zimbabwe('2025-10-01T00:00:00Z'),
    ]);
  });

  it('for a WABA that is not configured (a stale variable): only the market moves, on UTC days', async () => {
    expect((await ask({ from: '2025-07-01', to: '2025-10-01', waba: 'W_GONE' })).items).toEqual([zimbabwe('2025-10-01T00:00:00Z')]);
  });

  it('for one WABA: its events, its currency’s cards, days on its calendar', async () => {
    // Sao Paulo's calendar: every day starts at 03:00 UTC. Only BRL cards; W_UTC's events left out.
    expect((await ask({ from: '2025-07-01', to: '2025-10-01', waba: 'W_SP' })).items).toEqual([
      pmp(S, '2025-07-01T03:00:00Z'),
      orderUpdate,
      spTier,
      brlFirst('2025-09-01T03:00:00Z'),
      zimbabwe('2025-10-01T03:00:00Z'),
    ]);
  });
});

describeOnBothStores('tiers and lists', (open) => {
  let store: ConnectorStore;
  let ctx: QueryContext;
  const NOW = at('2026-04-20T12:00:00Z');
  const DAY = 86_400_000;
  // Portfolio P2 first: the rows still come out by portfolio, market and category.
  const S = waba('W_SP', 'Loja SP', 'America/Sao_Paulo', 'USD', 'P2');
  const U = waba('W_UTC', 'Shop UTC', 'UTC', 'USD', 'P1');
  const U2 = waba('W_UTC2', 'Shop Two', 'UTC', 'USD', 'P1');
  const tiers: RateFileInput = {
    kind: 'tiers',
    currency: 'USD',
    effectiveFrom: '2026-01-01',
    fileName: 'usd-tiers.csv',
    text: `Market,Category,Lower,Upper,Rate
Brazil,utility,0,3,0.0080
Brazil,utility,4,MAX,0.0070
Brazil,authentication,0,2,0.0068
Brazil,authentication,3,MAX,0.0060
India,utility,0,1,0.0014
India,utility,2,MAX,0.0012
India,authentication,0,5,0.0014
India,authentication,6,MAX,0.0013
`,
  };

  beforeAll(async () => {
    store = await open({ timezones: { W_SP: 'America/Sao_Paulo', W_UTC: 'UTC', W_UTC2: 'UTC' } });
    await importRateFile(store, rates('USD', '2026-01-01', '0.0625', 'India,USD,0.0107,0.0014,0.0014,0.0280,n/a\n'), 0);
    await importRateFile(store, tiers, 0);
    const { book } = await loadPriceBook(store);
    ctx = { store, wabas: new Map([S, U, U2].map((w) => [w.id, w])), priceBook: () => book, generation: () => 1, now: () => NOW };
    // P1 in April: India utility 1 (04-02), Brazil authentication 1 (04-03), Brazil utility 2 + 1 (W_UTC2), India authentication 1.
    await deliver(store, 'W_UTC', [
      { id: 'u1', at: '2026-04-02T10:00:00Z', to: IN, category: 'utility', phone: 'PH_B', group: 'g-zeta' },
      { id: 'u2', at: '2026-04-03T10:00:00Z', to: BR, category: 'authentication', phone: 'PH_A', group: 'g-alpha' },
      { id: 'u3', at: '2026-04-05T10:00:00Z', to: BR, category: 'utility', phone: 'PH_A' },
      { id: 'u4', at: '2026-04-05T11:00:00Z', to: BR2, category: 'utility', phone: 'PH_A' },
      { id: 'u5', at: '2026-04-06T10:00:00Z', to: IN, category: 'authentication', phone: 'PH_B' },
    ]);
    // A phone that only ever called.
    await store.ingest(terminated('W_UTC', 'PH_CALL', { id: 'call1', iso: '2026-04-08T10:00:00Z', seconds: 30, user: BR }), 0);
    await deliver(store, 'W_UTC2', [{ id: 'v1', at: '2026-04-07T10:00:00Z', to: BR, category: 'utility', phone: 'PH_C', group: 'g-two' }]);
    // P2: India utility 2 (Sao Paulo local 04-04).
    await deliver(store, 'W_SP', [
      { id: 's1', at: '2026-04-04T15:00:00Z', to: IN, category: 'utility', phone: 'PH_S' },
      { id: 's2', at: '2026-04-04T16:00:00Z', to: IN, category: 'utility', phone: 'PH_S' },
    ]);
    // Meta's tier announcements for W_UTC: 100 days and 6 hours before now (the latest counts); a
    // template event carrying a tier field later still is not an announcement. W_SP's has no tier.
    await post(store, 'W_UTC', new Date(NOW - 100 * DAY).toISOString(), [
      { field: 'account_update', value: { volume_tier_info: { tier: '1:1000' } } },
    ]);
    await post(store, 'W_UTC', new Date(NOW - 6 * 3_600_000).toISOString(), [
      { field: 'account_update', value: { volume_tier_info: { tier: '1001:10000' } } },
    ]);
    await post(store, 'W_UTC', new Date(NOW - 3_600_000).toISOString(), [
      { field: 'template_category_update', value: { new_category: 'UTILITY', volume_tier_info: { tier: 'TEMPLATE' } } },
    ]);
    await post(store, 'W_SP', new Date(NOW - DAY).toISOString(), [{ field: 'account_update', value: { event: 'NO_TIER' } }]);
  });
  afterAll(async () => {
    await store.close();
  });

  it('tiers: per portfolio, market and tiered category, the month’s units and the tier of the next unit, sorted', async () => {
    const { rows } = await tierState(ctx, tiersQuery.parse({}));
    const row = (portfolioId: string, market: string, category: string, units: number, tierLower: number, tierUpper: number | null) => ({
      portfolioId,
      market,
      category,
      month: '2026-04',
      units,
      tierLower,
      tierUpper,
      // Units left before the next tier: the tier's upper bound minus the units so far.
      remaining: tierUpper === null ? null : tierUpper - units,
      metaTier: portfolioId === 'P1' ? '1001:10000' : null,
    });
    expect(rows).toEqual([
      // 1 unit: unit 2 is next, in 0..2.
      row('P1', 'Brazil', 'authentication', 1, 0, 2),
      // 2 (W_UTC) + 1 (W_UTC2) = 3 units: unit 4 is next, in 4..MAX.
      row('P1', 'Brazil', 'utility', 3, 4, null),
      // 1 unit: unit 2 is next, in 0..5.
      row('P1', 'India', 'authentication', 1, 0, 5),
      // 1 unit: unit 2 is next, in 2..MAX.
      row('P1', 'India', 'utility', 1, 2, null),
      // P2's 2 units: unit 3 is next, in 2..MAX.
      row('P2', 'India', 'utility', 2, 2, null),
    ]);
  });

  it('tiers for one WABA: only its portfolio’s markets', async () => {
    const { rows } = await tierState(ctx, tiersQuery.parse({ waba: 'W_SP', month: '2026-04' }));
    expect(rows.map((r) => [r.portfolioId, r.market, r.category, r.units])).toEqual([['P2', 'India', 'utility', 2]]);
  });

  it('lists: categories, and the phones, countries, markets and groups of the last 400 days, sorted', async () => {
    const list = async (kind: 'wabas' | 'categories' | 'phones' | 'countries' | 'markets' | 'groups', w = '') =>
      (await listValues(ctx, kind, listQuery.parse(w ? { waba: w } : {}))).items.map((i) => i.value);
    expect(await list('categories')).toEqual([
      'marketing',
      'marketing_lite',
      'utility',
      'authentication',
      'authentication_international',
      'service',
      'referral_conversion',
    ]);
    expect(await list('wabas')).toEqual(['W_SP', 'W_UTC', 'W_UTC2']);
    expect(await list('phones')).toEqual(['PH_A', 'PH_B', 'PH_C', 'PH_CALL', 'PH_S']);
    expect(await list('phones', 'W_UTC')).toEqual(['PH_A', 'PH_B', 'PH_CALL']);
    // India's message is the first of the month: stored first, listed second.
    expect(await list('countries', 'W_UTC')).toEqual(['BR', 'IN']);
    expect(await list('markets', 'W_UTC')).toEqual(['Brazil', 'India']);
    expect(await list('groups')).toEqual(['g-alpha', 'g-two', 'g-zeta']);
  });
});

describeOnBothStores('tiers under a ladder changed mid-month', (open) => {
  let store: ConnectorStore;
  let ctx: QueryContext;
  const U = waba('W_UTC', 'Shop UTC', 'UTC', 'USD', 'P1');
  const ladder = (effectiveFrom: string, upper: number): RateFileInput => ({
    kind: 'tiers',
    currency: 'USD',
    effectiveFrom,
    fileName: `usd-tiers-${effectiveFrom}.csv`,
    text: `Market,Category,Lower,Upper,Rate\nBrazil,utility,0,${upper},0.0080\nBrazil,utility,${upper + 1},MAX,0.0070\n`,
  });

  beforeAll(async () => {
    store = await open({ timezones: { W_UTC: 'UTC' } });
    await importRateFile(store, rates('USD', '2026-01-01', '0.0625'), 0);
    await importRateFile(store, ladder('2026-01-01', 3), 0);
    await importRateFile(store, ladder('2026-04-06', 9), 0);
    const { book } = await loadPriceBook(store);
    ctx = { store, wabas: new Map([[U.id, U]]), priceBook: () => book, generation: () => 1, now: () => at('2026-04-20T12:00:00Z') };
    // Brazil utility on 04-02, 04-03 (the first ladder in force) and 04-07 (the second).
    await deliver(store, 'W_UTC', [
      { id: 't1', at: '2026-04-02T10:00:00Z', to: BR, category: 'utility' },
      { id: 't2', at: '2026-04-03T10:00:00Z', to: BR, category: 'utility' },
      { id: 't3', at: '2026-04-07T10:00:00Z', to: BR, category: 'utility' },
    ]);
  });
  afterAll(async () => {
    await store.close();
  });

  it('places the month’s units on the ladder in force on the last day counted', async () => {
    const { rows } = await tierState(ctx, tiersQuery.parse({}));
    // 3 units; on 04-07 the ladder is 0..9, 10..MAX: unit 4 is next, in 0..9, 6 units left. (On 04-03's
    // ladder, 0..3, 4..MAX, it would be 4..MAX.)
    expect(rows.map((r) => [r.market, r.category, r.units, r.tierLower, r.tierUpper, r.remaining])).toEqual([
      ['Brazil', 'utility', 3, 0, 9, 6],
    ]);
  });
});

describeOnBothStores('contacts', (open) => {
  let store: ConnectorStore;
  let ctx: QueryContext;
  const U = waba('W_UTC', 'Shop UTC', 'UTC', 'USD', 'P1');
  // Kolkata is UTC+5:30.
  const K = waba('W_KOL', 'Shop Kolkata', 'Asia/Kolkata', 'INR', 'P2');
  // Configured, no data yet.
  const E = waba('W_EMPTY', 'New shop', 'UTC', 'USD', 'P3');
  const A = '5511900000001';
  const B = '5511900000002';
  const C = '919800000003';

  beforeAll(async () => {
    store = await open({ timezones: { W_UTC: 'UTC', W_KOL: 'Asia/Kolkata' } });
    ctx = {
      store,
      wabas: new Map([U, K, E].map((w) => [w.id, w])),
      priceBook: () => ({}) as never,
      generation: () => 1,
      now: () => at('2026-05-01T00:00:00Z'),
    };
    // W_UTC: 04-02 A and B, 04-03 A, 04-04 B, 04-05 C.
    await deliver(store, 'W_UTC', [
      { id: 'c1', at: '2026-04-02T10:00:00Z', to: A, category: 'utility' },
      { id: 'c2', at: '2026-04-02T11:00:00Z', to: B, category: 'utility' },
      { id: 'c3', at: '2026-04-03T10:00:00Z', to: A, category: 'utility' },
      { id: 'c4', at: '2026-04-04T10:00:00Z', to: B, category: 'utility' },
      { id: 'c5', at: '2026-04-05T10:00:00Z', to: C, category: 'utility' },
    ]);
    // W_KOL, Kolkata days: 04-03 C (04-03 12:00 local), 04-04 A (04-04 01:00 local, 04-03 19:30 UTC).
    await deliver(store, 'W_KOL', [
      { id: 'k1', at: '2026-04-03T06:30:00Z', to: C, category: 'utility' },
      { id: 'k2', at: '2026-04-03T19:30:00Z', to: A, category: 'utility' },
    ]);
  });
  afterAll(async () => {
    await store.close();
  });

  const ask = async (params: Record<string, string>) => {
    const res = await contactsSeries(ctx, contactsQuery.parse(params));
    return { rows: res.rows.map((r) => [r.bucket, r.time, r.contacts]), total: res.total };
  };

  it('per day, cut to the days with data; WABAs add up, a contact counts once per WABA over the range', async () => {
    // Data from 04-02 to 04-05: the rest of 04-01..04-10 gives no rows.
    expect(await ask({ from: '2026-04-01', to: '2026-04-10' })).toEqual({
      rows: [
        ['2026-04-02', at('2026-04-02T00:00:00Z'), 2], // UTC {A, B}
        ['2026-04-03', at('2026-04-03T00:00:00Z'), 2], // UTC {A} + Kolkata {C}
        ['2026-04-04', at('2026-04-04T00:00:00Z'), 2], // UTC {B} + Kolkata {A}
        ['2026-04-05', at('2026-04-05T00:00:00Z'), 1], // UTC {C}
      ],
      // UTC {A, B, C} + Kolkata {C, A}.
      total: 5,
    });
    expect(await ask({ from: '2026-04-01', to: '2026-04-10', interval: 'month' })).toEqual({
      rows: [['2026-04', at('2026-04-01T00:00:00Z'), 5]],
      total: 5,
    });
  });

  it('an epoch range: each WABA’s own local days, in the rows as in the total', async () => {
    // [04-03 00:00, 04-04 00:00) UTC is 04-03 for W_UTC and 04-03 05:30 .. 04-04 05:30 in Kolkata: 04-03 and 04-04 there.
    expect(await ask({ from: String(at('2026-04-03T00:00:00Z')), to: String(at('2026-04-04T00:00:00Z')) })).toEqual({
      rows: [
        ['2026-04-03', at('2026-04-03T00:00:00Z'), 2], // UTC {A} + Kolkata {C}
        ['2026-04-04', at('2026-04-04T00:00:00Z'), 1], // Kolkata {A}; W_UTC's 04-04 lies outside the range
      ],
      // UTC {A} + Kolkata {C, A}.
      total: 3,
    });
  });

  it('no rows and 0 where the selected WABAs have no data', async () => {
    expect(await ask({ from: '2026-03-01', to: '2026-03-31' })).toEqual({ rows: [], total: 0 });
    expect(await ask({ from: '2026-04-01', to: '2026-04-10', waba: 'W_GONE' })).toEqual({ rows: [], total: 0 });
    // Configured, so the range has days, but no data at all: no data span to cut it to.
    expect(await ask({ from: '2026-04-01', to: '2026-04-10', waba: 'W_EMPTY' })).toEqual({ rows: [], total: 0 });
  });

  it('an epoch range cut on the left by the zone ahead: a day before a WABA’s own range counts nowhere', async () => {
    // [04-03 20:00, 04-04 20:00) UTC: W_UTC's 04-03 and 04-04; Kolkata's 04-04 01:30 .. 04-05 01:30, its 04-04 and
    // 04-05. The rows run over both (04-03 .. 04-05); Kolkata's 04-03 (C) lies before its own range, W_UTC's
    // 04-05 (C) after its own.
    expect(await ask({ from: String(at('2026-04-03T20:00:00Z')), to: String(at('2026-04-04T20:00:00Z')) })).toEqual({
      rows: [
        ['2026-04-03', at('2026-04-03T00:00:00Z'), 1], // UTC {A}
        ['2026-04-04', at('2026-04-04T00:00:00Z'), 2], // UTC {B} + Kolkata {A}
        ['2026-04-05', at('2026-04-05T00:00:00Z'), 0], // inside the rows' span, no contact of either range
      ],
      // UTC {A, B} + Kolkata {A}.
      total: 3,
    });
  });
});

describeOnBothStores('reconciliation', (open) => {
  let store: ConnectorStore;
  let ctx: QueryContext;
  const U = waba('W_UTC', 'Shop UTC', 'UTC', 'USD', 'P1');
  const U2 = waba('W_UTC2', 'Shop Two', 'UTC', 'USD', 'P1');
  const meta = (wabaId: string, day: string, category: 'marketing' | 'utility', costMicros: bigint | null) => ({
    day,
    wabaId,
    phoneNumberId: 'P1',
    country: 'BR',
    category,
    pricingType: 'regular' as const,
    tier: null,
    volume: 1,
    costMicros,
    currency: 'USD',
  });

  beforeAll(async () => {
    store = await open({ timezones: { W_UTC: 'UTC', W_UTC2: 'UTC' } });
    // Brazil marketing 0.0625, utility 0.0080 (no tier table: flat).
    await importRateFile(store, rates('USD', '2026-01-01', '0.0625'), 0);
    const { book } = await loadPriceBook(store);
    ctx = {
      store,
      wabas: new Map([U, U2].map((w) => [w.id, w])),
      priceBook: () => book,
      generation: () => 1,
      now: () => at('2026-05-01T00:00:00Z'),
    };
    await deliver(store, 'W_UTC', [
      { id: 'r1', at: '2026-04-02T10:00:00Z', to: BR, category: 'marketing' },
      { id: 'r2', at: '2026-04-02T11:00:00Z', to: BR, category: 'utility' },
      { id: 'r3', at: '2026-04-03T10:00:00Z', to: BR, category: 'utility' },
    ]);
    await deliver(store, 'W_UTC2', [{ id: 'r4', at: '2026-04-02T10:00:00Z', to: BR, category: 'marketing' }]);
    // Meta's figures: one unit each; it withholds the cost of the utility ones (null), after a priced one.
    await store.replaceDays(
      'W_UTC',
      'meta_pricing',
      ['2026-04-02', '2026-04-03'],
      {
        pricing: [
          meta('W_UTC', '2026-04-02', 'marketing', 62_500n),
          meta('W_UTC', '2026-04-02', 'utility', null),
          meta('W_UTC', '2026-04-03', 'utility', null),
        ],
      },
      { lastCompleteDay: '2026-04-03' },
    );
    await store.replaceDays(
      'W_UTC2',
      'meta_pricing',
      ['2026-04-02'],
      { pricing: [meta('W_UTC2', '2026-04-02', 'marketing', 62_500n)] },
      { lastCompleteDay: '2026-04-02' },
    );
  });
  afterAll(async () => {
    await store.close();
  });

  const ask = async (params: Record<string, string>) =>
    (await reconciliation(ctx, reconciliationQuery.parse({ from: '2026-04-01', to: '2026-04-30', ...params }))).rows;
  const day = (d: string) => ({ time: at(`${d}T00:00:00Z`), day: d, currency: 'USD' });

  it('per day: our units and cost against Meta’s; a cost Meta withholds adds nothing, none at all is null', async () => {
    expect(await ask({})).toEqual([
      // Ours: 0.0625 + 0.0080 + 0.0625 = 0.133. Meta's: 0.0625 + withheld + 0.0625 = 0.125.
      { ...day('2026-04-02'), estimateUnits: 3, metaUnits: 3, estimateCost: '0.133', metaCost: '0.125' },
      // Meta withheld its only cost of the day.
      { ...day('2026-04-03'), estimateUnits: 1, metaUnits: 1, estimateCost: '0.008', metaCost: null },
    ]);
  });

  it('by WABA and by category', async () => {
    expect(await ask({ by: 'waba' })).toEqual([
      { ...day('2026-04-02'), wabaId: 'W_UTC', estimateUnits: 2, metaUnits: 2, estimateCost: '0.0705', metaCost: '0.0625' },
      { ...day('2026-04-02'), wabaId: 'W_UTC2', estimateUnits: 1, metaUnits: 1, estimateCost: '0.0625', metaCost: '0.0625' },
      { ...day('2026-04-03'), wabaId: 'W_UTC', estimateUnits: 1, metaUnits: 1, estimateCost: '0.008', metaCost: null },
    ]);
    expect(await ask({ by: 'category' })).toEqual([
      { ...day('2026-04-02'), category: 'marketing', estimateUnits: 2, metaUnits: 2, estimateCost: '0.125', metaCost: '0.125' },
      { ...day('2026-04-02'), category: 'utility', estimateUnits: 1, metaUnits: 1, estimateCost: '0.008', metaCost: null },
      { ...day('2026-04-03'), category: 'utility', estimateUnits: 1, metaUnits: 1, estimateCost: '0.008', metaCost: null },
    ]);
  });
});

describeOnBothStores('pricing-input', (open) => {
  let store: ConnectorStore;
  let ctx: QueryContext;
  const U = waba('W_UTC', 'Shop UTC', 'UTC', 'USD', 'P1');
  // Sao Paulo is UTC-3.
  const S = waba('W_SP', 'Loja SP', 'America/Sao_Paulo', 'USD', 'P2');

  beforeAll(async () => {
    store = await open({ timezones: { W_UTC: 'UTC', W_SP: 'America/Sao_Paulo' } });
    await importRateFile(store, rates('USD', '2026-01-01', '0.0625'), 0);
    const { book } = await loadPriceBook(store);
    ctx = {
      store,
      wabas: new Map([U, S].map((w) => [w.id, w])),
      priceBook: () => book,
      generation: () => 1,
      now: () => at('2026-06-01T00:00:00Z'),
    };
    await deliver(store, 'W_UTC', [
      { id: 'p0', at: '2026-04-30T12:00:00Z', to: BR, category: 'utility', phone: 'PH_A' },
      { id: 'p1', at: '2026-05-01T01:00:00Z', to: BR, category: 'marketing', phone: 'PH_B', group: 'g1' },
      { id: 'p2', at: '2026-05-01T10:00:00Z', to: BR, category: 'utility', phone: 'PH_A' },
      { id: 'p3', at: '2026-05-01T11:00:00Z', to: BR2, category: 'utility', phone: 'PH_B' },
      { id: 'p4', at: '2026-05-01T12:00:00Z', to: BR, category: 'service', phone: 'PH_A', type: 'free_customer_service' },
      { id: 'p5', at: '2026-05-02T10:00:00Z', to: IN, category: 'utility', phone: 'PH_A' },
      // 05-20, market Other for both: Kazakhstan (+7 7…, Other until 2026-10-01) and a recipient that is no phone number (no country).
      { id: 'p6', at: '2026-05-20T10:00:00Z', to: '77011234567', category: 'utility', phone: 'PH_A', group: 'x' },
      { id: 'p7', at: '2026-05-20T11:00:00Z', to: 'US.13491208655302741918', category: 'utility', phone: 'PH_A', group: 'KZx' },
    ]);
    await deliver(store, 'W_SP', [
      // Sao Paulo 05-01 09:00 and 05-02 23:00.
      { id: 's1', at: '2026-05-01T12:00:00Z', to: BR, category: 'utility', phone: 'PH_S' },
      { id: 's2', at: '2026-05-03T02:00:00Z', to: BR, category: 'marketing', phone: 'PH_S' },
    ]);
  });
  afterAll(async () => {
    await store.close();
  });

  const ask = (params: Record<string, string>) => pricingInput(ctx, pricingInputQuery.parse(params));
  const row = (
    w: WabaInfo,
    day: string,
    market: string,
    category: string,
    units: number,
    dims: Record<string, string | null> = {},
    pricingType = 'regular',
  ) => ({
    day,
    // Midnight of the day in the WABA's zone.
    time: at(`${day}T00:00:00Z`) + (w.timezone === 'UTC' ? 0 : 3 * 3_600_000),
    wabaId: w.id,
    portfolioId: w.portfolio,
    currency: 'USD',
    market,
    category,
    pricingType,
    pricingModel: 'PMP',
    units,
    dims: { direction: category === 'service' ? 'user_initiated' : 'business_initiated', ...dims },
  });

  it('rows of the range at the pricing grain, and the units charged earlier in the month (regular ones only)', async () => {
    expect(await ask({ from: '2026-05-02', to: '2026-05-02' })).toEqual({
      // One day, in the pricing rollup's order: W_SP before W_UTC.
      rows: [row(S, '2026-05-02', 'Brazil', 'marketing', 1), row(U, '2026-05-02', 'India', 'utility', 1)],
      // 05-01 before the range: W_SP's utility 1, W_UTC's marketing 1 and utility 2; its free service message is not charged.
      priorUnits: [
        { portfolioId: 'P2', market: 'Brazil', category: 'utility', month: '2026-05', units: 1 },
        { portfolioId: 'P1', market: 'Brazil', category: 'marketing', month: '2026-05', units: 1 },
        { portfolioId: 'P1', market: 'Brazil', category: 'utility', month: '2026-05', units: 2 },
      ],
    });
  });

  it('an epoch range: each WABA’s own days, nothing of an earlier month or past its own last day', async () => {
    // [05-01 00:00, 05-02 00:00) UTC: W_UTC's 05-01; Sao Paulo's 04-30 21:00 .. 05-01 21:00, i.e. 04-30 and 05-01.
    // W_UTC's 04-30 message is read (the span starts on 04-30) but lies in April, before its range: not prior units either.
    expect(await ask({ from: String(at('2026-05-01T00:00:00Z')), to: String(at('2026-05-02T00:00:00Z')) })).toEqual({
      rows: [
        row(S, '2026-05-01', 'Brazil', 'utility', 1),
        row(U, '2026-05-01', 'Brazil', 'marketing', 1),
        row(U, '2026-05-01', 'Brazil', 'service', 1, {}, 'free_customer_service'),
        row(U, '2026-05-01', 'Brazil', 'utility', 2),
      ],
      priorUnits: [],
    });
    // [05-01 03:00, 05-02 03:00) UTC: W_UTC's 05-01 and 05-02; Sao Paulo's 05-01 only (its 05-02 message is left out).
    expect(await ask({ from: String(at('2026-05-01T03:00:00Z')), to: String(at('2026-05-02T03:00:00Z')) })).toEqual({
      rows: [
        row(S, '2026-05-01', 'Brazil', 'utility', 1),
        row(U, '2026-05-01', 'Brazil', 'marketing', 1),
        row(U, '2026-05-01', 'Brazil', 'service', 1, {}, 'free_customer_service'),
        row(U, '2026-05-01', 'Brazil', 'utility', 2),
        row(U, '2026-05-02', 'India', 'utility', 1),
      ],
      priorUnits: [],
    });
  });

  it('split by phone, country or group: those dimensions in the rows, rows of the same key added up', async () => {
    const day = { from: '2026-05-01', to: '2026-05-01', waba: 'W_UTC' };
    // By phone: the fine rollup's order (phone, then country, category).
    expect((await ask({ ...day, by: 'phone' })).rows).toEqual([
      row(U, '2026-05-01', 'Brazil', 'service', 1, { phone: 'PH_A' }, 'free_customer_service'),
      row(U, '2026-05-01', 'Brazil', 'utility', 1, { phone: 'PH_A' }),
      row(U, '2026-05-01', 'Brazil', 'marketing', 1, { phone: 'PH_B' }),
      row(U, '2026-05-01', 'Brazil', 'utility', 1, { phone: 'PH_B' }),
    ]);
    // By country: PH_A's and PH_B's utility message are one row of 2, summed by the store (phone summed away:
    // its order is country, then category).
    expect((await ask({ ...day, by: 'country' })).rows).toEqual([
      row(U, '2026-05-01', 'Brazil', 'marketing', 1, { country: 'BR' }),
      row(U, '2026-05-01', 'Brazil', 'service', 1, { country: 'BR' }, 'free_customer_service'),
      row(U, '2026-05-01', 'Brazil', 'utility', 2, { country: 'BR' }),
    ]);
    // By group: category, pricing type, then group.
    expect((await ask({ ...day, by: 'group,category' })).rows).toEqual([
      row(U, '2026-05-01', 'Brazil', 'marketing', 1, { group: 'g1' }),
      row(U, '2026-05-01', 'Brazil', 'service', 1, { group: null }, 'free_customer_service'),
      row(U, '2026-05-01', 'Brazil', 'utility', 2, { group: null }),
    ]);
    // Not split: the pricing rollup's order (market, category), no phone, country or group.
    expect((await ask({ ...day, by: 'category,direction' })).rows).toEqual([
      row(U, '2026-05-01', 'Brazil', 'marketing', 1),
      row(U, '2026-05-01', 'Brazil', 'service', 1, {}, 'free_customer_service'),
      row(U, '2026-05-01', 'Brazil', 'utility', 2),
    ]);
  });

  it('keeps rows apart whose country and group would read the same run together (KZ + "x", none + "KZx")', async () => {
    expect((await ask({ from: '2026-05-20', to: '2026-05-20', by: 'country,group' })).rows).toEqual([
      row(U, '2026-05-20', 'Other', 'utility', 1, { country: null, group: 'KZx' }),
      row(U, '2026-05-20', 'Other', 'utility', 1, { country: 'KZ', group: 'x' }),
    ]);
  });

  it('filters on phone, country, group, category, pricing type and direction', async () => {
    const may = { from: '2026-05-01', to: '2026-05-02', waba: 'W_UTC' };
    const keys = async (params: Record<string, string>) =>
      (await ask({ ...may, ...params })).rows.map((r) => [r.day, r.market, r.category, r.units]);
    expect(await keys({ phone: 'PH_B' })).toEqual([
      ['2026-05-01', 'Brazil', 'marketing', 1],
      ['2026-05-01', 'Brazil', 'utility', 1],
    ]);
    expect(await keys({ country: 'IN' })).toEqual([['2026-05-02', 'India', 'utility', 1]]);
    expect(await keys({ group: 'g1' })).toEqual([['2026-05-01', 'Brazil', 'marketing', 1]]);
    expect(await keys({ category: 'utility' })).toEqual([
      ['2026-05-01', 'Brazil', 'utility', 2],
      ['2026-05-02', 'India', 'utility', 1],
    ]);
    expect(await keys({ pricingType: 'free_customer_service' })).toEqual([['2026-05-01', 'Brazil', 'service', 1]]);
    expect(await keys({ direction: 'user_initiated' })).toEqual([['2026-05-01', 'Brazil', 'service', 1]]);
    expect(await keys({ phone: 'PH_NONE' })).toEqual([]);
    // Both phones kept but not split: their utility messages of 05-01 (PH_A's p2, PH_B's p3) are one row of 2.
    expect(await keys({ phone: 'PH_A,PH_B', category: 'utility' })).toEqual([
      ['2026-05-01', 'Brazil', 'utility', 2],
      ['2026-05-02', 'India', 'utility', 1],
    ]);
  });
});
