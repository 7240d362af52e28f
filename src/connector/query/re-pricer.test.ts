/**
 * The re-pricer's parts on their own: the pricing version, a month priced at the pricing grain with
 * core's problem codes, a day allocated to the finer grains, and the job's passes on a SQLite store
 * (claims, leases, errors, the pass limit). The whole job against the query-time path, on both
 * engines, is tests/store/priced-rollups-suite.ts. Figures by hand in the comments.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addToPriceBook, emptyPriceBook, parseRateCardCsv, parseTierCsv, PRICING_RULES, type PriceBook } from '@core';
import { importRateFile, loadPriceBook } from '../runtime/price-files';
import { terminated } from '../../../tests/helpers/query-fixture';
import { eventsOf, statusObject } from '../../../tests/store/store-suite';
import { SqliteStore, type ConnectorStore, type DayRange, type UsageDailyRow } from '../store';
import type { WabaInfo } from './query-context';
import { allocateDay, MovedUnderfoot, priceMonth, pricingVersion, Repricer } from './re-pricer';

const RWE = 'Rest of Western Europe';
const waba = (id: string, portfolio = 'PF', code = 'USD'): WabaInfo => ({
  id,
  name: id,
  timezone: 'UTC',
  currencies: [{ from: '', code }],
  portfolio,
});

describe('pricingVersion', () => {
  const A = waba('W_A', 'PF1');
  const B = waba('W_B', 'PF2', 'EUR');

  it('is the first 16 hex digits of the SHA-256 of the derivation, core rules and the WABAs by id, whatever the map order', () => {
    // Written out by hand: derivation 3, then each WABA as [id, portfolio, currency schedule], ids ascending.
    const want = createHash('sha256')
      .update(
        JSON.stringify({
          derivation: 3,
          rules: PRICING_RULES,
          settings: [
            ['W_A', 'PF1', [{ from: '', code: 'USD' }]],
            ['W_B', 'PF2', [{ from: '', code: 'EUR' }]],
          ],
        }),
      )
      .digest('hex')
      .slice(0, 16);
    expect(
      pricingVersion(
        new Map([
          [B.id, B],
          [A.id, A],
        ]),
      ),
    ).toBe(want);
    expect(
      pricingVersion(
        new Map([
          [A.id, A],
          [B.id, B],
        ]),
      ),
    ).toBe(want);
    expect(want).toMatch(/^[0-9a-f]{16}$/);
  });

  it('moves with a WABA portfolio, its currency schedule, and a WABA more', () => {
    const base = pricingVersion(new Map([[A.id, A]]));
    expect(pricingVersion(new Map([[A.id, { ...A, portfolio: 'PF9' }]]))).not.toBe(base);
    expect(pricingVersion(new Map([[A.id, { ...A, currencies: [{ from: '', code: 'BRL' }] }]]))).not.toBe(base);
    expect(
      pricingVersion(
        new Map([
          [A.id, A],
          [B.id, B],
        ]),
      ),
    ).not.toBe(base);
    expect(pricingVersion(new Map([[A.id, { ...A, name: 'renamed' }]]))).toBe(base);
  });
});

/** A fine-rollup row (usage_daily); `usagePricingDaily` sums these at the pricing grain as the store does. */
const fine = (r: Partial<UsageDailyRow> & { day: string; units: number }): UsageDailyRow => ({
  wabaId: 'W',
  phoneNumberId: null,
  country: null,
  market: RWE,
  category: 'utility',
  pricingType: 'regular',
  pricingModel: 'PMP',
  group: null,
  messages: r.units,
  ...r,
});

/** Just the two reads the pricing and allocation make, over a list of fine rows. */
function readsOf(rows: readonly UsageDailyRow[]): ConnectorStore {
  const within = (q: DayRange) =>
    rows.filter((r) => r.day >= q.fromDay && r.day <= q.toDay && (q.wabaId === undefined || r.wabaId === q.wabaId));
  return {
    usageDaily: async (q: DayRange) => within(q),
    usagePricingDaily: async (q: DayRange) => {
      const out = new Map<string, UsageDailyRow>();
      for (const r of within(q)) {
        const k = [r.day, r.wabaId, r.market, r.category, r.pricingType, r.pricingModel].join('|');
        const cur = out.get(k);
        if (cur) {
          cur.messages += r.messages;
          cur.units += r.units;
        } else out.set(k, { ...r, phoneNumberId: null, country: null, group: null });
      }
      return [...out.values()];
    },
  } as unknown as ConnectorStore;
}

const RATES = `Cost per message in USD\nMarket,Currency,Marketing,Utility,Authentication,Authentication-International,Service\n${RWE},USD,0.0600,0.0500,0.0400,,\n`;
const TIERS = `Market,Category,Lower,Upper,Rate\n${RWE},Utility,0,10,0.0100\n${RWE},Utility,11,MAX,0.0010\n`;
/** The card from `cardFrom`, utility tiers from `tiersFrom` (0-10 at 0.0100, 11+ at 0.0010). */
const bookOf = (cardFrom: string, tiersFrom: string): PriceBook =>
  addToPriceBook(
    addToPriceBook(emptyPriceBook(), parseRateCardCsv(RATES, { effectiveFrom: cardFrom, source: 'r.csv' })),
    parseTierCsv(TIERS, { effectiveFrom: tiersFrom, currency: 'USD', source: 't.csv' }),
  );
const W = [waba('W')];

describe('priceMonth', () => {
  it("prices the month at the pricing grain, one row for keys core reads alike, with core's problem codes", async () => {
    const store = readsOf([
      // An empty pricing type is read as regular: one key with the regular row. 4 + 8 = 12 units across the
      // 10-unit bound in input order: 4 at 0.0100, then 6 at 0.0100 and 2 at 0.0010 = 102000 micro-USD.
      fine({ day: '2026-02-03', pricingType: null, units: 4, messages: 5 }),
      fine({ day: '2026-02-03', units: 8 }),
      // Marketing in a market the card does not list, twice alike: no rate, cost unknown.
      fine({ day: '2026-02-04', market: 'India', category: 'marketing', pricingType: null, units: 2 }),
      fine({ day: '2026-02-04', market: 'India', category: 'marketing', units: 3 }),
      fine({ day: '2026-02-05', category: 'brand_new_thing', units: 1 }),
      fine({ day: '2026-02-05', pricingType: 'weird_type', units: 2 }),
      // 6 marketing at 0.0600 = 360000.
      fine({ day: '2026-02-06', category: 'marketing', units: 6 }),
      // Outside the month: not read.
      fine({ day: '2026-03-01', units: 50 }),
    ]);
    const priced = [...(await priceMonth(store, W, '2026-02', bookOf('2026-02-01', '2026-02-01'))).values()];
    const view = priced.map((r) => [r.day, r.market, r.category, r.pricingType, r.messages, r.units, r.billable, r.costMicros, r.problem]);
    expect(view.sort()).toEqual(
      [
        ['2026-02-03', RWE, 'utility', 'regular', 13, 12, 12, 102_000n, null],
        ['2026-02-04', 'India', 'marketing', 'regular', 5, 5, 5, null, 'no_rate'],
        ['2026-02-05', RWE, 'brand_new_thing', 'regular', 1, 1, 1, null, 'unknown_category'],
        // An unknown verdict: counted, its cost unknown (core charges nothing it cannot read as free).
        ['2026-02-05', RWE, 'utility', 'weird_type', 2, 2, 0, null, 'unknown_pricing_type'],
        ['2026-02-06', RWE, 'marketing', 'regular', 6, 6, 6, 360_000n, null],
      ].sort(),
    );
    const utility = priced.find((r) => r.day === '2026-02-03');
    expect(utility?.tiers?.map((t) => [t.units, t.rateMicros])).toEqual([
      [4, 10_000n],
      [6, 10_000n],
      [2, 1_000n],
    ]);
    expect(utility).toMatchObject({ wabaId: 'W', pricingModel: 'PMP', portfolioId: 'PF', currency: 'USD' });
    expect(priced.find((r) => r.category === 'marketing' && r.market === RWE)?.tiers).toBeNull();
  });

  it('names a missing rate card, a missing rate and tiers older than the card, each for its own day, market and category', async () => {
    const store = readsOf([
      fine({ day: '2026-01-05', category: 'marketing', units: 2 }),
      fine({ day: '2026-01-20', market: 'India', category: 'marketing', units: 1 }),
      fine({ day: '2026-02-03', units: 3 }),
      // The same day, market and category on CBP: charged per conversation, and no card prices conversations.
      fine({ day: '2026-02-03', pricingModel: 'CBP', units: 1 }),
      // India beside them: no rate for utility per message (nor tiers), no card for marketing per conversation.
      // Each row keeps its own code although another market or category has a different one that day.
      fine({ day: '2026-02-03', market: 'India', units: 1 }),
      fine({ day: '2026-02-03', market: 'India', category: 'marketing', pricingModel: 'CBP', units: 1 }),
    ]);
    // January under a card from January 10: none on the 5th; on the 20th the card lists no India.
    const january = [...(await priceMonth(store, W, '2026-01', bookOf('2026-01-10', '2026-02-01'))).values()];
    expect(january.map((r) => [r.day, r.billable, r.costMicros, r.problem])).toEqual([
      ['2026-01-05', 2, null, 'no_rate_card'],
      ['2026-01-20', 1, null, 'no_rate'],
    ]);
    // Tiers from January under a card from February: priced on the tiers (3 at 0.0100) and marked stale, while
    // the CBP row of the same key has no card at all.
    const stale = [...(await priceMonth(store, W, '2026-02', bookOf('2026-02-01', '2026-01-01'))).values()];
    expect(stale.map((r) => [r.market, r.category, r.pricingModel, r.billable, r.costMicros, r.problem]).sort()).toEqual([
      ['India', 'marketing', 'CBP', 1, null, 'no_rate_card'],
      ['India', 'utility', 'PMP', 1, null, 'no_rate'],
      [RWE, 'utility', 'CBP', 1, null, 'no_rate_card'],
      [RWE, 'utility', 'PMP', 3, 30_000n, 'stale_tier_table'],
    ]);
    // The same tiers under a card of the same day: not stale.
    const fresh = [...(await priceMonth(store, W, '2026-02', bookOf('2026-01-01', '2026-01-01'))).values()];
    expect(fresh.find((r) => r.pricingModel === 'PMP' && r.market === RWE)).toMatchObject({
      billable: 3,
      costMicros: 30_000n,
      problem: null,
    });
  });
});

describe('allocateDay', () => {
  const day = '2026-02-03';
  const rows = [
    fine({ day, country: 'BE', phoneNumberId: 'P2', units: 6 }),
    fine({ day, country: 'AT', phoneNumberId: 'P1', units: 7 }),
    fine({ day, country: null, phoneNumberId: 'P1', group: 'g', units: 0, messages: 2 }),
  ];

  it('splits each priced row over its fine rows by largest remainder on units, values ascending, unknown as ""', async () => {
    const store = readsOf(rows);
    const pricing = await priceMonth(store, W, '2026-02', bookOf('2026-02-01', '2026-02-01'));
    const dims = await allocateDay(store, W, day, pricing);
    // 13 units, 10 at 0.0100 + 3 at 0.0010 = 103000. AT 7: 721000 / 13 = 55461 rest 7; BE 6: 47538 rest 6; the
    // one micro-unit left goes to AT. The row without a country has 2 messages and no units: nothing of the cost.
    const view = (d: 'country' | 'phone' | 'group') => dims[d].map((r) => [r.value, r.messages, r.units, r.billable, r.costMicros]);
    expect(view('country')).toEqual([
      ['', 2, 0, 0, 0n],
      ['AT', 7, 7, 7, 55_462n],
      ['BE', 6, 6, 6, 47_538n],
    ]);
    // P1 holds AT's 7 units (and the row without units, its 2 messages), P2 BE's 6: the same split as by country.
    expect(view('phone')).toEqual([
      ['P1', 9, 7, 7, 55_462n],
      ['P2', 6, 6, 6, 47_538n],
    ]);
    expect(view('group')).toEqual([
      ['', 13, 13, 13, 103_000n],
      ['g', 2, 0, 0, 0n],
    ]);
    expect(dims.country[1]).toEqual({
      day,
      wabaId: 'W',
      value: 'AT',
      market: RWE,
      category: 'utility',
      pricingType: 'regular',
      pricingModel: 'PMP',
      currency: 'USD',
      messages: 7,
      units: 7,
      billable: 7,
      costMicros: 55_462n,
    });
  });

  it('refuses a day whose fine rows no longer add up to what was priced (an ingest landed since the read)', async () => {
    const pricing = await priceMonth(readsOf(rows), W, '2026-02', bookOf('2026-02-01', '2026-02-01'));
    const moved = async (extra: UsageDailyRow) => allocateDay(readsOf([...rows, extra]), W, day, pricing);
    // A key the pricing never saw.
    await expect(moved(fine({ day, category: 'marketing', units: 1 }))).rejects.toThrow(
      new MovedUnderfoot(`no priced row for ${day} / W / ${RWE} / marketing / regular / PMP`),
    );
    // One unit more, or one message more with the same units.
    await expect(moved(fine({ day, country: 'DE', units: 1 }))).rejects.toThrow(MovedUnderfoot);
    await expect(moved(fine({ day, country: 'DE', units: 0, messages: 1 }))).rejects.toThrow(
      `fine rows of ${day} / W / ${RWE} / utility / regular / PMP do not add up to the priced row`,
    );
  });
});

describe('Repricer passes (SQLite)', () => {
  let dir: string;
  let store: SqliteStore;
  let n = 0;
  const wabas = new Map([['W', waba('W')]]);
  const deliver = async (day: string, count = 1, wabaId = 'W') => {
    const statuses = Array.from({ length: count }, () =>
      statusObject(`wamid.rp${++n}`, 'delivered', `${day}T10:00:00Z`, {
        recipient_id: '4366012345',
        pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' },
      }),
    );
    await store.ingest(eventsOf(wabaId, [{ field: 'messages', value: { metadata: { phone_number_id: 'P1' }, statuses } }]), 0);
  };
  const repricer = (extra: Partial<ConstructorParameters<typeof Repricer>[0]> = {}) =>
    new Repricer({ store, wabas, holder: 'me', loadBook: async () => (await loadPriceBook(store)).book, ...extra });
  const dirty = async () => (await store.pricingDirty()).map((m) => [m.wabaId, m.month, m.fromDay]);

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-repricer-'));
    store = new SqliteStore(path.join(dir, 'w.db'), { timezones: { W: 'UTC', W_OTHER: 'UTC' } });
    await importRateFile(store, { kind: 'rates', text: RATES, effectiveFrom: '2026-01-01', fileName: 'r.csv' }, 0);
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the marks of WABAs it is not configured for, and counts the months it wrote to their end', async () => {
    await deliver('2026-02-03', 2);
    await deliver('2026-03-05', 1);
    await deliver('2026-02-04', 1, 'W_OTHER');
    const r = repricer();
    expect(await r.pendingMarks()).toEqual([
      { wabaId: 'W', month: '2026-02', fromDay: '2026-02-03', touchedDay: '2026-02-03', kinds: ['usage'] },
      { wabaId: 'W', month: '2026-03', fromDay: '2026-03-05', touchedDay: '2026-03-05', kinds: ['usage'] },
    ]);
    expect(await r.runOnce()).toBe(2);
    expect(await dirty()).toEqual([['W_OTHER', '2026-02', '2026-02-04']]);
    // 2 utility at 0.0500 = 100000; 1 = 50000.
    expect((await store.pricedUsage({ fromDay: '2026-01-01', toDay: '2026-12-31' })).map((r) => [r.day, r.wabaId, r.costMicros])).toEqual([
      ['2026-02-03', 'W', 100_000n],
      ['2026-03-05', 'W', 50_000n],
    ]);
    expect(await r.runOnce()).toBe(0);
    await r.runToCompletion();
  });

  it('re-prices every stored month on its first pass when the pricing version changed (here a portfolio)', async () => {
    await deliver('2026-02-03');
    await deliver('2026-03-05');
    await repricer().runToCompletion();
    const moved = new Map([['W', waba('W', 'PF_NEW')]]);
    const r = new Repricer({ store, wabas: moved, holder: 'me', loadBook: async () => (await loadPriceBook(store)).book });
    expect(await r.runOnce()).toBe(2);
    const rows = await store.pricedUsage({ fromDay: '2026-01-01', toDay: '2026-12-31' });
    expect(rows.map((x) => [x.day, x.portfolioId, x.version])).toEqual([
      ['2026-02-03', 'PF_NEW', pricingVersion(moved)],
      ['2026-03-05', 'PF_NEW', pricingVersion(moved)],
    ]);
    expect(await r.runOnce()).toBe(0);
  });

  it('runs one pass at a time: a second call while one runs shares it', async () => {
    await deliver('2026-02-03');
    const r = repricer();
    const first = r.runOnce();
    expect(r.runOnce()).toBe(first);
    expect(await first).toBe(1);
    await deliver('2026-02-04');
    const next = r.runOnce();
    expect(next).not.toBe(first);
    expect(await next).toBe(1);
  });

  it('gives up after maxPasses while the month keeps moving, and finishes once a pass can write its last dirty day alone', async () => {
    await deliver('2026-02-26');
    // A webhook for 2026-02-28 after every day written: each pass stops at day 28 until one starts there.
    const r = repricer({ betweenDays: () => deliver('2026-02-28') });
    await expect(r.runToCompletion(1)).rejects.toThrow('priced rollups still dirty after 1 passes');
    expect(await dirty()).toEqual([['W', '2026-02', '2026-02-28']]);
    await r.runToCompletion(1);
    expect(await dirty()).toEqual([]);
    // Day 26: 1 at 0.0500; day 28: the 2 webhooks written after days 26 and 27, at 0.0500.
    expect((await store.pricedUsage({ fromDay: '2026-02-01', toDay: '2026-02-28' })).map((r) => [r.day, r.units, r.costMicros])).toEqual([
      ['2026-02-26', 1, 50_000n],
      ['2026-02-28', 2, 100_000n],
    ]);
  });

  it('writes the month to its end when a day moves under the pass: that day keeps its usage owed, the calls and later days are written', async () => {
    await deliver('2026-02-26');
    // A 90-second call on the 28th with a Brazilian user (no call card here: priced with its problem, written all the same).
    await store.ingest(terminated('W', 'P1', { id: 'call-28', iso: '2026-02-28T09:00:00Z', seconds: 90, user: '5511987654321' }), 0);
    let landed = false;
    const r = repricer({
      betweenDays: async (day) => {
        // Once, after the 26th is written: a webhook for the 27th, which the pass read without usage.
        if (day !== '2026-02-26' || landed) return;
        landed = true;
        await deliver('2026-02-27');
      },
    });
    expect(await r.pendingMarks()).toMatchObject([{ month: '2026-02', fromDay: '2026-02-26', kinds: ['usage', 'calls'] }]);
    expect(await r.runOnce()).toBe(1);
    // Left dirty from the 27th for its usage alone; the call of the 28th was written under this pass's version.
    expect(await r.pendingMarks()).toMatchObject([{ month: '2026-02', fromDay: '2026-02-27', kinds: ['usage'] }]);
    expect((await store.pricedCalls({ fromDay: '2026-02-01', toDay: '2026-02-28' })).map((c) => [c.day, c.version])).toEqual([
      ['2026-02-28', pricingVersion(wabas)],
    ]);
    const usage = async () =>
      (await store.pricedUsage({ fromDay: '2026-02-01', toDay: '2026-02-28' })).map((x) => [x.day, x.units, x.costMicros]);
    expect(await usage()).toEqual([['2026-02-26', 1, 50_000n]]);
    // The next pass, with nothing landing, writes the 27th (1 utility at 0.0500) and leaves the month clean.
    expect(await r.runOnce()).toBe(1);
    expect(await dirty()).toEqual([]);
    expect(await usage()).toEqual([
      ['2026-02-26', 1, 50_000n],
      ['2026-02-27', 1, 50_000n],
    ]);
  });

  it('a timed pass leaves a month webhooks kept touching alone for 2x its interval, doubling up to 30 s; any pass that cleans it resets that', async () => {
    let now = 0;
    let touching = true;
    let touches = 0;
    // After each February day written but the month's last: a webhook for the 27th lands (the month stays dirty from the 27th).
    const r = repricer({
      now: () => now,
      betweenDays: async (day) => {
        if (!touching || !day.startsWith('2026-02')) return;
        touches += 1;
        await deliver('2026-02-27');
      },
    });
    const timed = () => r.runOnce({ everyMs: 5_000 });
    const written = async (day: string) => (await store.pricedUsage({ fromDay: day, toDay: day })).map((x) => x.units);
    await deliver('2026-02-26');
    // 0 s: the pass writes the 26th, a webhook for the 27th lands, and the 27th moved under the
    // pass: it keeps its usage owed, and the pass goes on (another webhook for the 27th lands) and
    // writes the 28th, the month's end. The month is dirty from the 27th and waits 10 s.
    expect(await timed()).toBe(1);
    expect(await dirty()).toEqual([['W', '2026-02', '2026-02-27']]);
    expect(touches).toBe(2);
    // Meanwhile a March webhook: that month is priced at once; February is left alone until 10 s.
    await deliver('2026-03-02');
    now = 9_999;
    expect(await timed()).toBe(1);
    expect(await dirty()).toEqual([['W', '2026-02', '2026-02-27']]);
    expect(touches).toBe(2);
    // Then each pass writes the 27th and 28th, a webhook lands between them, and every wait doubles, up to 30 s: passes at 10 s (next at 30), 30 s (next at 60), 60 s (next at 90).
    for (const [at, skippedAt] of [
      [10_000, 29_999],
      [30_000, 59_999],
      [60_000, 89_999],
    ] as const) {
      now = at;
      const before = touches;
      expect(await timed()).toBe(1);
      expect(touches).toBe(before + 1);
      expect(await dirty()).toEqual([['W', '2026-02', '2026-02-27']]);
      now = skippedAt;
      const after = touches;
      await timed();
      expect(touches).toBe(after);
    }
    // A pass that is not the timer's tries every dirty month, waiting or not; this one leaves February clean.
    touching = false;
    expect(await r.runOnce()).toBe(1);
    expect(await dirty()).toEqual([]);
    // The 27th holds every webhook the passes let in (5: two in the first pass, one in each after), the 26th its 1.
    expect(await written('2026-02-26')).toEqual([1]);
    expect(touches).toBe(5);
    expect(await written('2026-02-27')).toEqual([5]);
    // Clean, the wait is forgotten: touched again at 89.999 s, the next timed pass prices it at once.
    await deliver('2026-02-26');
    expect(await timed()).toBe(1);
    expect(await dirty()).toEqual([]);
    expect(await written('2026-02-26')).toEqual([2]);
  });

  it('skips a month another holder leases, and stops writing a month whose lease it lost, keeping the days it wrote', async () => {
    await deliver('2026-02-03');
    await deliver('2026-02-05');
    const other = { portfolioId: 'PF', month: '2026-02', holder: 'other', leaseMs: 1_000 };
    let now = 10_000;
    expect(await store.claimPricingMonth({ ...other, nowMs: now }, ['W'])).not.toBeNull();
    const r = repricer({
      now: () => now,
      leaseMs: 1_000,
      betweenDays: async (day) => {
        // After day 4: the lease runs out and the other holder takes the month.
        if (day !== '2026-02-04') return;
        now += 1_000;
        expect(await store.claimPricingMonth({ ...other, nowMs: now }, ['W'])).not.toBeNull();
      },
    });
    expect(await r.runOnce()).toBe(0);
    expect(await dirty()).toEqual([['W', '2026-02', '2026-02-03']]);
    // The other lease ran out (11 000): this pass writes days 3 and 4, then day 5 is refused.
    now = 11_000;
    expect(await r.runOnce()).toBe(0);
    expect(await dirty()).toEqual([['W', '2026-02', '2026-02-05']]);
    expect((await store.pricedUsage({ fromDay: '2026-02-01', toDay: '2026-02-28' })).map((r) => r.day)).toEqual(['2026-02-03']);
  });

  it("a lease covers its own portfolio's WABAs only: the month of a portfolio another holder leases stays dirty", async () => {
    // W in PF, W_OTHER in PF2: one month each, both dirty; another holder leases PF2's month.
    const two = new Map([
      ['W', waba('W')],
      ['W_OTHER', waba('W_OTHER', 'PF2')],
    ]);
    await deliver('2026-02-03');
    await deliver('2026-02-04', 1, 'W_OTHER');
    const other = { portfolioId: 'PF2', month: '2026-02', holder: 'other', nowMs: 10_000, leaseMs: 60_000 };
    expect(await store.claimPricingMonth(other, ['W_OTHER'])).not.toBeNull();
    const r = repricer({ wabas: two, now: () => 10_000 });
    // PF's month written; PF2's skipped, with its WABA's mark and no row of its own.
    expect(await r.runOnce()).toBe(1);
    expect(await dirty()).toEqual([['W_OTHER', '2026-02', '2026-02-04']]);
    expect((await store.pricedUsage({ fromDay: '2026-02-01', toDay: '2026-02-28' })).map((x) => [x.day, x.wabaId, x.portfolioId])).toEqual([
      ['2026-02-03', 'W', 'PF'],
    ]);
  });

  it('stop() ends the job: a pass running when it is called completes, and no pass starts after it', async () => {
    await deliver('2026-02-03');
    let entered!: () => void;
    const inPass = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const errors: string[] = [];
    const r = repricer({
      loadBook: async () => {
        entered();
        await gate;
        throw new Error('no book yet');
      },
      onError: (err) => errors.push(err.message),
    });
    // Only the job's own timer is faked: the store's work stays real.
    jest.useFakeTimers({
      doNotFake: [
        'nextTick',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'queueMicrotask',
        'Date',
        'hrtime',
        'performance',
      ],
    });
    try {
      r.start(1_000);
      await jest.advanceTimersByTimeAsync(1_000);
      await inPass;
      // Stopped while the first pass waits for its price book; the pass then fails and reports it.
      const stopped = r.stop();
      release();
      await stopped;
      expect(errors).toEqual(['no book yet']);
      // A started job would have run ten more passes in this time.
      await jest.advanceTimersByTimeAsync(10_000);
      expect(errors).toEqual(['no book yet']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('needs somewhere to price: a price book loader or a pricer', () => {
    expect(() => new Repricer({ store, wabas, holder: 'me' })).toThrow('the re-pricer needs a pricer or a price book loader');
  });

  it('rejects a pass that fails for another reason than a moved day, gives the lease back, and reports it when started', async () => {
    await deliver('2026-02-03');
    const failing = repricer({
      loadBook: async () => {
        throw new Error('no book');
      },
    });
    await expect(failing.runOnce()).rejects.toThrow('no book');
    // The lease was given back: another holder claims at once.
    expect(
      await store.claimPricingMonth({ portfolioId: 'PF', month: '2026-02', holder: 'x', nowMs: Date.now(), leaseMs: 1 }, ['W']),
    ).not.toBeNull();
    await store.finishPricingMonth({ portfolioId: 'PF', month: '2026-02', holder: 'x', nowMs: 0, leaseMs: 1 });
    expect(await dirty()).toEqual([['W', '2026-02', '2026-02-03']]);

    // Two reports: the job re-arms itself after a failed pass.
    const errors: string[] = [];
    let reported!: () => void;
    const seen = new Promise<void>((resolve) => (reported = resolve));
    const started = repricer({
      loadBook: async () => {
        throw new Error('still no book');
      },
      onError: (err) => {
        errors.push(err.message);
        if (errors.length === 2) reported();
      },
    });
    started.start(1);
    await seen;
    await started.stop();
    expect(errors.slice(0, 2)).toEqual(['still no book', 'still no book']);
    expect(await dirty()).toEqual([['W', '2026-02', '2026-02-03']]);
  });
});
