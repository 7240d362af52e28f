/**
 * Crash safety: a separate sender process posts a burst of >= 50,000 status webhooks; the connector
 * is killed with SIGKILL at a seeded random point, restarted on the same store, and the sender
 * retries everything not acknowledged and re-sends 10% of what was. Afterwards every event is
 * stored exactly once and `waspend report` equals the report of an uninterrupted run.
 * Sizes: WASPEND_CRASH_EVENTS (default 50,000), WASPEND_CRASH_KILLS (default 3) per store kind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { restartConnector, runCli, startConnector, type ConnectorOptions } from '../helpers/connector-harness';
import { makeSecrets, makeTempDir, secretEnv, writeConnectorConfig } from '../helpers/reliability-config';
import { recordFigures } from '../helpers/reliability-figures';
import { startSender, writeBodies, type SenderStats } from '../helpers/sender-process';
import { compareStored, countRawEvents, healthEventCount, readStoredStatuses } from '../helpers/store-inspector';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { requirePrerequisite } from '../helpers/prerequisites';
import { buildStatusEvents, expectedTotals, seededRandom, statusBodies } from '../helpers/webhook-envelopes';
import { reportTotals, shuffleSeeded } from './report-totals';

const N = Number(process.env.WASPEND_CRASH_EVENTS ?? 50_000);
const KILLS = Number(process.env.WASPEND_CRASH_KILLS ?? 3);
const SEED = Number(process.env.WASPEND_CRASH_SEED ?? 20261122);
const CONCURRENCY = 32;

const events = buildStatusEvents(SEED, N, 'C');
const bodies = shuffleSeeded(statusBodies(events), SEED + 1);
const keys = events.map((e) => `${e.wamid}|${e.status}`);
const truth = expectedTotals(events);
const secrets = makeSecrets('crash');
const dir = makeTempDir('crash');
const config = writeConnectorConfig(dir);
const bodiesFile = path.join(dir, 'bodies.ndjson');
writeBodies(bodiesFile, bodies);

interface RunResult {
  sender: SenderStats;
  killAt: number | null;
  report: string;
  totals: { messages: number; billable: number; cost: string };
  check: ReturnType<typeof compareStored>;
  rawEvents: number | null;
  /** /health's store.events from the connector that ran last (the restarted one after a kill). */
  healthEvents: number;
  restartMs: number | null;
}

async function runOnce(db: string, label: string, killAt: number | null): Promise<RunResult> {
  const opts: ConnectorOptions = { db, config, env: secretEnv(secrets) };
  let connector = await startConnector(opts);
  let killing: Promise<void> | null = null;
  let restartMs: number | null = null;
  const sender = startSender(
    path.join(dir, `plan-${label}.json`),
    {
      urls: [connector.url],
      secret: secrets.appSecret,
      bodiesFile,
      concurrency: CONCURRENCY,
      resendFraction: 0.1,
      seed: SEED + (killAt ?? 0),
      deadlineMs: 240_000,
      progressEvery: 250,
    },
    (acked) => {
      if (killAt === null || killing || acked < killAt) return;
      killing = (async () => {
        await connector.kill9();
        sender.markKilled();
        const t0 = Date.now();
        connector = await restartConnector(connector, opts);
        restartMs = Date.now() - t0;
      })();
    },
  );
  const stats = await sender.done;
  if (killing) await killing;
  const stored = await readStoredStatuses(db);
  const check = compareStored(stored, keys);
  const rawEvents = await countRawEvents(db);
  const healthEvents = await healthEventCount(connector.url);
  await connector.stop();
  const report = await runCli(
    [
      'report',
      '--from',
      '2026-09-30',
      '--to',
      '2026-10-16',
      '--by',
      'day,category,pricing_type,waba',
      '--format',
      'json',
      '--config',
      config,
      '--db',
      db,
    ],
    secretEnv(secrets),
  );
  return { sender: stats, killAt, report, totals: reportTotals(report), check, rawEvents, healthEvents, restartMs };
}

async function exercise(
  kind: 'sqlite' | 'postgres',
  makeDb: (label: string) => Promise<{ db: string; drop(): Promise<void> }>,
): Promise<void> {
  const rand = seededRandom(SEED + (kind === 'sqlite' ? 1 : 2));
  const baselineDb = await makeDb('base');
  const baseline = await runOnce(baselineDb.db, `${kind}-base`, null);
  await baselineDb.drop();
  expect(baseline.check).toMatchObject({ lost: 0, duplicates: 0, unexpected: 0 });
  expect(baseline.healthEvents).toBe(keys.length);
  expect(baseline.totals.messages).toBe(truth.messages);
  expect(baseline.totals.billable).toBe(truth.billable);
  for (let k = 0; k < KILLS; k++) {
    const killAt = Math.floor(N * (0.1 + 0.8 * rand()));
    const store = await makeDb(`k${k}`);
    const run = await runOnce(store.db, `${kind}-k${k}`, killAt);
    await store.drop();
    recordFigures(`crash-safety-${kind}-${k}`, {
      store: kind,
      seed: SEED,
      killAtAcked: killAt,
      ackedBeforeKill: run.sender.ackedBeforeKill,
      restartMs: run.restartMs,
      eventsSent: run.sender.bodies,
      posts: run.sender.posts,
      acknowledged: run.sender.acked,
      resent: run.sender.resent,
      retried: run.sender.retried,
      networkErrors: run.sender.networkErrors,
      errors5xx: run.sender.errors5xx,
      rejected4xx: run.sender.rejected4xx,
      stored: run.check.stored,
      rawEvents: run.rawEvents,
      healthEvents: run.healthEvents,
      duplicates: run.check.duplicates,
      lost: run.check.lost,
      unexpected: run.check.unexpected,
      reportEqualsUninterrupted: run.report === baseline.report,
      totals: run.totals,
      elapsedMs: run.sender.elapsedMs,
    });
    expect(run.sender.ackedBeforeKill).not.toBeNull();
    expect(run.sender).toMatchObject({ unacked: 0, rejected4xx: 0 });
    expect(run.check).toMatchObject({ lost: 0, duplicates: 0, unexpected: 0, lostSample: [] });
    // Raw events are append-only with a unique dedupe key: one row per distinct event, whatever was re-sent.
    if (run.rawEvents !== null) expect(run.rawEvents).toBe(keys.length);
    // /health's count is kept in the ingest transactions, so a kill -9 between commits leaves it exact too.
    expect(run.healthEvents).toBe(keys.length);
    expect(run.totals).toEqual(baseline.totals);
    expect(JSON.parse(run.report)).toEqual(JSON.parse(baseline.report));
  }
}

const postgres = requirePrerequisite('PostgreSQL');

describe(`crash safety: kill -9 during a burst of ${N} status webhooks`, () => {
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test(`SQLite: ${KILLS} kill points, every acknowledged event stored once, report equals the uninterrupted run`, async () => {
    await exercise('sqlite', async (label) => {
      const file = path.join(dir, `store-${label}.sqlite`);
      return { db: `sqlite:${file}`, drop: async () => ['', '-wal', '-shm'].forEach((s) => fs.rmSync(file + s, { force: true })) };
    });
  });

  postgres.test(`PostgreSQL: ${KILLS} kill points, every acknowledged event stored once, report equals the uninterrupted run`, async () => {
    await exercise('postgres', async () => {
      const db: TestDatabase = await createTestDatabase('waspend_crash');
      return { db: db.url, drop: () => db.drop() };
    });
  });
});
