import { Registry } from 'prom-client';
import { addDays, dayStartMs, MS_PER_HOUR } from '@core';
import { startFakeMetaServer, type FakeMetaServer, type FaultKind } from '../../../tests/fakes/meta-server';
import { autoClock, MemorySink, pricingSeries, recordingLogger, totalVolume } from '../../../tests/fakes/pull-test-kit';
import { metaPricingSource } from './meta-pricing-source';
import { registerPullMetrics } from './pull-metrics';
import { createPullScheduler } from './pull-scheduler';
import type { PullFailureReason } from './pull-types';

// Issue 7 item 6 at the puller level: the fake returns 429, 500, timeouts, truncated JSON and expired
// tokens; the puller backs off, reports the failure (status + metrics), and resumes without gaps or
// duplicate days. The connector-level version (through /health and /metrics) builds on this.

const TZ = 'Asia/Kolkata';
const TOKEN = 'EAAsecret-token-abcdef987654';
const TODAY = '2026-11-20';
const NOW = dayStartMs(TODAY, TZ) + 9 * MS_PER_HOUR;
const PHONE = '919800000001';

let server: FakeMetaServer;

beforeEach(async () => {
  server = await startFakeMetaServer(
    {
      wabas: [
        {
          id: 'W-IN',
          token: TOKEN,
          currency: 'INR',
          phoneNumbers: [{ id: 'PN-IN', display: '+91 98000 00001' }],
          pricing: pricingSeries({ timezone: TZ, from: '2026-08-01', to: TODAY, phones: [PHONE] }),
          calls: [],
          conversations: [],
        },
      ],
      channels: [],
    },
    { pageSize: 25 },
  );
});
afterEach(() => server.close());

function setup(retry: Record<string, number> = {}) {
  const sink = new MemorySink();
  const clock = autoClock(NOW);
  const logger = recordingLogger();
  const registry = new Registry();
  const metrics = registerPullMetrics(registry);
  const failures: PullFailureReason[] = [];
  const errors: unknown[] = [];
  const scheduler = createPullScheduler({
    sink,
    clock,
    logger,
    random: () => 0.5,
    sources: [metaPricingSource],
    wabas: [{ id: 'W-IN', timezone: TZ, currency: 'INR', configIndex: 2, meta: { token: TOKEN } }],
    onStatus: metrics.onStatus,
    onFailure: (f) => {
      failures.push(f.reason);
      metrics.onFailure(f);
    },
    options: { graphBaseUrl: server.graphBaseUrl, backfillDays: 14, retry: { timeoutMs: 250, ...retry } },
  });
  return { sink, clock, logger, registry, failures, errors, scheduler };
}

function expectCompleteAndSingle(sink: MemorySink, from: string, to: string) {
  const days = sink.days('W-IN', 'meta_pricing');
  const expected: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) expected.push(d);
  expect(days).toEqual(expected);
  for (const day of days) {
    expect(sink.pricingRows('W-IN', 'meta_pricing', day).reduce((n, r) => n + r.volume, 0)).toBe(
      totalVolume(server.dataset.wabas[0]!.pricing, day),
    );
  }
}

const transient: [FaultKind, PullFailureReason][] = [
  ['rate_limit', 'rate_limited'],
  ['server_error', 'server_error'],
  ['hang', 'timeout'],
  ['truncated', 'bad_response'],
  ['reset', 'network'],
];

test.each(transient)('%s: backs off, retries and completes every day once', async (kind, reason) => {
  server.fail({ kind, times: 2, match: 'pricing_analytics' });
  const { sink, clock, failures, scheduler } = setup();
  await scheduler.runOnce();
  expect(server.pendingFaults()).toBe(0);
  expect(failures).toEqual([reason, reason]);
  // Exponential: 1 s then 2 s, jittered to [d/2, d] (random fixed at 0.5).
  expect(clock.sleeps).toEqual([750, 1500]);
  expect(scheduler.statuses()[0]).toMatchObject({ status: 'ok', lastError: null });
  expectCompleteAndSingle(sink, '2026-11-06', '2026-11-19');
});

test('Retry-After is honoured when it is longer than the backoff', async () => {
  server.fail({ kind: 'rate_limit', retryAfterSec: 7, match: 'pricing_analytics' });
  const { clock, scheduler } = setup();
  await scheduler.runOnce();
  expect(clock.sleeps).toEqual([7000]);
});

test('persistent failure: status failing, metrics down, then the next run resumes without gaps or duplicates', async () => {
  server.fail({ kind: 'server_error', times: 3, match: 'pricing_analytics' });
  const { sink, clock, registry, failures, scheduler } = setup({ maxAttempts: 3 });
  await scheduler.runOnce();
  const failed = scheduler.statuses()[0]!;
  expect(failed.status).toBe('failing');
  expect(failed.lastError).toMatch(/upstream error HTTP 500/);
  expect(failed.nextAttemptAt).toBeGreaterThan(clock.now());
  expect(sink.days('W-IN', 'meta_pricing')).toEqual([]);
  let text = await registry.metrics();
  expect(text).toContain('waspend_pull_up{waba="W-IN",source="meta_pricing"} 0');
  expect(text).toContain('waspend_pull_failures_total{waba="W-IN",source="meta_pricing",reason="server_error"} 3');
  expect(failures).toHaveLength(3);

  // Not due yet: nothing is requested.
  const asked = server.requests.length;
  await scheduler.runOnce();
  expect(server.requests.length).toBe(asked);

  clock.set(failed.nextAttemptAt!);
  await scheduler.runOnce();
  expect(scheduler.statuses()[0]).toMatchObject({ status: 'ok', lastError: null, lastSuccessAt: failed.nextAttemptAt });
  expectCompleteAndSingle(sink, '2026-11-06', '2026-11-19');
  text = await registry.metrics();
  expect(text).toContain('waspend_pull_up{waba="W-IN",source="meta_pricing"} 1');
  expect(text).toContain(
    `waspend_pull_last_success_timestamp_seconds{waba="W-IN",source="meta_pricing"} ${Math.floor(failed.nextAttemptAt! / 1000)}`,
  );
});

test('a failure in the middle of a backfill keeps the committed chunks and resumes at the next one', async () => {
  const sink = new MemorySink();
  const clock = autoClock(NOW);
  const start2 = dayStartMs('2026-11-13', TZ) / 1000;
  server.fail({ kind: 'server_error', match: `start(${start2})` });
  const s = createPullScheduler({
    sink,
    clock,
    logger: recordingLogger(),
    random: () => 0.5,
    sources: [metaPricingSource],
    wabas: [{ id: 'W-IN', timezone: TZ, currency: 'INR', configIndex: 2, meta: { token: TOKEN } }],
    options: { graphBaseUrl: server.graphBaseUrl, backfillDays: 14, maxDaysPerRequest: 7, retry: { maxAttempts: 1 } },
  });
  await s.runOnce();
  expect(sink.days('W-IN', 'meta_pricing')).toEqual(Array.from({ length: 7 }, (_, i) => addDays('2026-11-06', i)));
  expect(await sink.getCursor('W-IN', 'meta_pricing')).toEqual({ lastCompleteDay: '2026-11-12' });
  clock.set(s.statuses()[0]!.nextAttemptAt!);
  await s.runOnce();
  expectCompleteAndSingle(sink, '2026-11-06', '2026-11-19');
});

test('a store outage fails the run with reason "store" and the next run completes', async () => {
  const { sink, clock, failures, scheduler } = setup();
  sink.failNext = 1;
  await scheduler.runOnce();
  expect(scheduler.statuses()[0]).toMatchObject({ status: 'failing', lastError: expect.stringMatching(/store failed.*disk full/) });
  expect(failures).toEqual(['store']);
  clock.set(scheduler.statuses()[0]!.nextAttemptAt!);
  await scheduler.runOnce();
  expectCompleteAndSingle(sink, '2026-11-06', '2026-11-19');
});

test('expired token: not retried, reported with what to fix, and the task stops asking', async () => {
  server.fail({ kind: 'expired_token', times: 5 });
  const { sink, clock, registry, failures, scheduler } = setup();
  await scheduler.runOnce();
  expect(server.requests).toHaveLength(1);
  expect(clock.sleeps).toEqual([]);
  expect(failures).toEqual(['auth']);
  expect(scheduler.statuses()[0]).toEqual({
    wabaId: 'W-IN',
    source: 'meta_pricing',
    status: 'failing',
    lastSuccessAt: null,
    nextAttemptAt: null,
    lastError: 'Meta token for WABA W-IN is invalid or expired: update wabas[2].meta.token',
  });
  clock.advance(48 * MS_PER_HOUR);
  await scheduler.runOnce();
  expect(server.requests).toHaveLength(1);
  expect(sink.replaceCalls).toEqual([]);
  expect(await registry.metrics()).toContain('waspend_pull_failures_total{waba="W-IN",source="meta_pricing",reason="auth"} 1');
});

test('a wrong token in the config gets the same clear message', async () => {
  server.dataset.wabas[0]!.token = 'a-different-token';
  const { scheduler } = setup();
  await scheduler.runOnce();
  expect(scheduler.statuses()[0]!.lastError).toBe('Meta token for WABA W-IN is invalid or expired: update wabas[2].meta.token');
});

test('the token never appears in requests URLs, logs, statuses, errors or metrics, even across paging', async () => {
  for (const kind of ['rate_limit', 'server_error', 'truncated', 'reset'] as const) server.fail({ kind, match: 'pricing_analytics' });
  const { logger, registry, scheduler, sink } = setup({ maxAttempts: 10 });
  await scheduler.runOnce();
  server.fail({ kind: 'expired_token' });
  const other = setup();
  await other.scheduler.runOnce();
  // Paging really happened: the fake's next links embed access_token, which we must not forward.
  expect(server.requests.filter((r) => r.query.after !== undefined).length).toBeGreaterThan(0);
  expectCompleteAndSingle(sink, '2026-11-06', '2026-11-19');
  const everything = [
    JSON.stringify(server.requests.map((r) => ({ ...r, authorization: null }))),
    logger.text(),
    other.logger.text(),
    JSON.stringify(scheduler.statuses()),
    JSON.stringify(other.scheduler.statuses()),
    await registry.metrics(),
    await other.registry.metrics(),
  ].join('\n');
  expect(everything).not.toContain(TOKEN);
  expect(server.requests.every((r) => !('access_token' in r.query))).toBe(true);
  expect(logger.lines.filter((l) => l.level === 'warn').length).toBeGreaterThanOrEqual(4);
});

test('failures reading the WABA currency are retried and counted like any other request', async () => {
  server.fail({ kind: 'server_error', times: 2, match: 'fields=currency' });
  const { sink, failures, scheduler } = setup();
  await scheduler.runOnce();
  expect(failures).toEqual(['server_error', 'server_error']);
  expect(scheduler.statuses()[0]!.status).toBe('ok');
  expectCompleteAndSingle(sink, '2026-11-06', '2026-11-19');
});
