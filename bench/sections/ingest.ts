/** Section 1: durable webhook ingest through real HTTP on loopback, SQLite and PostgreSQL. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BENCH_TOKEN } from '../bench-config';
import { startConnector } from '../connector-process';
import { runWrk, writeWrkScript, type WrkResult } from '../load/wrk';
import type { Scale } from '../options';
import { closeWindow, openWindow } from '../proc-stats';
import { startReferenceServer } from '../reference-server';
import { log, median, round } from '../stats';
import { buildWabas } from '../webhook-bodies';

/** Issue 13's target; bench/targets.ts holds it with the rule that judges it. */
export { INGEST_TARGET } from '../targets';

export interface IngestRun {
  reqPerSec: number;
  eventsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: number;
  processCpu: number;
  /** CPU microseconds the server process spent per event (processCpu / events per second): the same work costs the same on a loaded machine, unlike the rate. */
  cpuUsPerEvent: number;
  diskWritesPerSec: number;
}

export interface IngestBackend {
  backend: string;
  statusesPerBody: number;
  connections: number;
  runs: IngestRun[];
  /** Medians over the runs. */
  reqPerSec: number;
  eventsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerEvent: number;
  /** Status events the store reports after the runs (GET /health store.events) vs statuses acknowledged. */
  storedEvents: number | null;
  acknowledgedEvents: number;
  peakRssMb: number | null;
}

export const toRun = (r: WrkResult, per: number, win: { processCpu: number; diskWritesPerSec: number }): IngestRun => ({
  reqPerSec: Math.round(r.reqPerSec),
  eventsPerSec: Math.round(r.reqPerSec * per),
  p50Ms: round(r.p50Ms),
  p99Ms: round(r.p99Ms),
  non2xx: r.non2xx,
  socketErrors: r.socketErrors,
  ...win,
  cpuUsPerEvent: r.reqPerSec > 0 ? round((win.processCpu / (r.reqPerSec * per)) * 1e6) : NaN,
});

function summarise(backend: string, per: number, connections: number, runs: IngestRun[], acknowledged: number): IngestBackend {
  return {
    backend,
    statusesPerBody: per,
    connections,
    runs,
    reqPerSec: Math.round(median(runs.map((r) => r.reqPerSec))),
    eventsPerSec: Math.round(median(runs.map((r) => r.eventsPerSec))),
    p50Ms: round(median(runs.map((r) => r.p50Ms))),
    p99Ms: round(median(runs.map((r) => r.p99Ms))),
    cpuUsPerEvent: round(median(runs.map((r) => r.cpuUsPerEvent))),
    storedEvents: null,
    acknowledgedEvents: acknowledged,
    peakRssMb: null,
  };
}

/** The store's own event count (`GET /health` → `store.events`), null when the connector cannot say. */
export async function storedEvents(url: string): Promise<number | null> {
  try {
    const body = (await (await fetch(`${url}/health`)).json()) as { store?: { events?: number } };
    return typeof body.store?.events === 'number' ? body.store.events : null;
  } catch {
    return null;
  }
}

/** Warm-up, then `runs` measured wrk runs against one server; returns the measured runs. */
async function drive(
  url: string,
  pid: number,
  script: string,
  per: number,
  scale: Scale,
  label: string,
): Promise<{ runs: IngestRun[]; acked: number }> {
  const webhook = `${url}/webhooks/whatsapp`;
  let acked = 0;
  if (scale.ingestWarmupSeconds > 0) {
    const w = await runWrk(webhook, script, { seconds: scale.ingestWarmupSeconds, connections: scale.connections, runId: `${label}w` });
    acked += (w.requests - w.non2xx) * per;
  }
  const runs: IngestRun[] = [];
  for (let i = 0; i < scale.ingestRuns; i++) {
    const win = openWindow(pid);
    const r = await runWrk(webhook, script, { seconds: scale.ingestSeconds, connections: scale.connections, runId: `${label}r${i}` });
    acked += (r.requests - r.non2xx) * per;
    runs.push(toRun(r, per, closeWindow(pid, win)));
    log(
      `  ${label} run ${i + 1}: ${Math.round(r.reqPerSec)} req/s x ${per} = ${Math.round(r.reqPerSec * per)} events/s, p50 ${round(r.p50Ms)} ms, p99 ${round(r.p99Ms)} ms, non-2xx ${r.non2xx}`,
    );
  }
  return { runs, acked };
}

export async function measureBackend(
  db: string,
  backend: string,
  config: string,
  dir: string,
  scale: Scale,
  perBodies: number[],
): Promise<IngestBackend[]> {
  const waba = buildWabas(scale.phones)[0]!;
  const conn = await startConnector({ db, config, token: BENCH_TOKEN });
  const results: IngestBackend[] = [];
  try {
    for (const per of perBodies) {
      const script = writeWrkScript(dir, { wabaId: waba.id, phone: waba.phones[0]!, statusesPerBody: per, path: '/webhooks/whatsapp' });
      const { runs, acked } = await drive(conn.url, conn.pid, script, per, scale, `${backend} ${per}/body`);
      results.push(summarise(backend, per, scale.connections, runs, acked));
    }
    const stored = await storedEvents(conn.url);
    for (const r of results) r.storedEvents = stored;
  } finally {
    const peak = await conn.stop();
    for (const r of results) r.peakRssMb = peak;
  }
  return results;
}

/** The bare node:http ceiling on this machine, measured with the same wrk script. */
export async function measureCeiling(dir: string, scale: Scale): Promise<IngestBackend> {
  const waba = buildWabas(scale.phones)[0]!;
  const ref = await startReferenceServer();
  try {
    const script = writeWrkScript(dir, { wabaId: waba.id, phone: waba.phones[0]!, statusesPerBody: 1, path: '/webhooks/whatsapp' });
    const { runs, acked } = await drive(ref.url, ref.pid, script, 1, { ...scale, ingestRuns: 1 }, 'bare node:http');
    return summarise('bare node:http, JSON.parse, no storage', 1, scale.connections, runs, acked);
  } finally {
    await ref.stop();
  }
}

/** How long one durable commit takes on this disk now: SQLite in WAL mode with synchronous=FULL, as the connector commits. */
export interface CommitFloor {
  commits: number;
  medianMs: number;
  p99Ms: number;
}

/**
 * Times `commits` single-row commits (a 600-byte row, about one raw status event) in WAL mode with
 * synchronous=FULL in `dir` (the store's directory): each waits for an fsync of the WAL, the floor
 * under every group commit of the connector, whatever the code does.
 */
export function measureCommitFloor(dir: string, commits = 200): CommitFloor {
  const file = path.join(dir, 'commit-floor.sqlite');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const body = 'x'.repeat(600);
    const ms: number[] = [];
    for (let i = 0; i < commits; i++) {
      const t0 = process.hrtime.bigint();
      insert.run(body); // autocommit: one transaction, one WAL fsync
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    ms.sort((a, b) => a - b);
    return {
      commits,
      medianMs: round(median(ms), 3),
      p99Ms: round(ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.99) - 1)] as number, 3),
    };
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  }
}

/**
 * What one FULL-sync commit per group allows: wrk keeps `connections` requests in flight and each
 * waits for its own commit, and commits are serial (one SQLite writer), so however cheap the code,
 * at most `connections` bodies are acknowledged per commit: `connections / commit time` bodies per
 * second is the most this disk allows at that concurrency. Null when no commit time was measured.
 */
export function commitBound(floor: CommitFloor, connections: number, statusesPerBody: number): number | null {
  return floor.medianMs > 0 ? Math.round(((connections * 1000) / floor.medianMs) * statusesPerBody) : null;
}

export const sqliteUrl = (dir: string, name: string) => `sqlite:${path.join(dir, name)}`;

/**
 * What X-Hub-Signature-256 verification adds per request (HMAC-SHA256 of the raw body plus a
 * timing-safe compare), which the wrk runs leave out because wrk cannot sign its bodies.
 */
export function measureHmacUs(bodyBytes = 600, reps = 50_000): number {
  const body = Buffer.alloc(bodyBytes, 'x');
  const secret = 'bench-app-secret';
  const expected = crypto.createHmac('sha256', secret).update(body).digest();
  const t0 = process.hrtime.bigint();
  let ok = 0;
  for (let i = 0; i < reps; i++) {
    const got = crypto.createHmac('sha256', secret).update(body).digest();
    if (crypto.timingSafeEqual(got, expected)) ok++;
  }
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / reps;
  return ok === reps ? round(us, 2) : NaN;
}
