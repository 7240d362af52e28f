import { addDays, dayStartMs, MS_PER_HOUR } from '@core';
import { startFakeMetaServer, type FakeMetaServer } from '../../../tests/fakes/meta-server';
import { autoClock, callSeries, MemorySink, pricingSeries, recordingLogger, totalVolume } from '../../../tests/fakes/pull-test-kit';
import { d360UsageSource } from './d360-usage-source';
import { parseD360Usage } from './parse-d360-usage';
import { createPullScheduler } from './pull-scheduler';

const TZ = 'Europe/Berlin';
const KEY = 'd360-partner-key-000111222';
const TODAY = '2026-11-20';
const NOW = dayStartMs(TODAY, TZ) + 11 * MS_PER_HOUR;

let server: FakeMetaServer;
beforeEach(async () => {
  const series = { timezone: TZ, from: '2026-10-01', to: TODAY, phones: ['4930000001'] };
  server = await startFakeMetaServer({
    wabas: [],
    channels: [
      { partnerId: 'PA', clientId: 'CL', channelId: 'CH1', apiKey: KEY, pricing: pricingSeries(series), calls: callSeries(series) },
      {
        partnerId: 'PA',
        clientId: 'CL',
        channelId: 'CH2',
        apiKey: KEY,
        pricing: pricingSeries(series, 2),
        calls: [],
        shape: 'flat',
        currency: 'eur',
      },
    ],
  });
});
afterEach(() => server.close());

function run(apiKey = KEY) {
  const sink = new MemorySink();
  const scheduler = createPullScheduler({
    sink,
    clock: autoClock(NOW),
    logger: recordingLogger(),
    random: () => 0.5,
    sources: [d360UsageSource],
    wabas: [
      {
        id: 'W-DE',
        timezone: TZ,
        currency: 'EUR',
        configIndex: 1,
        d360: {
          partnerId: 'PA',
          clientId: 'CL',
          apiKey,
          channels: [
            { id: 'CH1', phoneNumberId: 'PN-DE-1' },
            { id: 'CH2', phoneNumberId: 'PN-DE-2' },
          ],
        },
      },
    ],
    options: { d360BaseUrl: server.d360BaseUrl, backfillDays: 5 },
  });
  return { sink, scheduler };
}

test("channel usage of every channel lands per day, with the channel's phone number id and X-API-Key auth", async () => {
  const { sink, scheduler } = run();
  await scheduler.runOnce();
  expect(sink.days('W-DE', 'd360_usage')).toEqual(Array.from({ length: 5 }, (_, i) => addDays('2026-11-15', i)));
  const day = '2026-11-17';
  const rows = sink.pricingRows('W-DE', 'd360_usage', day);
  const [ch1, ch2] = server.dataset.channels;
  expect(rows.filter((r) => r.phoneNumberId === 'PN-DE-1').reduce((n, r) => n + r.volume, 0)).toBe(totalVolume(ch1!.pricing, day));
  expect(rows.filter((r) => r.phoneNumberId === 'PN-DE-2').reduce((n, r) => n + r.volume, 0)).toBe(totalVolume(ch2!.pricing, day));
  expect(rows.every((r) => r.currency === 'EUR')).toBe(true);
  expect(sink.callRows('W-DE', 'd360_usage', day).reduce((n, r) => n + r.count, 0)).toBe(totalVolume(ch1!.calls, day, 'count'));
  const req = server.requests[0]!;
  expect(req.path).toBe('/api/v2/partners/PA/clients/CL/channels/CH1/info/usage');
  expect(req.query).toEqual({
    start_date: String(dayStartMs('2026-11-15', TZ) / 1000),
    end_date: String(dayStartMs(TODAY, TZ) / 1000 - 1),
    granularity: 'DAILY',
  });
  expect(req.apiKey).toBe(KEY);
  expect(server.requests.every((r) => r.authorization === null)).toBe(true);
});

test('a rejected partner key is a clear, non-retried error that names the config field', async () => {
  const { scheduler } = run('wrong-key');
  await scheduler.runOnce();
  expect(server.requests).toHaveLength(1);
  expect(scheduler.statuses()[0]).toMatchObject({
    status: 'failing',
    nextAttemptAt: null,
    lastError: '360Dialog partner API key for WABA W-DE is invalid or expired: update wabas[1].d360.apiKey',
  });
});

describe('tolerant parser (the response shape is not documented)', () => {
  const ctx = { wabaId: 'W', timezone: 'UTC', currency: 'USD', phoneIds: new Map<string, string>(), warn: () => undefined };
  const start = Date.UTC(2026, 10, 1) / 1000;
  const point = { start, end: start + 86_400 };

  test.each([
    [
      'Meta wrappers',
      {
        pricing_analytics: {
          data: [{ data_points: [{ ...point, pricing_category: 'MARKETING', pricing_type: 'REGULAR', volume: 4, cost: 0.2 }] }],
        },
      },
    ],
    [
      'a data envelope',
      {
        data: {
          pricingAnalytics: { dataPoints: [] },
          usage: [{ ...point, pricingCategory: 'MARKETING', pricingType: 'REGULAR', volume: 4, cost: '0.2' }],
        },
      },
    ],
    ['a bare array', [{ ...point, pricing_category: 'marketing', pricing_type: 'regular', volume: 4, cost: 0.2 }]],
    [
      'day labels and millisecond starts',
      {
        usage: [
          { start: start * 1000, pricing_category: 'MARKETING', pricing_type: 'REGULAR', volume: 1, cost: 0.05 },
          { start: '2026-11-01', pricing_category: 'MARKETING', pricing_type: 'REGULAR', volume: 3, cost: 0.15 },
        ],
      },
    ],
  ])('%s', (_name, body) => {
    const rows = parseD360Usage(body, ctx, 'PN');
    expect(rows.pricing).toEqual([
      {
        day: '2026-11-01',
        wabaId: 'W',
        phoneNumberId: 'PN',
        country: null,
        category: 'marketing',
        pricingType: 'regular',
        tier: null,
        volume: 4,
        costMicros: 200_000n,
        currency: 'USD',
      },
    ]);
    expect(rows.calls).toEqual([]);
  });

  test('calls are told apart by their metrics and take the directions filter', () => {
    const rows = parseD360Usage(
      {
        currency: 'brl',
        call_analytics: { directions: 'BUSINESS_INITIATED', data_points: [{ ...point, count: 3, cost: 0.9, average_duration: 40 }] },
      },
      ctx,
      null,
    );
    expect(rows.calls).toEqual([
      {
        day: '2026-11-01',
        wabaId: 'W',
        phoneNumberId: null,
        country: null,
        direction: 'business_initiated',
        count: 3,
        costMicros: 900_000n,
        averageDurationSec: 40,
        currency: 'BRL',
      },
    ]);
  });
});
