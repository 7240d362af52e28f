/**
 * Security: webhook signatures, API tokens, secrets in logs/errors/metrics, body-size limit,
 * slow-request timeouts, injection strings in every /api/v1 filter, and (static checks) the
 * constant-time comparisons and the plugin's single network path.
 */
import net from 'node:net';
import path from 'node:path';
import { API_ENDPOINTS } from '../helpers/api-endpoints';
import { runCli, startConnector, type ConnectorProcess } from '../helpers/connector-harness';
import { destroyRawAgent, parseErrorBody, rawRequest, type RawResponse } from '../helpers/raw-http';
import { makeSecrets, makeTempDir, secretEnv, writeConnectorConfig } from '../helpers/reliability-config';
import { recordFigures } from '../helpers/reliability-figures';
import { readStoredStatuses } from '../helpers/store-inspector';
import { buildStatusEvents, signBody, statusBodies, statusEnvelope } from '../helpers/webhook-envelopes';
import { reportTotals } from './report-totals';
import { SECURITY_SETTINGS, securityConfigExtras } from './security-settings';
import { pullConfigExtras } from './pull-settings';
import { startFakeMetaServer, type FakeMetaServer } from '../fakes/meta-server';
import { pricingSeries } from '../fakes/pull-test-kit';
import { addDays, localDay } from '@core';
import { RELIABILITY_WABAS } from '../helpers/webhook-envelopes';

export const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE events; --",
  '1; DELETE FROM status_events',
  '" OR ""="',
  "1' UNION SELECT name, sql FROM sqlite_master --",
  "') OR 1=1 --",
  "%' --",
  '1 OR 1=1',
  "'||(SELECT pg_sleep(5))||'",
  '$1',
  '?',
  "\\'; --",
  "marketing' OR category IS NOT NULL --",
  '\u0000',
];

describe('security', () => {
  const dir = makeTempDir('security');
  const secrets = makeSecrets('sec');
  let config = '';
  let fake: FakeMetaServer;
  const db = `sqlite:${path.join(dir, 'store.sqlite')}`;
  const reportArgs = () => [
    'report',
    '--from',
    '2026-09-30',
    '--to',
    '2026-10-16',
    '--by',
    'day,category,waba',
    '--format',
    'json',
    '--config',
    config,
    '--db',
    db,
  ];
  const answers: RawResponse[] = [];
  const figures: Record<string, unknown> = {};
  let connector: ConnectorProcess;

  async function req(opts: Parameters<typeof rawRequest>[1]): Promise<RawResponse> {
    const res = await rawRequest(connector.url, opts);
    answers.push(res);
    return res;
  }

  async function postWebhook(body: string, signature: string | null): Promise<RawResponse> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    return req({ method: 'POST', path: '/webhooks/whatsapp', body, headers });
  }

  beforeAll(async () => {
    // The Meta puller runs too, against a fake that pages (paging.next embeds access_token, as
    // Meta's does) and fails some requests, so token-bearing URLs pass through the error paths.
    const waba = RELIABILITY_WABAS[0];
    const today = localDay(Date.now(), waba.timezone);
    fake = await startFakeMetaServer(
      {
        wabas: [
          {
            id: waba.id,
            token: secrets.metaToken,
            currency: 'USD',
            phoneNumbers: waba.phones.map((id) => ({ id, display: id })),
            pricing: pricingSeries({ timezone: waba.timezone, from: addDays(today, -3), to: addDays(today, -1), phones: [...waba.phones] }),
            calls: [],
            conversations: [],
          },
        ],
        channels: [],
      },
      { pageSize: 2 },
    );
    fake.fail({ kind: 'server_error', times: 2, match: 'pricing_analytics' });
    fake.fail({ kind: 'truncated', times: 1, match: 'after=' });
    fake.fail({ kind: 'expired_token', times: 1, match: 'call_analytics' });
    const pulls = pullConfigExtras(fake.graphBaseUrl, 3);
    const sec = securityConfigExtras();
    config = writeConnectorConfig(dir, { ...pulls, ...sec });
    connector = await startConnector({ db, config, env: secretEnv(secrets) });
    for (const body of statusBodies(buildStatusEvents(11, 500, 'S'))) {
      const res = await postWebhook(body, signBody(secrets.appSecret, body));
      if (res.status !== 200) throw new Error(`valid webhook refused: ${res.status} ${res.text}`);
    }
  });

  afterAll(async () => {
    destroyRawAgent();
    await connector?.stop();
    await fake?.close();
  });

  test('a missing or wrong X-Hub-Signature-256 gets 401 and nothing is stored', async () => {
    const events = buildStatusEvents(12, 40, 'BADSIG');
    const bodies = events.map((e) => JSON.stringify(statusEnvelope([e])));
    const sig = (b: string) => signBody(secrets.appSecret, b);
    const forgeries: [string, (b: string) => string | null][] = [
      ['missing', () => null],
      ['empty', () => ''],
      ['wrong secret', (b) => signBody('not-the-secret', b)],
      ['other body', (b) => sig(`${b} `)],
      ['no prefix', (b) => sig(b).slice('sha256='.length)],
      ['sha1 prefix', (b) => `sha1=${sig(b).slice(7)}`],
      ['truncated', (b) => sig(b).slice(0, 40)],
      ['one hex digit off', (b) => sig(b).slice(0, -1) + (sig(b).endsWith('0') ? '1' : '0')],
      ['not hex', () => `sha256=${'z'.repeat(64)}`],
      ['doubled', (b) => `${sig(b)},${sig(b)}`],
    ];
    for (let i = 0; i < bodies.length; i++) {
      const body = bodies[i] as string;
      const [, forge] = forgeries[i % forgeries.length] as [string, (b: string) => string | null];
      const res = await postWebhook(body, forge(body));
      expect(res.status).toBe(401);
      expect(parseErrorBody(res.text)).not.toBeNull();
    }
    // Signed over the raw bytes: the same JSON re-serialised differently must not pass.
    const body = bodies[0] as string;
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    expect((await postWebhook(pretty, sig(body))).status).toBe(401);
    const stored = await readStoredStatuses(db);
    const leaked = events.filter((e) => stored.counts.has(`${e.wamid}|${e.status}`));
    figures.forgedWebhooks = bodies.length + 1;
    figures.forgedStored = leaked.length;
    expect(leaked).toEqual([]);
  });

  test('the query API answers 401 without the token or with a wrong one, on every endpoint', async () => {
    const wrong = [
      null,
      '',
      `Bearer ${secrets.apiToken}x`,
      `Bearer ${secrets.apiToken.slice(0, -1)}`,
      `Basic ${Buffer.from(`u:${secrets.apiToken}`).toString('base64')}`,
      secrets.apiToken,
      'Bearer ',
      `bearer  ${secrets.apiToken} extra`,
    ];
    let checked = 0;
    for (const e of API_ENDPOINTS) {
      for (const auth of wrong) {
        const res = await req({ path: `${e.path}?${e.valid}`, headers: auth === null ? {} : { authorization: auth } });
        expect({ path: e.path, auth: auth === null ? 'none' : 'wrong', status: res.status }).toEqual({
          path: e.path,
          auth: auth === null ? 'none' : 'wrong',
          status: 401,
        });
        checked++;
      }
      const ok = await req({ path: `${e.path}?${e.valid}`, headers: { authorization: `Bearer ${secrets.apiToken}` } });
      expect({ path: e.path, status: ok.status }).toEqual({ path: e.path, status: 200 });
    }
    figures.unauthorisedQueries = checked;
  });

  test('injection strings in every filter of every endpoint answer 200/400 and change no data', async () => {
    const before = reportTotals(await runCli(reportArgs(), secretEnv(secrets)));
    const storedBefore = (await readStoredStatuses(db)).rows;
    let tried = 0;
    const seen = new Map<number, number>();
    for (const e of API_ENDPOINTS) {
      for (const filter of e.filters) {
        for (const inj of INJECTIONS) {
          const params = new URLSearchParams(e.valid);
          params.set(filter, inj);
          const res = await req({ path: `${e.path}?${params.toString()}`, headers: { authorization: `Bearer ${secrets.apiToken}` } });
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          expect({ path: e.path, filter, inj, ok: res.status === 200 || res.status === 400 }).toEqual({
            path: e.path,
            filter,
            inj,
            ok: true,
          });
          tried++;
        }
      }
    }
    expect((await readStoredStatuses(db)).rows).toBe(storedBefore);
    expect(reportTotals(await runCli(reportArgs(), secretEnv(secrets)))).toEqual(before);
    figures.injectionRequests = tried;
    figures.injectionStatuses = Object.fromEntries(seen);
  });

  test('bodies over the limit get 413 with a JSON message', async () => {
    const big = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [],
      pad: 'x'.repeat(SECURITY_SETTINGS.bodyLimitBytes + 1024),
    });
    const res = await postWebhook(big, signBody(secrets.appSecret, big));
    expect(res.status).toBe(413);
    expect(parseErrorBody(res.text)).not.toBeNull();
    figures.oversizeBytes = big.length;
  });

  // Silent: headers and part of the body, then nothing. Trickle: one byte every 400 ms, which an
  // idle-socket timeout alone never cuts; only a whole-request deadline does.
  test.each(['silent', 'trickle'] as const)(
    'a slowloris request (%s partial body) is cut off within the configured timeout',
    async (mode) => {
      const limitMs = SECURITY_SETTINGS.requestTimeoutMs;
      const started = Date.now();
      let trickle: NodeJS.Timeout | undefined;
      const closedAfter = await new Promise<number>((resolve, reject) => {
        const socket = net.connect(connector.port, '127.0.0.1', () => {
          socket.write(
            `POST /webhooks/whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"object":"whatsapp_`,
          );
          if (mode === 'trickle') trickle = setInterval(() => socket.writable && socket.write('x'), 400);
        });
        const deadline = setTimeout(() => {
          socket.destroy();
          reject(new Error(`${mode} request still open ${limitMs + 5000} ms after it started (request timeout ${limitMs} ms)`));
        }, limitMs + 5000);
        socket.on('data', () => undefined);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearTimeout(deadline);
          resolve(Date.now() - started);
        });
      }).finally(() => clearInterval(trickle));
      figures[`slowloris${mode === 'silent' ? 'Silent' : 'Trickle'}ClosedAfterMs`] = closedAfter;
      figures.requestTimeoutMs = limitMs;
      expect(closedAfter).toBeLessThanOrEqual(limitMs + 3000);
    },
  );

  test('no secret appears in logs, error bodies, /health or /metrics', async () => {
    // Let the puller play its faults first, so its error paths have written their logs.
    const until = Date.now() + 30_000;
    while (fake.pendingFaults() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    figures.pullRequestsSeen = fake.requests.length;
    const metrics = await req({ path: '/metrics' });
    const health = await req({ path: '/health' });
    expect(metrics.status).toBe(200);
    expect(health.status).toBeLessThan(600);
    const haystacks: [string, string][] = [
      ['connector logs', connector.logs()],
      ['response bodies and headers', answers.map((a) => a.text + JSON.stringify(a.headers)).join('\n')],
    ];
    const found: string[] = [];
    for (const [where, text] of haystacks) {
      for (const [name, secret] of Object.entries(secrets)) if (text.includes(secret)) found.push(`${name} in ${where}`);
    }
    figures.scannedLogBytes = connector.logs().length;
    figures.scannedResponses = answers.length;
    figures.secretsFound = found.length;
    recordFigures('security', figures);
    expect(found).toEqual([]);
  });
});
