import { addDays, dayStartMs, MS_PER_HOUR } from '@core';
import { startFakeMetaServer, type FakeMetaServer } from '../../../tests/fakes/meta-server';
import { autoClock, callSeries, MemorySink, pricingSeries, recordingLogger, totalVolume } from '../../../tests/fakes/pull-test-kit';
import { metaCallsSource } from './meta-calls-source';
import { metaConversationsSource } from './meta-conversations-source';
import { metaPricingSource } from './meta-pricing-source';
import { createPullScheduler } from './pull-scheduler';
import type { PullStatus } from './pull-types';

const TZ = 'America/Sao_Paulo';
const TOKEN = 'EAAtest-token-0123456789';
const TODAY = '2026-11-20';
const NOW = dayStartMs(TODAY, TZ) + 15 * MS_PER_HOUR;
const PHONES = ['551140000001', '551140000002'];

let server: FakeMetaServer;

beforeEach(async () => {
  server = await startFakeMetaServer({
    wabas: [
      {
        id: 'W1',
        token: TOKEN,
        currency: 'BRL',
        phoneNumbers: [
          { id: 'PN1', display: '+55 11 4000-0001' },
          { id: 'PN2', display: '+55 11 4000-0002' },
        ],
        pricing: pricingSeries({ timezone: TZ, from: '2026-06-01', to: TODAY, phones: PHONES }),
        calls: callSeries({ timezone: TZ, from: '2026-06-01', to: TODAY, phones: PHONES }),
        conversations: [],
      },
    ],
    channels: [],
  });
});
afterEach(() => server.close());

function setup(options: Record<string, unknown> = {}, sources = [metaPricingSource, metaCallsSource]) {
  const sink = new MemorySink();
  const clock = autoClock(NOW);
  const logger = recordingLogger();
  const statuses: PullStatus[] = [];
  const scheduler = createPullScheduler({
    sink,
    clock,
    logger,
    random: () => 0.5,
    sources,
    wabas: [{ id: 'W1', timezone: TZ, currency: 'BRL', configIndex: 0, meta: { token: TOKEN } }],
    onStatus: (s) => statuses.push(s),
    options: { graphBaseUrl: server.graphBaseUrl, d360BaseUrl: server.d360BaseUrl, backfillDays: 10, ...options },
  });
  return { sink, clock, logger, statuses, scheduler };
}

const pricing = () => server.dataset.wabas[0]!.pricing;

test('first run backfills complete days up to yesterday, WABA-local, with exact figures per day', async () => {
  const { sink, scheduler } = setup();
  await scheduler.runOnce();
  const days = sink.days('W1', 'meta_pricing');
  expect(days).toEqual(Array.from({ length: 10 }, (_, i) => addDays('2026-11-10', i)));
  expect(days).not.toContain(TODAY);
  expect(await sink.getCursor('W1', 'meta_pricing')).toEqual({ lastCompleteDay: '2026-11-19' });
  for (const day of days) {
    const rows = sink.pricingRows('W1', 'meta_pricing', day);
    expect(rows.reduce((n, r) => n + r.volume, 0)).toBe(totalVolume(pricing(), day));
    expect(new Set(rows.map((r) => r.phoneNumberId))).toEqual(new Set(['PN1', 'PN2']));
    expect(rows.every((r) => r.currency === 'BRL' && r.wabaId === 'W1')).toBe(true);
  }
  const marketing = sink
    .pricingRows('W1', 'meta_pricing', '2026-11-10')
    .find((r) => r.category === 'marketing' && r.phoneNumberId === 'PN1');
  expect(marketing).toMatchObject({ tier: '0:MAX', pricingType: 'regular', country: 'BR' });
  expect(marketing?.costMicros).toBe(BigInt(Math.round(marketing!.volume * 0.0625 * 1e6)));
  const calls = sink.callRows('W1', 'meta_calls', '2026-11-12');
  expect(calls.reduce((n, r) => n + r.count, 0)).toBe(totalVolume(server.dataset.wabas[0]!.calls, '2026-11-12', 'count'));
  expect(calls.find((r) => r.direction === 'business_initiated')).toMatchObject({ country: 'IN', averageDurationSec: 60 });
});

test('requests carry the documented filters, local-midnight bounds and the token only in the header', async () => {
  const { scheduler } = setup();
  await scheduler.runOnce();
  const analytics = server.requests.filter((r) => r.query.fields?.startsWith('pricing_analytics'));
  expect(analytics).toHaveLength(1);
  expect(analytics[0]!.path).toBe('/v25.0/W1');
  expect(analytics[0]!.query.fields).toBe(
    `pricing_analytics.start(${dayStartMs('2026-11-10', TZ) / 1000}).end(${dayStartMs(TODAY, TZ) / 1000}).granularity(DAILY).metric_types([COST,VOLUME]).dimensions(PRICING_CATEGORY,PRICING_TYPE,COUNTRY,PHONE,TIER)`,
  );
  expect(server.requests.some((r) => r.query.fields === 'currency')).toBe(true);
  expect(server.requests.every((r) => r.authorization === `Bearer ${TOKEN}` && !('access_token' in r.query))).toBe(true);
});

test('the next run resumes from the cursor without gaps and re-pulls the last 3 days, replacing them', async () => {
  const { sink, clock, scheduler } = setup();
  await scheduler.runOnce();
  // Meta revises 2026-11-19 upwards after our first pull.
  for (const p of pricing()) if (p._day === '2026-11-19') p.volume = Number(p.volume) + 1;
  clock.set(NOW + 2 * 24 * MS_PER_HOUR);
  await scheduler.runOnce();
  const days = sink.days('W1', 'meta_pricing');
  expect(days).toEqual(Array.from({ length: 12 }, (_, i) => addDays('2026-11-10', i)));
  expect(await sink.getCursor('W1', 'meta_pricing')).toEqual({ lastCompleteDay: '2026-11-21' });
  const second = sink.replaceCalls.filter((c) => c.source === 'meta_pricing')[1]!;
  expect(second.days).toEqual(['2026-11-19', '2026-11-20', '2026-11-21']);
  for (const day of ['2026-11-19', '2026-11-20', '2026-11-21']) {
    expect(sink.pricingRows('W1', 'meta_pricing', day).reduce((n, r) => n + r.volume, 0)).toBe(totalVolume(pricing(), day));
  }
});

test('running twice on the same day stores every day once (idempotent re-pull)', async () => {
  const { sink, scheduler, clock } = setup();
  await scheduler.runOnce();
  const before = sink.pricingRows('W1', 'meta_pricing', '2026-11-18');
  clock.advance(2 * MS_PER_HOUR);
  await scheduler.runOnce();
  expect(sink.pricingRows('W1', 'meta_pricing', '2026-11-18')).toEqual(before);
  expect(sink.days('W1', 'meta_pricing')).toHaveLength(10);
});

test('a task is not pulled again before its interval has passed', async () => {
  const { scheduler, clock } = setup({ intervalMs: 3 * MS_PER_HOUR });
  await scheduler.runOnce();
  const count = server.requests.length;
  clock.advance(MS_PER_HOUR);
  await scheduler.runOnce();
  expect(server.requests.length).toBe(count);
  clock.advance(2 * MS_PER_HOUR);
  await scheduler.runOnce();
  expect(server.requests.length).toBeGreaterThan(count);
});

test("the backfill never reaches past Meta's 1-year lookback and is split into committed chunks", async () => {
  const { sink, scheduler } = setup({ backfillDays: 800, maxDaysPerRequest: 31 }, [metaPricingSource]);
  await scheduler.runOnce();
  const calls = sink.replaceCalls;
  expect(calls[0]!.days[0]).toBe(addDays(TODAY, -364));
  expect(calls.every((c) => c.days.length <= 31)).toBe(true);
  expect(calls.flatMap((c) => c.days)).toEqual(Array.from({ length: 364 }, (_, i) => addDays(TODAY, -364 + i)));
  expect(calls.map((c) => c.cursor.lastCompleteDay)).toEqual(calls.map((c) => c.days[c.days.length - 1]));
});

test('statuses: ok with lastSuccessAt after a run, one per WABA and source', async () => {
  const { scheduler, statuses } = setup();
  await scheduler.runOnce();
  expect(scheduler.statuses()).toEqual([
    { wabaId: 'W1', source: 'meta_pricing', status: 'ok', lastSuccessAt: NOW, lastError: null, nextAttemptAt: NOW + 3_600_000 },
    { wabaId: 'W1', source: 'meta_calls', status: 'ok', lastSuccessAt: NOW, lastError: null, nextAttemptAt: NOW + 3_600_000 },
  ]);
  expect(statuses.at(-1)?.status).toBe('ok');
});

test('a PHONE dimension Meta rejects is dropped and the day still lands, without phone ids', async () => {
  server.dataset.wabas[0]!.rejectPhoneDimension = true;
  const { sink, scheduler, logger } = setup({}, [metaPricingSource]);
  await scheduler.runOnce();
  const rows = sink.pricingRows('W1', 'meta_pricing', '2026-11-15');
  expect(rows.reduce((n, r) => n + r.volume, 0)).toBe(totalVolume(pricing(), '2026-11-15'));
  expect(rows.every((r) => r.phoneNumberId === null)).toBe(true);
  expect(logger.lines.some((l) => l.level === 'warn' && /PHONE dimension/.test(l.msg))).toBe(true);
});

describe('conversation_analytics for the CBP era', () => {
  const CBP_TZ = 'America/Sao_Paulo';
  const now = dayStartMs('2025-07-10', CBP_TZ) + 10 * MS_PER_HOUR;

  function cbpPoints() {
    const points = [];
    for (let i = 0; i < 15; i++) {
      const day = addDays('2025-06-20', i);
      const start = dayStartMs(day, CBP_TZ) / 1000;
      const end = dayStartMs(addDays(day, 1), CBP_TZ) / 1000;
      points.push({
        _day: day,
        start,
        end,
        phone_number: PHONES[0]!,
        country: 'BR',
        conversation_type: 'REGULAR',
        conversation_category: 'MARKETING',
        conversation: 10 + i,
        cost: (10 + i) * 0.0625,
      });
    }
    return points;
  }

  async function runCbp(withheld: boolean, errorOnAnyCost = false) {
    const waba = server.dataset.wabas[0]!;
    waba.conversations = cbpPoints();
    waba.costWithheld = withheld;
    waba.costErrorOnAnyCost = errorOnAnyCost;
    const sink = new MemorySink();
    const scheduler = createPullScheduler({
      sink,
      clock: autoClock(now),
      logger: recordingLogger(),
      random: () => 0.5,
      sources: [metaConversationsSource, metaPricingSource],
      wabas: [{ id: 'W1', timezone: CBP_TZ, currency: 'BRL', configIndex: 0, meta: { token: TOKEN } }],
      options: { graphBaseUrl: server.graphBaseUrl, backfillFrom: '2025-06-20' },
    });
    await scheduler.runOnce();
    return { sink, scheduler };
  }

  test('pre-2025-07-01 days come from conversation_analytics, later days from pricing_analytics', async () => {
    const { sink } = await runCbp(false);
    expect(sink.days('W1', 'meta_conversations')).toEqual(Array.from({ length: 11 }, (_, i) => addDays('2025-06-20', i)));
    expect(sink.days('W1', 'meta_pricing')[0]).toBe('2025-07-01');
    expect(sink.pricingRows('W1', 'meta_conversations', '2025-06-22')).toEqual([
      {
        day: '2025-06-22',
        wabaId: 'W1',
        phoneNumberId: 'PN1',
        country: 'BR',
        category: 'marketing',
        pricingType: 'regular',
        tier: null,
        volume: 12,
        costMicros: 750_000n,
        currency: 'BRL',
      },
    ]);
  });

  test('withheld COST gives null costs; "Cost not available" is answered by asking without COST', async () => {
    const withheld = await runCbp(true);
    expect(withheld.sink.pricingRows('W1', 'meta_conversations', '2025-06-22')[0]).toMatchObject({ volume: 12, costMicros: null });
    const refused = await runCbp(true, true);
    expect(refused.sink.pricingRows('W1', 'meta_conversations', '2025-06-23')[0]).toMatchObject({ volume: 13, costMicros: null });
    expect(refused.scheduler.statuses().find((s) => s.source === 'meta_conversations')?.status).toBe('ok');
    const conv = server.requests.filter((r) => r.query.fields?.startsWith('conversation_analytics'));
    expect(conv.at(-1)?.query.fields).toContain('metric_types(["CONVERSATION"])');
  });

  test('once the CBP era is stored (or outside the lookback) the source goes idle and asks nothing', async () => {
    const sink = new MemorySink();
    const scheduler = createPullScheduler({
      sink,
      clock: autoClock(NOW),
      logger: recordingLogger(),
      sources: [metaConversationsSource],
      wabas: [{ id: 'W1', timezone: TZ, currency: 'BRL', configIndex: 0, meta: { token: TOKEN } }],
      options: { graphBaseUrl: server.graphBaseUrl, backfillFrom: '2025-01-01' },
    });
    await scheduler.runOnce();
    expect(server.requests.filter((r) => r.query.fields?.startsWith('conversation_analytics'))).toEqual([]);
    expect(scheduler.statuses()[0]).toMatchObject({ status: 'idle', lastSuccessAt: null });
  });
});
