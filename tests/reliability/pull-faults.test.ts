/**
 * Pull faults at connector level: the real connector's Meta puller points at the fake Graph server,
 * which answers 429, 500, hangs, truncated JSON and dropped connections before it recovers. The
 * puller backs off, shows the failure in /health and /metrics, then resumes with every day present
 * once and equal to Meta's figures, and a later re-pull changes nothing. An expired token parks the
 * puller (failing, reason auth) until the connector restarts with the token fixed.
 */
import path from 'node:path';
import { addDays, localDay } from '@core';
import { restartConnector, startConnector, type ConnectorOptions, type ConnectorProcess } from '../helpers/connector-harness';
import { destroyRawAgent, rawRequest } from '../helpers/raw-http';
import { makeSecrets, makeTempDir, secretEnv, writeConnectorConfig } from '../helpers/reliability-config';
import { recordFigures } from '../helpers/reliability-figures';
import { RELIABILITY_WABAS } from '../helpers/webhook-envelopes';
import { startFakeMetaServer, type FakeMetaServer } from '../fakes/meta-server';
import { callSeries, pricingSeries, totalVolume } from '../fakes/pull-test-kit';
import { metaDailyTotals, pullConfigExtras, PULL_SOURCE } from './pull-settings';

const WABA = RELIABILITY_WABAS[0];

interface Observed {
  statuses: Set<string>;
  lastErrors: Set<string>;
  upValues: Set<number>;
  failureReasons: Map<string, number>;
}

describe('pull faults: the Meta puller backs off, reports, and resumes without gaps or duplicate days', () => {
  const dir = makeTempDir('pulls');
  const secrets = makeSecrets('pull');
  const db = `sqlite:${path.join(dir, 'store.sqlite')}`;
  const today = localDay(Date.now(), WABA.timezone);
  const from = addDays(today, -8);
  const to = addDays(today, -1);
  const series = { timezone: WABA.timezone, from, to, phones: [...WABA.phones] };
  const pricing = pricingSeries(series);
  let fake: FakeMetaServer;
  let connector: ConnectorProcess;
  let opts: ConnectorOptions;

  beforeAll(async () => {
    fake = await startFakeMetaServer({
      wabas: [
        {
          id: WABA.id,
          token: secrets.metaToken,
          currency: 'USD',
          phoneNumbers: WABA.phones.map((id) => ({ id, display: `1555${id.slice(-7)}` })),
          pricing,
          calls: callSeries(series),
          conversations: [],
        },
      ],
      channels: [],
    });
    const config = writeConnectorConfig(dir, pullConfigExtras(fake.graphBaseUrl, 8));
    opts = { db, config, env: secretEnv(secrets) };
  });

  afterAll(async () => {
    destroyRawAgent();
    await connector?.stop();
    await fake?.close();
  });

  /** Polls /health and /metrics until `done` holds, recording what the pricing pull showed. */
  async function observeUntil(
    done: (pull: { status: string; lastSuccessAt: number | null }) => boolean,
    deadlineMs: number,
  ): Promise<Observed> {
    const seen: Observed = { statuses: new Set(), lastErrors: new Set(), upValues: new Set(), failureReasons: new Map() };
    const until = Date.now() + deadlineMs;
    for (let i = 0; ; i++) {
      const health = JSON.parse((await rawRequest(connector.url, { path: '/health' })).text) as {
        pulls: { wabaId: string; source: string; status: string; lastError: string | null; lastSuccessAt: number | null }[];
      };
      const pull = health.pulls.find((p) => p.wabaId === WABA.id && p.source === PULL_SOURCE);
      if (pull) {
        seen.statuses.add(pull.status);
        if (pull.lastError) seen.lastErrors.add(pull.lastError);
      }
      if (i % 5 === 0 || (pull && done(pull))) {
        const metrics = (await rawRequest(connector.url, { path: '/metrics' })).text;
        for (const m of metrics.matchAll(/^waspend_pull_up\{([^}]*)\} (\d+)/gm))
          if (m[1]?.includes(`waba="${WABA.id}"`) && m[1].includes(`source="${PULL_SOURCE}"`)) seen.upValues.add(Number(m[2]));
        for (const m of metrics.matchAll(/^waspend_pull_failures_total\{([^}]*)\} (\d+)/gm)) {
          const reason = /reason="([^"]+)"/.exec(m[1] ?? '')?.[1];
          if (reason && m[1]?.includes(`waba="${WABA.id}"`))
            seen.failureReasons.set(reason, Math.max(seen.failureReasons.get(reason) ?? 0, Number(m[2])));
        }
      }
      if (pull && done(pull)) return seen;
      if (Date.now() > until) throw new Error(`pull did not reach the expected state within ${deadlineMs} ms: ${JSON.stringify(pull)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function storedDays(): Promise<Map<string, number>> {
    return metaDailyTotals(connector.url, secrets.apiToken, WABA.id, from, to);
  }

  test('429, 500, hang, truncated JSON and resets: failing in /health and /metrics, then complete days once', async () => {
    // Three in a row exhaust the per-request retries (maxAttempts 3), so each kind fails a whole run.
    for (const kind of ['rate_limit', 'server_error', 'truncated', 'hang', 'reset'] as const) {
      fake.fail({ kind, times: 3, match: 'pricing_analytics', ...(kind === 'rate_limit' ? { retryAfterSec: 1 } : {}) });
    }
    const t0 = Date.now();
    connector = await startConnector(opts);
    const seen = await observeUntil((p) => fake.pendingFaults() === 0 && p.status === 'ok' && (p.lastSuccessAt ?? 0) > t0, 120_000);
    const recoveredMs = Date.now() - t0;
    const days = await storedDays();
    const expected = new Map(Array.from({ length: 8 }, (_, i) => addDays(from, i)).map((d) => [d, totalVolume(pricing, d)]));

    // A scheduled re-pull (intervalMs) must change nothing.
    const firstSuccess = Date.now();
    await observeUntil((p) => (p.lastSuccessAt ?? 0) > firstSuccess, 30_000);
    const afterRepull = await storedDays();
    recordFigures('pull-faults', {
      faultsPlayed: fake.requests.filter((r) => r.fault).length,
      requests: fake.requests.length,
      recoveredMs,
      statusesSeen: [...seen.statuses],
      failureReasons: Object.fromEntries(seen.failureReasons),
      upValuesSeen: [...seen.upValues],
      days: expected.size,
      daysStored: days.size,
      daysMatching: [...expected].filter(([d, v]) => days.get(d) === v).length,
      repullUnchanged: JSON.stringify([...afterRepull]) === JSON.stringify([...days]),
    });
    expect(seen.statuses).toContain('failing');
    expect(seen.lastErrors.size).toBeGreaterThan(0);
    expect([...seen.failureReasons.keys()].sort()).toEqual(
      expect.arrayContaining(['bad_response', 'network', 'rate_limited', 'server_error', 'timeout']),
    );
    expect(seen.upValues).toContain(0);
    expect(Object.fromEntries(days)).toEqual(Object.fromEntries(expected));
    expect(Object.fromEntries(afterRepull)).toEqual(Object.fromEntries(expected));
  });

  test('an expired token parks the puller (auth) until a restart, then it resumes with the same days', async () => {
    const before = await storedDays();
    fake.fail({ kind: 'expired_token', times: 1, match: 'pricing_analytics' });
    await connector.stop();
    const t0 = Date.now();
    connector = await restartConnector(connector, opts);
    const parked = await observeUntil((p) => p.status === 'failing', 30_000);
    expect(parked.failureReasons.get('auth') ?? 0).toBeGreaterThan(0);
    expect([...parked.lastErrors].join(' ')).not.toContain(secrets.metaToken);
    await connector.stop();
    connector = await restartConnector(connector, opts);
    await observeUntil((p) => p.status === 'ok' && (p.lastSuccessAt ?? 0) > t0, 60_000);
    expect(Object.fromEntries(await storedDays())).toEqual(Object.fromEntries(before));
    expect(connector.logs()).not.toContain(secrets.metaToken);
  });
});
