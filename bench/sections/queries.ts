/**
 * Section 2: dashboard panel queries over a store of `scale.messages` delivered messages, each
 * timed against the same answer from a plain GROUP BY over the raw events in the same store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_TOKEN } from '../bench-config';
import { buildStoreViaWebhooks, type BuildResult } from '../build-store';
import { startConnector, type RunningConnector } from '../connector-process';
import type { Scale } from '../options';
import { panelQueries } from '../panel-queries';
import { rawBaseline } from '../raw-baseline';
import { log, median, percentile, round, timeReps } from '../stats';
import { verifyBuilder, type BuilderCheck } from '../verify-builder';

export const QUERIES_TARGET = { medianMs: 100, speedupVsRaw: 50, messages: 10_000_000 } as const;

export interface QueryTiming {
  name: string;
  path: string;
  status: number;
  rows: number | null;
  medianMs: number;
  p95Ms: number;
  rawMedianMs: number | null;
  speedup: number | null;
  met: boolean;
}

async function getJson(conn: RunningConnector, p: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${conn.url}${p}`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

const rowCount = (b: unknown): number | null => {
  const o = b as { rows?: unknown[]; items?: unknown[] } | null;
  return Array.isArray(o?.rows) ? o.rows.length : Array.isArray(o?.items) ? o.items.length : null;
};

export interface QueriesResult {
  store: BuildResult & { db: string; sizeMb: number };
  builderCheck: BuilderCheck;
  queries: QueryTiming[];
  peakRssMb: number | null;
}

export async function measureQueries(dir: string, config: string, scale: Scale, endSec: number): Promise<QueriesResult> {
  const builderCheck = await verifyBuilder(dir, config, {
    messages: Math.min(scale.messages, 2_000),
    days: scale.days,
    countries: scale.countries,
    phones: scale.phones,
    endSec,
  });
  const file = path.join(dir, 'queries.sqlite');
  const db = `sqlite:${file}`;
  const conn = await startConnector({ db, config, token: BENCH_TOKEN });
  try {
    log(`queries: building a store of ${scale.messages.toLocaleString('en')} delivered messages through the webhook ingest`);
    const build = await buildStoreViaWebhooks(conn.url, {
      messages: scale.messages,
      days: scale.days,
      countries: scale.countries,
      phones: scale.phones,
      endSec,
    });
    log(`  built: ${build.events.toLocaleString('en')} events in ${round(build.seconds, 1)} s (${build.eventsPerSec} events/s)`);
    const fromMs = (endSec - scale.days * 86_400) * 1000;
    const toMs = endSec * 1000;
    const raw = rawBaseline(file, fromMs, toMs);
    const timings: QueryTiming[] = [];
    for (const q of panelQueries(fromMs, toMs)) {
      const first = await getJson(conn, q.path);
      const times = first.status === 200 ? await timeReps(scale.queryReps, () => getJson(conn, q.path)) : [NaN];
      const rawMs = q.raw && first.status === 200 ? raw.time(q.raw, scale.rawReps) : null;
      const med = median(times);
      const speedup = rawMs !== null && med > 0 ? round(rawMs / med, 1) : null;
      timings.push({
        name: q.name,
        path: q.path.replace(/from=\d+&to=\d+/, 'from=..&to=..'),
        status: first.status,
        rows: rowCount(first.body),
        medianMs: round(med),
        p95Ms: round(percentile(times, 95)),
        rawMedianMs: rawMs === null ? null : round(rawMs),
        speedup,
        met: first.status === 200 && med < QUERIES_TARGET.medianMs && (speedup === null || speedup >= QUERIES_TARGET.speedupVsRaw),
      });
      log(`  ${q.name}: ${first.status} median ${round(med)} ms${rawMs !== null ? `, raw ${round(rawMs)} ms (${speedup}x)` : ''}`);
    }
    raw.close();
    const sizeMb = Math.round(fs.statSync(file).size / 2 ** 20);
    return { store: { ...build, db: 'sqlite', sizeMb }, builderCheck, queries: timings, peakRssMb: null };
  } finally {
    const peak = await conn.stop();
    QUERY_PEAK.value = peak;
  }
}

/** Peak RSS of the query-store connector, read when it stops (the memory section reports it). */
export const QUERY_PEAK: { value: number | null } = { value: null };
