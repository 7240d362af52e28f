/**
 * Replicas: two connector processes on one PostgreSQL database receive the same webhooks at the
 * same time (a retry storm: every body goes to both, and the sender re-sends 10% again), and every
 * event is still stored and counted once. Size: WASPEND_REPLICA_EVENTS (default 20,000).
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCli, startConnector, type ConnectorProcess } from '../helpers/connector-harness';
import { makeSecrets, makeTempDir, secretEnv, writeConnectorConfig } from '../helpers/reliability-config';
import { recordFigures } from '../helpers/reliability-figures';
import { startSender, writeBodies } from '../helpers/sender-process';
import { compareStored, countRawEvents, healthEventCount, readStoredStatuses } from '../helpers/store-inspector';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { requirePrerequisite } from '../helpers/prerequisites';
import { buildStatusEvents, expectedTotals, statusBodies } from '../helpers/webhook-envelopes';
import { reportTotals, shuffleSeeded } from './report-totals';

const N = Number(process.env.WASPEND_REPLICA_EVENTS ?? 20_000);
const SEED = 7_301;
const postgres = requirePrerequisite('PostgreSQL');

postgres.describe('replicas: two connectors on one PostgreSQL under a retry storm', () => {
  const dir = makeTempDir('replicas');
  const secrets = makeSecrets('replica');
  let db: TestDatabase;
  const replicas: ConnectorProcess[] = [];

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test(`${N} status events, each posted to both replicas: every event counted once`, async () => {
    db = await createTestDatabase('waspend_replicas');
    const config = writeConnectorConfig(dir);
    const opts = { db: db.url, config, env: secretEnv(secrets) };
    // Start one first so schema migrations run once, then the second against the migrated store.
    replicas.push(await startConnector(opts));
    replicas.push(await startConnector(opts));
    const events = buildStatusEvents(SEED, N, 'P');
    const bodiesFile = path.join(dir, 'bodies.ndjson');
    writeBodies(bodiesFile, shuffleSeeded(statusBodies(events), SEED));
    const sender = startSender(path.join(dir, 'plan.json'), {
      urls: replicas.map((r) => r.url),
      secret: secrets.appSecret,
      bodiesFile,
      concurrency: 24,
      resendFraction: 0.1,
      seed: SEED,
      deadlineMs: 240_000,
      duplicateToAll: true,
    });
    const stats = await sender.done;
    const check = compareStored(
      await readStoredStatuses(db.url),
      events.map((e) => `${e.wamid}|${e.status}`),
    );
    const rawEvents = await countRawEvents(db.url);
    // Each replica's probe reads the one row both replicas' ingest transactions added to.
    const healthEvents = await Promise.all(replicas.map((r) => healthEventCount(r.url)));
    await Promise.all(replicas.map((r) => r.stop()));
    const report = await runCli(
      [
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
        db.url,
      ],
      secretEnv(secrets),
    );
    const totals = reportTotals(report);
    const truth = expectedTotals(events);
    recordFigures('replicas', {
      store: 'postgres',
      replicas: 2,
      eventsSent: N,
      posts: stats.posts,
      acknowledged: stats.acked,
      resent: stats.resent,
      errors5xx: stats.errors5xx,
      rejected4xx: stats.rejected4xx,
      stored: check.stored,
      rawEvents,
      healthEvents,
      duplicates: check.duplicates,
      lost: check.lost,
      expectedMessages: truth.messages,
      reportMessages: totals.messages,
      expectedBillable: truth.billable,
      reportBillable: totals.billable,
      elapsedMs: stats.elapsedMs,
    });
    expect(stats).toMatchObject({ unacked: 0, rejected4xx: 0, errors5xx: 0 });
    expect(check).toMatchObject({ lost: 0, duplicates: 0, unexpected: 0 });
    if (rawEvents !== null) expect(rawEvents).toBe(events.length);
    expect(healthEvents).toEqual([events.length, events.length]);
    expect({ messages: totals.messages, billable: totals.billable }).toEqual(truth);
  });
});
