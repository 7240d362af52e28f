/**
 * Query caches are invalidated by the writer's committed-write signal, not by the metrics observer
 * (issue 13 item 3): with the ingest metrics replaced by an observer that does nothing, a webhook
 * committed after a query still shows in the next query, on the running connector.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectorConfig } from '../config';
import { normaliseEnvelope, parseEnvelope } from '../ingest';
import { startConnector, type RunningConnector } from './connector';
import { advanceCacheClock, fakeCacheClock } from '../../../tests/helpers/cache-clock';
import { deliveredUtilityToBrazil } from '../../../tests/helpers/webhook-envelopes';
import { postAcknowledged } from '../../../tests/helpers/post-webhook';

const observed: string[] = [];
jest.mock('../metrics', () => ({
  ...jest.requireActual('../metrics'),
  // The route still calls it; it neither counts nor invalidates anything.
  registerIngestMetrics: () => ({
    committed: () => void observed.push('committed'),
    rejected: () => undefined,
    lastEventAt: () => undefined,
  }),
}));

const TOKEN = 'commit-signal-token-0123456789';
const config: ConnectorConfig = {
  apiToken: TOKEN,
  wabas: [{ id: 'W1', name: 'W1', timezone: 'UTC', currency: 'USD', portfolio: 'PF1' }],
};

const delivered = deliveredUtilityToBrazil;

/**
 * Both places a query can run: the HTTP thread (its cache clock is jest's fake one) and the query worker
 * (its cache clock is stepped through the test gate's clock cell, the worker's generation through the
 * shared cell the HTTP thread's commit signal moves).
 */
describe.each([
  ['in the HTTP thread', false],
  ['in the query worker', true],
])('cached query results after a commit, queries answered %s', (_where, inWorker) => {
  let dir: string;
  let running: RunningConnector;
  const gate = new Int32Array(new SharedArrayBuffer(16));
  const advance = (ms: number) => advanceCacheClock(gate, ms);

  const post = async (envelope: object) => {
    await postAcknowledged(running.url, envelope);
  };
  const deliveredOn10July = async () => {
    const res = await fetch(`${running.url}/api/v1/usage?from=2025-07-10&to=2025-07-10&interval=day&by=category`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: { messages: number }[] };
    return body.rows.reduce((n, r) => n + r.messages, 0);
  };

  beforeAll(async () => {
    observed.length = 0;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-commit-signal-'));
    fakeCacheClock();
    const pino = jest.requireActual<typeof import('pino')>('pino');
    running = await startConnector({
      config,
      db: `sqlite:${path.join(dir, 'w.sqlite')}`,
      host: '127.0.0.1',
      port: 0,
      pulls: false,
      logger: pino.default({ level: 'silent' }),
      queryWorker: inWorker,
      ...(inWorker ? { queryWorkerGate: gate.buffer as SharedArrayBuffer } : {}),
    });
    expect(running.queryWorker !== null).toBe(inWorker);
  });
  afterAll(async () => {
    jest.useRealTimers();
    await running?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a webhook committed after a query shows in the next query, though the metrics observer did nothing', async () => {
    await post(delivered('m1', '2025-07-10T10:00:00Z'));
    expect(await deliveredOn10July()).toBe(1); // priced and cached
    await post(delivered('m2', '2025-07-10T11:00:00Z'));
    // Past the 2 s a cached span is always reused, well inside the 15 s it is kept while nothing is committed.
    advance(3_000);
    expect(await deliveredOn10July()).toBe(2);
    expect(observed).toEqual(['committed', 'committed']);
  });

  it('without a commit through the writer the cached result is reused (the generation, not the age, is what moved)', async () => {
    await post(delivered('m1', '2025-07-10T10:00:00Z')); // a replay when the test above ran first
    advance(3_000);
    const before = await deliveredOn10July(); // priced again after that commit, and cached
    // Stored behind the writer's back, as by another replica or a CLI import: nothing is signalled.
    await running.store.ingest(normaliseEnvelope(parseEnvelope(JSON.stringify(delivered('m3', '2025-07-10T12:00:00Z'))), 0), 0);
    advance(3_000);
    expect(await deliveredOn10July()).toBe(before);
  });
});
