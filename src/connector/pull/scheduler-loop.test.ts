import { dayStartMs, MS_PER_HOUR } from '@core';
import { startFakeMetaServer, type FakeMetaServer } from '../../../tests/fakes/meta-server';
import { gatedClock, MemorySink, pricingSeries, recordingLogger, waitFor } from '../../../tests/fakes/pull-test-kit';
import { createPullScheduler } from './pull-scheduler';
import type { PullStatus } from './pull-types';

const TZ = 'America/Sao_Paulo';
const NOW = dayStartMs('2026-11-20', TZ) + 12 * MS_PER_HOUR;
let server: FakeMetaServer;

beforeEach(async () => {
  server = await startFakeMetaServer({
    wabas: [
      {
        id: 'W1',
        token: 'tok-123456',
        currency: 'BRL',
        phoneNumbers: [],
        pricing: pricingSeries({ timezone: TZ, from: '2026-11-01', to: '2026-11-20', phones: ['5511'] }),
        calls: [],
        conversations: [],
      },
    ],
    channels: [],
  });
});
afterEach(() => server.close());

test('start() publishes every (WABA, source) status, pulls, sleeps on the clock until due, and stop() ends it', async () => {
  const clock = gatedClock(NOW);
  const seen: PullStatus[] = [];
  const scheduler = createPullScheduler({
    sink: new MemorySink(),
    clock,
    logger: recordingLogger(),
    onStatus: (s) => seen.push(s),
    wabas: [
      { id: 'W1', timezone: TZ, currency: 'BRL', configIndex: 0, meta: { token: 'tok-123456' } },
      { id: 'W2', timezone: 'UTC', currency: 'USD', configIndex: 1 },
    ],
    options: { graphBaseUrl: server.graphBaseUrl, backfillDays: 5 },
  });
  scheduler.start();
  expect(seen.slice(0, 8).map((s) => `${s.wabaId}:${s.source}:${s.status}`)).toEqual([
    'W1:meta_pricing:idle',
    'W1:meta_calls:idle',
    'W1:meta_conversations:idle',
    'W1:d360_usage:disabled',
    'W2:meta_pricing:disabled',
    'W2:meta_calls:disabled',
    'W2:meta_conversations:disabled',
    'W2:d360_usage:disabled',
  ]);
  await waitFor(() => clock.waiting() === 1);
  expect(scheduler.statuses().find((s) => s.source === 'meta_pricing' && s.wabaId === 'W1')?.status).toBe('ok');
  const asked = server.requests.length;
  await scheduler.stop();
  expect(clock.waiting()).toBe(0);
  expect(server.requests.length).toBe(asked);
});
