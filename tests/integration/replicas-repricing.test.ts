/**
 * Two full connectors on one PostgreSQL database keep the priced rollups right while webhooks
 * arrive at both and a price file is imported in the middle of a re-pricing pass. Each connector's
 * own background re-pricer is driven pass by pass (`runOnce`, no timer; A's prices in its query
 * worker, B's in its HTTP thread), and replica A's pass is
 * held between two days (`repricerBetweenDays`) while the test posts webhooks to both replicas,
 * imports a second rate card through replica B's store and runs B's re-pricer (refused: A holds
 * the month's lease). End state: clean, equal to the query-time pricing at every grain, to one
 * connector that received the same events and files, and to figures worked out by hand. Calls ride
 * along (priced_calls, migration 017): posted to both replicas, one late for day 2 and two live ones
 * for day 10 while A's pass is held; their stored rows end equal to the query-time pricing too.
 */
import { Client } from 'pg';
import type { ConnectorConfig } from '../../src/connector/config';
import { startConnector, type RunningConnector } from '../../src/connector/runtime/connector';
import { priceCallMonths } from '../../src/connector/query/priced-calls';
import { importRateFile, loadPriceBook } from '../../src/connector/runtime/price-files';
import { PRICED_DIMENSIONS, type ConnectorStore } from '../../src/connector/store';
import { requirePrerequisite } from '../helpers/prerequisites';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { expectStoredAsQueryTime } from '../store/priced-rollups-suite';
import { postAcknowledged } from '../helpers/post-webhook';

const TOKEN = 'replicas-repricing-token-0123456789';
// Two WABAs in one portfolio: the re-pricer prices (and leases) them together, per portfolio and month.
const config: ConnectorConfig = {
  apiToken: TOKEN,
  wabas: [
    { id: 'W1', name: 'W1', timezone: 'UTC', currency: 'USD', portfolio: 'PF1' },
    { id: 'W2', name: 'W2', timezone: 'UTC', currency: 'USD', portfolio: 'PF1' },
  ],
};
const card = (utility: string, marketing: string) =>
  `Cost per message in USD\nMarket,Currency,Marketing,Utility,Authentication,Authentication-International,Service\nBrazil,USD,${marketing},${utility},0.0315,,\n`;
const R1 = { kind: 'rates' as const, text: card('0.0080', '0.0625'), effectiveFrom: '2025-07-01', fileName: 'r1.csv' };
const R2 = { kind: 'rates' as const, text: card('0.0100', '0.0500'), effectiveFrom: '2025-07-05', fileName: 'r2.csv' };
const JULY = { fromDay: '2025-07-01', toDay: '2025-07-31' };
// Calls to Brazil at 0.60 a minute: 0.06 a 6-second pulse.
const C1 = {
  kind: 'call_rates' as const,
  currency: 'USD',
  text: 'Market,Currency,Lower minutes,Upper minutes,Rate per minute\nBrazil,USD,0,,0.6000\n',
  effectiveFrom: '2025-07-01',
  fileName: 'c1.csv',
};

interface Delivered {
  wabaId: 'W1' | 'W2';
  wamid: string;
  day: number;
  category: 'utility' | 'marketing';
}
/** A business-initiated call to Brazil, started at 12:00 UTC on its July day. */
interface Called {
  wabaId: 'W1' | 'W2';
  callId: string;
  day: number;
  seconds: number;
}
const callBody = (e: Called) => {
  const secs = String(Date.UTC(2025, 6, e.day, 12) / 1000);
  const call = { id: e.callId, event: 'terminate', direction: 'BUSINESS_INITIATED', from: '551130000000', to: '5511987654321' };
  const value = {
    metadata: { phone_number_id: `P_${e.wabaId}` },
    calls: [{ ...call, timestamp: secs, start_time: secs, duration: e.seconds }],
  };
  return { object: 'whatsapp_business_account', entry: [{ id: e.wabaId, changes: [{ field: 'calls', value }] }] };
};
const bodyOf = (e: Delivered | Called) => ('callId' in e ? callBody(e) : body(e));

const body = (e: Delivered) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: e.wabaId,
      changes: [
        {
          field: 'messages',
          value: {
            metadata: { phone_number_id: `P_${e.wabaId}` },
            statuses: [
              {
                id: e.wamid,
                status: 'delivered',
                timestamp: String(Date.UTC(2025, 6, e.day, 12) / 1000),
                recipient_id: '5511987654321',
                pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: e.category },
              },
            ],
          },
        },
      ],
    },
  ],
});

const pino = require('pino') as typeof import('pino');
// Replica A prices in its re-pricing worker (the default with the query worker on), B and the single connector in their HTTP threads: both paths share one store.
const start = (db: string, repricerBetweenDays?: (day: string) => Promise<void>, queryWorker = false) =>
  startConnector({
    config,
    db,
    host: '127.0.0.1',
    port: 0,
    pulls: false,
    queryWorker,
    logger: pino.default({ level: 'silent' }),
    // No pass on a timer: the test runs each pass itself.
    repriceEveryMs: 3_600_000,
    ...(repricerBetweenDays ? { repricerBetweenDays } : {}),
  });

/** Every priced row of July at every grain, without the time it was written. */
async function pricedState(store: ConnectorStore) {
  const grains: Record<string, unknown[]> = { pricing: await store.pricedUsage(JULY), calls: await store.pricedCalls(JULY) };
  for (const dim of PRICED_DIMENSIONS) grains[dim] = await store.pricedUsageBy(dim, JULY);
  const strip = (r: unknown) => {
    const { pricedAtMs: _ignored, ...rest } = r as Record<string, unknown>;
    return rest;
  };
  return Object.fromEntries(Object.entries(grains).map(([k, rows]) => [k, rows.map(strip)]));
}

const postgres = requirePrerequisite('PostgreSQL');

postgres.describe('two connectors on one PostgreSQL: re-pricing under webhooks and a rates import', () => {
  const dbs: TestDatabase[] = [];
  const running: RunningConnector[] = [];
  afterAll(async () => {
    await Promise.all(running.map((r) => r.close()));
    await Promise.all(dbs.map((d) => d.drop()));
  });

  it('ends clean and equal to the query-time pricing, to a single connector and to the hand figures', async () => {
    const shared = await createTestDatabase('waspend_replicas_reprice');
    dbs.push(shared);
    const posted: (Delivered | Called)[] = [];
    const post = async (to: RunningConnector, e: Delivered | Called) => {
      await postAcknowledged(to.url, bodyOf(e));
      posted.push(e);
    };

    // Filled in once both have started; the hook below runs only during a pass, after that.
    const pair: { a?: RunningConnector; b?: RunningConnector } = {};
    let held = 0;
    let refusedPass: number | undefined;
    let leasesWhileHeld: number | undefined;
    // Replica A's pass, after each day it writes: the first time, webhooks to both replicas (one late, for
    // day 1), the second card imported through B and B's own pass; the next two times, live traffic for day 10.
    const betweenDays = async () => {
      held += 1;
      const [ra, rb] = [pair.a as RunningConnector, pair.b as RunningConnector];
      if (held === 1) {
        await post(ra, { wabaId: 'W1', wamid: 'wamid.late-a', day: 10, category: 'utility' });
        await post(rb, { wabaId: 'W2', wamid: 'wamid.late-b', day: 1, category: 'marketing' });
        await post(rb, { wabaId: 'W2', callId: 'call.late-b', day: 2, seconds: 61 });
        await importRateFile(rb.store, R2, 0);
        refusedPass = await (rb.repricer as NonNullable<RunningConnector['repricer']>).runOnce();
        const c = new Client({ connectionString: shared.url });
        await c.connect();
        try {
          leasesWhileHeld = Number((await c.query<{ n: string }>('SELECT COUNT(*) AS n FROM pricing_leases')).rows[0]?.n);
        } finally {
          await c.end();
        }
      } else if (held <= 3) {
        await post(rb, { wabaId: 'W1', wamid: `wamid.live-${held}`, day: 10, category: 'utility' });
        await post(ra, { wabaId: 'W1', callId: `call.live-${held}`, day: 10, seconds: 6 });
      }
    };
    const a = await start(shared.url, betweenDays, true);
    expect(a.queryWorker).not.toBeNull();
    running.push(a);
    const b = await start(shared.url);
    running.push(b);
    Object.assign(pair, { a, b });

    // Days 1-10: a utility message of W1 through A and a marketing message of W2 through B each day.
    for (let day = 1; day <= 10; day++) {
      await post(a, { wabaId: 'W1', wamid: `wamid.u${day}`, day, category: 'utility' });
      await post(b, { wabaId: 'W2', wamid: `wamid.m${day}`, day, category: 'marketing' });
      await post(day % 2 === 0 ? a : b, { wabaId: 'W1', callId: `call.c${day}`, day, seconds: 30 });
    }
    await importRateFile(a.store, R1, 0);
    await importRateFile(a.store, C1, 0);

    const passA = await (a.repricer as NonNullable<RunningConnector['repricer']>).runOnce();
    // B's pass ran while A held the month: its claim was refused, so it wrote nothing to the end, and one lease existed.
    expect(refusedPass).toBe(0);
    expect(leasesWhileHeld).toBe(1);
    // A's pass met webhooks for the month after its claim: it writes the month to its end, the days they
    // landed on owing their usage, and the month stays dirty for the next pass.
    expect(passA).toBe(1);
    expect((await a.store.pricingDirty()).length).toBeGreaterThan(0);

    // The next passes alternate between the replicas until no month is dirty.
    for (let i = 0; i < 10 && (await a.store.pricingDirty()).length > 0; i++) {
      await ((i % 2 === 0 ? b : a).repricer as NonNullable<RunningConnector['repricer']>).runOnce();
    }
    expect(await a.store.pricingDirty()).toEqual([]);
    expect(held).toBeGreaterThanOrEqual(3);
    // A call alone (no message that day or since) once all is clean: its own mark makes the month dirty from its day.
    await post(b, { wabaId: 'W2', callId: 'call.after', day: 3, seconds: 30 });
    expect((await a.store.pricingDirty()).map((m) => [m.wabaId, m.month, m.fromDay])).toEqual([['W2', '2025-07', '2025-07-03']]);
    await (b.repricer as NonNullable<RunningConnector['repricer']>).runOnce();
    expect(await a.store.pricingDirty()).toEqual([]);

    // Every grain equals the query-time pricing of the same store.
    await expectStoredAsQueryTime(a.store, a.query.wabas, JULY, Date.UTC(2025, 7, 1));

    // By hand. W1 utility: days 1-10 once, day 10 three more (late-a, live-2, live-3) = 13: days 1-4 at R1's
    // 0.0080 (4 x 8,000 = 32,000), days 5-10 at R2's 0.0100 (9 x 10,000 = 90,000): 122,000 micro-USD.
    // W2 marketing: days 1-10 once, day 1 once more (late-b) = 11: days 1-4 at 0.0625 (5 x 62,500 = 312,500),
    // days 5-10 at 0.0500 (6 x 50,000 = 300,000): 612,500.
    const rows = await a.store.pricedUsage(JULY);
    const sum = (w: string) => rows.filter((r) => r.wabaId === w).reduce((n, r) => n + (r.costMicros as bigint), 0n);
    const units = (w: string) => rows.filter((r) => r.wabaId === w).reduce((n, r) => n + r.units, 0);
    expect([units('W1'), sum('W1'), units('W2'), sum('W2')]).toEqual([13, 122_000n, 11, 612_500n]);
    const on = (w: string, day: string) => rows.filter((r) => r.wabaId === w && r.day === day).map((r) => [r.units, r.costMicros]);
    expect(on('W1', '2025-07-10')).toEqual([[4, 40_000n]]);
    expect(on('W1', '2025-07-04')).toEqual([[1, 8_000n]]);
    expect(on('W2', '2025-07-01')).toEqual([[2, 125_000n]]);
    expect(on('W2', '2025-07-05')).toEqual([[1, 50_000n]]);

    // The calls: every stored row equals the query-time pricing of the month, and by hand: W1 days 1-10 one
    // 30 s call each (5 pulses x 0.06 = 0.30) and two 6 s calls on day 10 (1 pulse each): 3,120,000 micro-USD;
    // W2's late 61 s call on day 2: 11 pulses, 660,000; its 30 s call on day 3 after all was clean: 5 pulses, 300,000.
    const book = (await loadPriceBook(a.store)).book;
    const storedCalls = (await a.store.pricedCalls(JULY)).map(({ version: _v, ...r }) => r);
    expect(storedCalls).toEqual(await priceCallMonths(a.store, [...a.query.wabas.values()], ['2025-07'], book));
    const callSum = (w: string) => storedCalls.filter((r) => r.wabaId === w).map((r) => [r.calls, r.pulses, r.costMicros]);
    expect(callSum('W1').reduce((n, [, , c]) => n + (c as bigint), 0n)).toBe(3_120_000n);
    expect(storedCalls.find((r) => r.wabaId === 'W1' && r.day === '2025-07-10')).toMatchObject({
      calls: 3,
      pulses: 7,
      costMicros: 420_000n,
    });
    expect(callSum('W2')).toEqual([
      [1, 11, 660_000n],
      [1, 5, 300_000n],
    ]);

    // One connector that received the same events and files, re-priced to completion, holds the same rows.
    const single = await createTestDatabase('waspend_single_reprice');
    dbs.push(single);
    const c = await start(single.url);
    running.push(c);
    for (const e of posted) {
      await postAcknowledged(c.url, bodyOf(e));
    }
    await importRateFile(c.store, R1, 0);
    await importRateFile(c.store, C1, 0);
    await importRateFile(c.store, R2, 0);
    await (c.repricer as NonNullable<RunningConnector['repricer']>).runToCompletion();
    expect(await pricedState(a.store)).toEqual(await pricedState(c.store));

    // And what a dashboard asks, through either replica, is the single connector's answer.
    const ask = async (
      r: RunningConnector,
      path = 'usage?from=2025-07-01&to=2025-07-31&interval=month&by=waba,category&source=estimate',
    ) => {
      const res = await fetch(`${r.url}/api/v1/${path}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(200);
      return res.json();
    };
    const answer = await ask(c);
    expect(await ask(a)).toEqual(answer);
    expect(await ask(b)).toEqual(answer);
    const calls = 'calls?from=2025-07-01&to=2025-07-31&interval=month&by=waba&source=estimate';
    const callAnswer = await ask(c, calls);
    expect(
      (callAnswer as { rows: { wabaId: string; calls: number; durationSec: number; pulses: number; cost: string }[] }).rows.map((r) => [
        r.wabaId,
        r.calls,
        r.durationSec,
        r.pulses,
        r.cost,
      ]),
    ).toEqual([
      ['W1', 12, 312, 52, '3.12'],
      ['W2', 2, 91, 16, '0.96'],
    ]);
    expect(await ask(a, calls)).toEqual(callAnswer);
    expect(await ask(b, calls)).toEqual(callAnswer);
  }, 120_000);
});
