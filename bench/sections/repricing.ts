/**
 * Section 5, issue 13's "re-price all 90 days after `rates import` < 60 s, ingest p99 stays < 100 ms
 * meanwhile", on the SQLite query store: the real connector (`waspend serve`, whose background
 * re-pricer keeps the priced rollups of migration 013) runs on the store; once no month is dirty, a
 * steady webhook load starts (one connection, single-status webhooks back to back, fresh messages
 * on the store's last day), then `waspend rates import` of a complete card effective from the
 * first day of the store's first month, which marks every stored month dirty in the same
 * transaction as the file. Measured from the import's commit (the CLI's exit) until the import's
 * re-pricing is done (only the load's own marks left, `onlyLoadMarksLeft`: the figure the target is
 * judged by): when each month it marked is first seen clean, when no month is dirty at all (under
 * the load, usually never: its webhooks mark their day again after every pass), and when every
 * WABA-day with usage has priced rows written after the import; the load's latencies over the same time.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { localDay } from '@core';
import { BENCH_TOKEN } from '../bench-config';
import { CLI, ROOT, startConnector, trackChild } from '../connector-process';
import { drainedRequest } from '../load/drained-request';
import { writeRateCard } from '../rate-card';
import { log, maxOf, percentile, round } from '../stats';
import { onlyLoadMarksLeft, repriceMet } from '../targets';
import { statusWebhookBody, type BenchWaba } from '../webhook-bodies';

export { REPRICE_TARGET } from '../targets';

/** How often the store is read for dirty marks (freshly priced days: every tenth time). */
const POLL_MS = 100;

export interface RepriceResult {
  engine: 'sqlite';
  messages: number;
  effective: string;
  /** Seconds until the store was clean before the import (the build's own marks), and whether it got there. */
  cleanBeforeSeconds: number;
  cleanBefore: boolean;
  importSeconds: number;
  importExitCode: number | null;
  /** The months the import marked (WABA-local months with usage on or after `effective`), per WABA. */
  monthsMarked: number;
  /**
   * Seconds from the import's commit until only the load's own marks were left (`onlyLoadMarksLeft`:
   * every month the import marked written to its end by a pass, no mark from before the load's day);
   * null if not within `capSeconds`. The target is judged by it, and the measurement ends there.
   */
  repricedSeconds: number | null;
  /** Seconds from the import's commit until no month was dirty at all; null if not seen while the load ran (its webhooks keep their month dirty). */
  seconds: number | null;
  /** Seconds until every WABA-day with usage on or after `effective` had priced rows written after the import. */
  rollupsCompleteSeconds: number | null;
  /** Per WABA and month the import marked: seconds until its mark was first gone (null: never). */
  monthCleanSeconds: Array<{ wabaId: string; month: string; seconds: number | null }>;
  /** WABA-days with usage since `effective`, and how many had priced rows written after the import when the load stopped. */
  wabaDays: number;
  wabaDaysRepriced: number;
  /** Marks left when the measurement under load ended (kinds: 1 the messages' usage, 2 the calls, 3 both). */
  stillDirty: Array<{ wabaId: string; month: string; fromDay: string; kinds: number }>;
  /** When a month was still dirty as the measurement under load ended: seconds after the load stopped until no month was (null: not within the cap). */
  cleanAfterLoadStoppedSeconds: number | null;
  capSeconds: number;
  /** The steady webhook load from the import's commit to the end of the measurement. */
  /** `day`: the WABA-local day the load's webhooks write (`wabaId`'s). */
  load: { webhooks: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null; errors: number; wabaId: string; day: string };
  outputTail: string;
}

function runImport(csv: string, effective: string, db: string, config: string): Promise<{ code: number | null; out: string }> {
  const args = [CLI, 'rates', 'import', csv, '--effective', effective, '--db', db, '--config', config];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let text = '';
    const keep = (d: Buffer) => (text = (text + d.toString()).slice(-2000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const killer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.on('error', reject);
    child.on('exit', (c) => {
      clearTimeout(killer);
      resolve({ code: c, out: text });
    });
  });
}

/** Single-status webhooks back to back on one connection until `stop()`; latencies from `since()` on. */
function steadyLoad(url: string, waba: BenchWaba, atSec: number) {
  const base = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ms: Array<{ at: number; ms: number }> = [];
  let errors = 0;
  let stopped = false;
  const post = (body: string) =>
    drainedRequest(agent, base, {
      method: 'POST',
      path: '/webhooks/whatsapp',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      body,
      timeoutMs: 60_000,
    });
  // Fresh wamids in every run: on a reused store (--reuse-store) an earlier run's would be duplicates, which write nothing.
  const run = Date.now().toString(36);
  const running = (async () => {
    for (let i = 0; !stopped; i++) {
      const body = statusWebhookBody(waba.id, waba.phones[0] as string, [
        {
          wamid: `wamid.R${run}.${i.toString(36)}`,
          status: 'delivered',
          timestampSec: atSec,
          recipient: '5511900000002',
          category: 'utility',
          group: null,
        },
      ]);
      const t0 = performance.now();
      const status = await post(body).catch(() => 0);
      ms.push({ at: t0, ms: performance.now() - t0 });
      if (status !== 200) errors++;
    }
  })();
  return {
    async stop(sinceMs: number) {
      stopped = true;
      await running;
      agent.destroy();
      const window = ms.filter((m) => m.at >= sinceMs).map((m) => m.ms);
      const stat = (p: number) => (window.length ? round(percentile(window, p)) : null);
      return {
        webhooks: window.length,
        p50Ms: stat(50),
        p99Ms: stat(99),
        maxMs: window.length ? round(maxOf(window)) : null,
        errors,
      };
    },
  };
}

export async function measureReprice(opts: {
  file: string;
  config: string;
  messages: number;
  endSec: number;
  waba: BenchWaba;
  capSeconds: number;
}): Promise<RepriceResult> {
  const db = `sqlite:${opts.file}`;
  const store = new Database(opts.file, { readonly: true, fileMustExist: true });
  store.pragma('busy_timeout = 5000');
  const dirty = () =>
    store
      .prepare('SELECT waba_id AS wabaId, month, from_day AS fromDay, kinds FROM pricing_dirty ORDER BY month, waba_id')
      .all() as RepriceResult['stillDirty'];
  const firstDay = (store.prepare('SELECT MIN(day) AS d FROM usage_pricing').get() as { d: string | null }).d;
  if (!firstDay) throw new Error('the query store holds no usage');
  const effective = `${firstDay.slice(0, 7)}-01`;
  const marked = store
    .prepare('SELECT DISTINCT waba_id AS wabaId, substr(day, 1, 7) AS month FROM usage_pricing WHERE day >= ? ORDER BY 2, 1')
    .all(effective) as Array<{ wabaId: string; month: string }>;
  const wabaDays = (
    store.prepare('SELECT COUNT(*) AS n FROM (SELECT DISTINCT waba_id, day FROM usage_pricing WHERE day >= ?)').get(effective) as {
      n: number;
    }
  ).n;
  const repricedDays = store.prepare(
    `SELECT COUNT(*) AS n FROM (SELECT DISTINCT waba_id, day FROM usage_pricing WHERE day >= ?) u
     WHERE EXISTS (SELECT 1 FROM priced_usage p WHERE p.waba_id = u.waba_id AND p.day = u.day AND p.priced_at_ms >= ?)`,
  );
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const conn = await startConnector({
    db,
    config: opts.config,
    token: BENCH_TOKEN,
    extraArgs: ['--as-of', new Date(opts.endSec * 1000).toISOString()],
  });
  try {
    // The build's own marks first: the figure is the import's re-pricing, not the build's backlog.
    const t0 = performance.now();
    while (dirty().length > 0 && performance.now() - t0 < opts.capSeconds * 1000) await sleep(POLL_MS);
    const cleanBefore = dirty().length === 0;
    const cleanBeforeSeconds = round((performance.now() - t0) / 1000, 2);
    log(
      `repricing: store ${cleanBefore ? 'clean' : 'still dirty'} after ${cleanBeforeSeconds} s; steady webhook load, then rates import --effective ${effective}`,
    );
    const loadAtSec = opts.endSec - 3_600;
    const loadDay = localDay(loadAtSec * 1000, opts.waba.timezone);
    const load = steadyLoad(conn.url, opts.waba, loadAtSec);
    await sleep(500);
    const importStartWallMs = Date.now();
    const importStart = performance.now();
    const imported = await runImport(writeRateCard(path.dirname(opts.config), effective), effective, db, opts.config);
    const committed = performance.now();
    log(`  rates import exited ${imported.code} after ${round((committed - importStart) / 1000, 2)} s`);
    const cleared = new Map<string, number | null>(marked.map((m) => [`${m.wabaId} ${m.month}`, null]));
    let repricedSeconds: number | null = null;
    let seconds: number | null = null;
    let rollupsCompleteSeconds: number | null = null;
    const since = () => round((performance.now() - committed) / 1000, 2);
    for (let polls = 0; performance.now() - committed < opts.capSeconds * 1000; polls++) {
      const marks = dirty();
      const left = new Set(marks.map((m) => `${m.wabaId} ${m.month}`));
      for (const [k, v] of cleared) if (v === null && !left.has(k)) cleared.set(k, since());
      if (repricedSeconds === null && onlyLoadMarksLeft(marks, { day: loadDay })) repricedSeconds = since();
      if (seconds === null && left.size === 0) seconds = since();
      // The day count joins two rollups, so it is read once a second, not on every poll: the bench
      // shares the two cores with the connector it measures.
      if (
        rollupsCompleteSeconds === null &&
        polls % 10 === 0 &&
        (repricedDays.get(effective, importStartWallMs) as { n: number }).n === wabaDays
      )
        rollupsCompleteSeconds = since();
      // The month the load writes is rarely seen clean while it runs: once the import's work is done
      // the measurement stops, and cleanAfterLoadStoppedSeconds below says how soon it is clean then.
      if (repricedSeconds !== null) break;
      await sleep(POLL_MS);
    }
    // Both read before the load stops: what the re-pricer got done while webhooks kept arriving.
    const stillDirty = dirty();
    const wabaDaysRepriced = (repricedDays.get(effective, importStartWallMs) as { n: number }).n;
    const loadFigures = await load.stop(committed);
    // When the load kept a month dirty, how long the re-pricer then needs once webhooks stop: tells a
    // re-pricer starved by live ingest from one that does not finish at all.
    let cleanAfterLoadStoppedSeconds: number | null = null;
    if (seconds === null) {
      const stoppedAt = performance.now();
      while (performance.now() - stoppedAt < opts.capSeconds * 1000) {
        if (dirty().length === 0) {
          cleanAfterLoadStoppedSeconds = round((performance.now() - stoppedAt) / 1000, 2);
          break;
        }
        await sleep(POLL_MS);
      }
    }
    const result: RepriceResult = {
      engine: 'sqlite',
      messages: opts.messages,
      effective,
      cleanBeforeSeconds,
      cleanBefore,
      importSeconds: round((committed - importStart) / 1000, 2),
      importExitCode: imported.code,
      monthsMarked: marked.length,
      repricedSeconds,
      seconds,
      rollupsCompleteSeconds,
      monthCleanSeconds: [...cleared].map(([k, s]) => {
        const [wabaId, month] = k.split(' ') as [string, string];
        return { wabaId, month, seconds: s };
      }),
      wabaDays,
      wabaDaysRepriced,
      stillDirty,
      cleanAfterLoadStoppedSeconds,
      capSeconds: opts.capSeconds,
      load: { ...loadFigures, wabaId: opts.waba.id, day: loadDay },
      outputTail: imported.out.trim().slice(-400),
    };
    log(
      `  import re-priced (only the load's marks left) after ${repricedSeconds ?? `more than ${opts.capSeconds}`} s; ` +
        `no month dirty: ${seconds === null ? 'not seen under the load' : `after ${seconds} s`} (after the load stopped: ${cleanAfterLoadStoppedSeconds ?? '-'} s); ` +
        `rollups complete after ${rollupsCompleteSeconds ?? '-'} s; ` +
        `${result.wabaDaysRepriced}/${wabaDays} WABA-days re-priced; load p99 ${loadFigures.p99Ms} ms over ${loadFigures.webhooks} webhooks`,
    );
    return result;
  } finally {
    await conn.stop();
    store.close();
  }
}

/** met for the section: the import succeeded and the figures meet the target. */
export function repriceSectionMet(r: RepriceResult): boolean {
  return r.importExitCode === 0 && repriceMet({ repricedSeconds: r.repricedSeconds, loadP99Ms: r.load.p99Ms, loadErrors: r.load.errors });
}
