/**
 * Bad input: property-based fuzzing (fast-check) of POST /webhooks/whatsapp and the /api/v1 query
 * API against the real connector process. Every answer is 2xx or 4xx (4xx with a JSON `message`,
 * and `field` for a well-formed JSON body the schema rejects), the process stays up, its RSS stays
 * bounded, and the totals of valid data posted before are unchanged.
 * Sizes: WASPEND_FUZZ_WEBHOOK_RUNS (default 7,000) + WASPEND_FUZZ_QUERY_RUNS (default 4,000).
 */
import fc from 'fast-check';
import path from 'node:path';
import { API_ENDPOINTS } from '../helpers/api-endpoints';
import { readRssKb, runCli, startConnector, type ConnectorProcess } from '../helpers/connector-harness';
import { webhookBodyArb, queryStringArb } from '../helpers/fuzz-bodies';
import { destroyRawAgent, parseErrorBody, rawRequest, type RawResponse } from '../helpers/raw-http';
import { makeSecrets, makeTempDir, secretEnv, writeConnectorConfig } from '../helpers/reliability-config';
import { recordFigures } from '../helpers/reliability-figures';
import { compareStored, readStoredStatuses } from '../helpers/store-inspector';
import { buildStatusEvents, signBody, statusBodies } from '../helpers/webhook-envelopes';
import { reportTotals } from './report-totals';

const WEBHOOK_RUNS = Number(process.env.WASPEND_FUZZ_WEBHOOK_RUNS ?? 7_000);
const QUERY_RUNS = Number(process.env.WASPEND_FUZZ_QUERY_RUNS ?? 4_000);
/** RSS may grow by at most this much over the run (MiB). */
const RSS_GROWTH_LIMIT_MB = Number(process.env.WASPEND_FUZZ_RSS_LIMIT_MB ?? 256);
const SEED = Number(process.env.WASPEND_FUZZ_SEED ?? 424242);
describe('bad input: fuzzed webhooks and queries never crash the connector', () => {
  const dir = makeTempDir('fuzz');
  const secrets = makeSecrets('fuzz');
  const config = writeConnectorConfig(dir);
  const db = `sqlite:${path.join(dir, 'store.sqlite')}`;
  const valid = buildStatusEvents(SEED, 2_000, 'F');
  const reportArgs = [
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
  let connector: ConnectorProcess;
  let rssStartKb = 0;
  let rssPeakKb = 0;
  let sampler: NodeJS.Timeout | undefined;
  const statuses = new Map<number, number>();
  let withField = 0;
  let tried = 0;

  beforeAll(async () => {
    connector = await startConnector({ db, config, env: secretEnv(secrets) });
    for (const body of statusBodies(valid)) {
      const res = await rawRequest(connector.url, {
        method: 'POST',
        path: '/webhooks/whatsapp',
        body,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(secrets.appSecret, body) },
      });
      if (res.status !== 200) throw new Error(`valid webhook refused: ${res.status} ${res.text}`);
    }
    rssStartKb = readRssKb(connector.pid)?.rssKb ?? 0;
    sampler = setInterval(() => {
      const r = readRssKb(connector.pid);
      if (r) rssPeakKb = Math.max(rssPeakKb, r.rssKb);
    }, 100);
  });

  afterAll(async () => {
    clearInterval(sampler);
    destroyRawAgent();
    await connector?.stop();
  });

  function checkAnswer(res: RawResponse, jsonBody: boolean): void {
    tried++;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 500 || res.status < 200 || (res.status >= 300 && res.status < 400)) {
      throw new Error(`answered ${res.status}: ${res.text.slice(0, 300)}`);
    }
    if (res.status >= 400) {
      const err = parseErrorBody(res.text);
      if (!err) throw new Error(`${res.status} without a JSON error message: ${res.text.slice(0, 300)}`);
      if (typeof err.field === 'string') withField++;
      else if (jsonBody && res.status === 400)
        throw new Error(`400 for a JSON body without the offending field: ${res.text.slice(0, 300)}`);
    }
  }

  test(`${WEBHOOK_RUNS} fuzzed webhook bodies answer 2xx/4xx with a clear message`, async () => {
    await fc.assert(
      fc.asyncProperty(webhookBodyArb, async (body) => {
        const res = await rawRequest(connector.url, {
          method: 'POST',
          path: '/webhooks/whatsapp',
          body,
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(secrets.appSecret, body) },
        });
        let isJsonObject: boolean;
        try {
          const parsed = JSON.parse(body) as unknown;
          isJsonObject = typeof parsed === 'object' && parsed !== null && body.length < 900_000;
        } catch {
          isJsonObject = false;
        }
        checkAnswer(res, isJsonObject && res.status === 400 && !/depth|nest/i.test(res.text));
      }),
      { numRuns: WEBHOOK_RUNS, seed: SEED, endOnFailure: true },
    );
    expect(connector.isRunning()).toBe(true);
  });

  test(`${QUERY_RUNS} fuzzed query strings over every /api/v1 endpoint answer 2xx/4xx`, async () => {
    const endpoints = API_ENDPOINTS.map((e) => e.path);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints), queryStringArb, async (p, qs) => {
        const res = await rawRequest(connector.url, { path: `${p}?${qs}`, headers: { authorization: `Bearer ${secrets.apiToken}` } });
        checkAnswer(res, false);
      }),
      { numRuns: QUERY_RUNS, seed: SEED + 1, endOnFailure: true },
    );
    expect(connector.isRunning()).toBe(true);
  });

  test('afterwards: still up, memory bounded, the valid data unchanged', async () => {
    const health = await rawRequest(connector.url, { path: '/health' });
    expect(health.status).toBe(200);
    const check = compareStored(
      await readStoredStatuses(db),
      valid.map((e) => `${e.wamid}|${e.status}`),
    );
    const before = reportTotals(await runCli(reportArgs, secretEnv(secrets)));
    // The same totals from a store that received only the valid data: re-post it to a fresh one.
    const cleanDir = makeTempDir('fuzz-clean');
    const cleanDb = `sqlite:${path.join(cleanDir, 'store.sqlite')}`;
    const clean = await startConnector({ db: cleanDb, config, env: secretEnv(secrets) });
    for (const body of statusBodies(valid)) {
      await rawRequest(clean.url, {
        method: 'POST',
        path: '/webhooks/whatsapp',
        body,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(secrets.appSecret, body) },
      });
    }
    await clean.stop();
    const expected = reportTotals(await runCli([...reportArgs.slice(0, -2), '--db', cleanDb], secretEnv(secrets)));
    const rssEndKb = readRssKb(connector.pid)?.rssKb ?? 0;
    recordFigures('bad-input', {
      fuzzCasesTried: tried,
      webhookRuns: WEBHOOK_RUNS,
      queryRuns: QUERY_RUNS,
      seed: SEED,
      statusCounts: Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])),
      errorsWithField: withField,
      rssStartMb: Math.round(rssStartKb / 1024),
      rssPeakMb: Math.round(rssPeakKb / 1024),
      rssEndMb: Math.round(rssEndKb / 1024),
      validEvents: valid.length,
      validLost: check.lost,
      validDuplicates: check.duplicates,
      totals: before,
      totalsExpected: expected,
    });
    expect(tried).toBeGreaterThanOrEqual(WEBHOOK_RUNS + QUERY_RUNS);
    expect(check).toMatchObject({ lost: 0, duplicates: 0 });
    expect(before).toEqual(expected);
    expect(rssPeakKb - rssStartKb).toBeLessThan(RSS_GROWTH_LIMIT_MB * 1024);
  });
});
