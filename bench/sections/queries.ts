/**
 * Section 2: every dashboard panel's queries over a store of `scale.messages` delivered messages
 * (plus calls, inbound messages, ad referrals, campaign groups and tier announcements in
 * proportion, see store-plan.ts), each timed against the same question answered by a plain GROUP
 * BY over the raw events in the same store, on SQLite and (when available) PostgreSQL. A panel
 * whose answer has no rows is reported as not measured, never as a fast number.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_TOKEN } from '../bench-config';
import { importBenchPrices } from '../bench-rates';
import { buildStoreViaWebhooks, type BuildPlan, type BuildResult } from '../build-store';
import { buildStoreInProcess } from '../bulk-build';
import { readRss, startConnector, type RunningConnector } from '../connector-process';
import type { BuildPath, Scale } from '../options';
import { panelQueries, type PanelQuery } from '../panel-queries';
import { pluginOnPanel, type CapturedPanel } from '../plugin-query';
import {
  panelRawMs,
  RAW_STOP_RATIO,
  rawBaseline,
  rawOrder,
  rawQuestionOf,
  rawSql,
  rawStops,
  timeWithinBudget,
  type RawBaseline,
  type RawQuestion,
} from '../raw-baseline';
import { waitRepriced, type Repriced } from '../repriced';
import { log, median, percentile, round, timeReps } from '../stats';
import { panelMet } from '../targets';
import { verifyBuilder, type BuilderCheck } from '../verify-builder';
import { buildWabas } from '../webhook-bodies';
import { reuseStore } from '../reused-store';
import { measureUniqueContacts, type UniqueContacts } from './unique-contacts';
import { measureWebhookToVisible, type WebhookToVisible } from './webhook-to-visible';
import { measureWebhookUnderLoad, type WebhookUnderLoad } from './webhook-under-load';

export { QUERIES_TARGET } from '../targets';

export interface PanelTiming {
  name: string;
  kind: string;
  /** A dashboard panel's query (judged by the target); false for the `/pricing-input` export timed beside them. */
  panel: boolean;
  /** The panel's requests, range elided. */
  paths: string[];
  status: number;
  /** Rows of the panel's answer (all its requests together). */
  rows: number | null;
  medianMs: number | null;
  p95Ms: number | null;
  /** Median ms of the raw GROUP BY answering the same questions (summed over the panel's requests). */
  rawMedianMs: number | null;
  speedup: number | null;
  /**
   * When a raw scan was stopped (raw-baseline.ts RAW_STOP_RATIO): the raw time is at least this many
   * ms (the stops and the other questions' medians, summed), and the panel at least `speedupAtLeast` times faster.
   */
  rawAtLeastMs?: number;
  speedupAtLeast?: number;
  /** Why the panel has no timing (an error, or an answer with no rows). */
  notMeasured?: string;
  /** Why `rawMedianMs` is null when the panel was measured, or which lookups it leaves out. */
  rawNote?: string;
  met: boolean;
}

export interface EngineQueries {
  engine: 'sqlite' | 'postgres';
  /** The build (`path`: which builder, its events/s and seconds), the file's size and the price files imported before it. */
  store: BuildResult & { sizeMb: number | null; priceFiles: number; repricedBeforeQueries: Repriced };
  queries: PanelTiming[];
  measured: number;
  notMeasured: number;
  /** With the connector's default, /api/v1 queries answered by the query worker. */
  webhookUnderLoad: WebhookUnderLoad | { error: string };
  /**
   * The same measurement on the same store right after, by a connector with `query.worker: false`
   * (queries in the HTTP thread): the A/B of the worker in one run.
   */
  webhookUnderLoadInThread: WebhookUnderLoad | { error: string };
  /** Issue 13's "unique contacts, 30 days" figure. */
  uniqueContacts30d: UniqueContacts | { error: string };
  /** Issue 13's "webhook acknowledged → visible in a panel query" figure. */
  webhookToVisible: WebhookToVisible | { error: string };
  /**
   * SQLite only: the plugin's runQuery, in-process, on the real answers of the dashboard panel whose
   * answer had the most rows (issue 13's "plugin runQuery on the largest dashboard response").
   */
  pluginOnLargest?: Awaited<ReturnType<typeof pluginOnPanel>> | { error: string };
  peakRssMb: number | null;
  /**
   * The connector's peak and current resident set after each step, in order (its start, the re-pricing
   * before the panels, each panel by name, the webhook loop, the contacts, the visibility samples): the
   * step after which `peakMb` first reaches its final value is the one that set the peak.
   */
  memorySteps: MemoryStep[];
}

export interface MemoryStep {
  step: string;
  peakMb: number;
  rssMb: number;
}

export interface QueriesResult {
  builderCheck: BuilderCheck;
  sqlite: EngineQueries;
  postgres: EngineQueries | { unavailable: string } | { error: string };
}

type Answer = { status: number; rows: number | null; text: string };

async function get(conn: RunningConnector, p: string): Promise<Answer> {
  const res = await fetch(`${conn.url}${p}`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
  const text = await res.text();
  let rows: number | null;
  try {
    const body = JSON.parse(text) as { rows?: unknown[]; items?: unknown[] };
    rows = Array.isArray(body.rows) ? body.rows.length : Array.isArray(body.items) ? body.items.length : null;
  } catch {
    rows = null;
  }
  return { status: res.status, rows, text };
}

const elide = (p: string) => p.replace(/([?&](?:from|to))=-?\d+(?=&|$)/g, '$1=..');

/** A GetJson against the connector that records each request's status, rows and body, and throws on a non-200 as the plugin would. */
function recordingGetJson(conn: RunningConnector, seen: Array<Answer & { path: string }>) {
  return async (p: string, search: string): Promise<unknown> => {
    const full = search ? `${p}?${search}` : p;
    const answer = await get(conn, full);
    seen.push({ ...answer, path: full });
    if (answer.status !== 200) throw new Error(`${full} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
    return JSON.parse(answer.text) as unknown;
  };
}

/** A measured panel before its raw baseline: the raw questions its requests ask (keys into `questions`), or why it has none. */
type Measured = PanelTiming & {
  fullPaths: string[];
  captured?: CapturedPanel;
  exact?: { medianMs: number; p95Ms: number };
  rawKeys?: string[];
};

/** The raw questions of a panel's requests, keyed; null keys with the note when it has none. */
function panelQuestions(fullPaths: readonly string[], questions: Map<string, RawQuestion>): { keys: string[] | null; note?: string } {
  const keys: string[] = [];
  const lookups: string[] = [];
  for (const p of fullPaths) {
    const question = rawQuestionOf(p);
    if (question === 'lookup') {
      lookups.push(p.split('?')[0] as string);
      continue;
    }
    if (!question) return { keys: null, note: `no raw GROUP BY counterpart for ${p.split('?')[0]} (add one in bench/raw-baseline.ts)` };
    const key = JSON.stringify(question);
    questions.set(key, question);
    keys.push(key);
  }
  if (keys.length === 0) return { keys: null, note: 'every request is a lookup (no events read)' };
  if (lookups.length > 0)
    return { keys, note: `lookups without a raw counterpart, not in the baseline: ${[...new Set(lookups)].join(', ')}` };
  return { keys };
}

async function measurePanel(conn: RunningConnector, q: PanelQuery, scale: Scale, questions: Map<string, RawQuestion>): Promise<Measured> {
  const seen: Array<Answer & { path: string }> = [];
  let failure: string | undefined;
  try {
    await q.run(recordingGetJson(conn, seen));
  } catch (err) {
    failure = (err as Error).message.slice(0, 300);
  }
  const fullPaths = [...new Set(seen.map((a) => a.path))];
  const base = { name: q.name, kind: q.kind, panel: q.file !== null, paths: fullPaths.map(elide), fullPaths };
  // Answers without a rows/items array (a price book) neither count rows nor make a panel empty.
  const empty = seen.find((a) => a.rows === 0);
  const withRows = seen.filter((a) => a.rows !== null);
  const rows = withRows.length > 0 ? withRows.reduce((s, a) => s + (a.rows ?? 0), 0) : null;
  const notMeasured =
    failure ?? (seen.length === 0 ? 'the panel sent no request' : empty ? `${empty.path.split('?')[0]} answered 0 rows` : undefined);
  if (notMeasured) {
    log(`  ${q.name}: not measured (${notMeasured})`);
    const status = seen.find((a) => a.status !== 200)?.status ?? 200;
    return { ...base, status, rows, medianMs: null, p95Ms: null, rawMedianMs: null, speedup: null, notMeasured, met: false };
  }
  const times = await timeReps(scale.queryReps, () => q.run(recordingGetJson(conn, [])));
  const { keys, note } = panelQuestions(fullPaths, questions);
  const med = median(times);
  const p95 = percentile(times, 95);
  const captured: CapturedPanel | undefined = q.plugin
    ? {
        name: q.name,
        rows: rows ?? 0,
        bytes: seen.reduce((n, a) => n + Buffer.byteLength(a.text), 0),
        texts: new Map(seen.map((a) => [a.path, a.text])),
        plugin: q.plugin,
      }
    : undefined;
  log(`  ${q.name}: median ${round(med)} ms (p95 ${round(p95)}), ${rows} rows`);
  return {
    ...base,
    status: 200,
    rows,
    medianMs: round(med),
    p95Ms: round(p95),
    rawMedianMs: null,
    ...(note ? { rawNote: note } : {}),
    speedup: null,
    ...(captured ? { captured } : {}),
    exact: { medianMs: med, p95Ms: p95 },
    ...(keys ? { rawKeys: keys } : {}),
    met: false,
  };
}

/**
 * The raw GROUP BY baselines, after every panel was timed (a raw scan blocks this process for minutes
 * at full scale, and the connector's idle keep-alive sockets would close under a panel's requests):
 * each distinct question once, those more panels ask first, within the scale's budget, each scan
 * stopped once it has run RAW_STOP_RATIO times the slowest asking panel's median; then each panel's
 * ratio (a lower bound when a scan was stopped) and `met`. A panel whose question did not fit the
 * budget has no ratio and is not met.
 */
async function addRawBaselines(panels: Measured[], questions: Map<string, RawQuestion>, raw: RawBaseline, scale: Scale): Promise<void> {
  const order = rawOrder(panels.map((p) => p.rawKeys ?? []));
  const stops = rawStops(
    panels.flatMap((p) => (p.exact && p.rawKeys ? [{ medianMs: p.exact.medianMs, keys: p.rawKeys }] : [])),
    (key) => rawSql(questions.get(key) as RawQuestion, raw.engine),
  );
  const budgetMs = scale.rawBudgetSeconds === null ? null : scale.rawBudgetSeconds * 1000;
  const timed = await timeWithinBudget(order, budgetMs, async (key) => {
    const t = await raw.time(questions.get(key) as RawQuestion, scale.rawReps, stops.get(key) ?? null);
    log(`  raw GROUP BY ${key}: ${t.stopped ? `stopped after ${round(t.medianMs)} ms` : `${round(t.medianMs)} ms`}`);
    // A raw scan holds this process for minutes; one I/O turn lets fetch's pool see the keep-alive
    // sockets the connector closed meanwhile, so the next request does not go out on a dead one.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return t;
  });
  if (timed.size < order.length) log(`  raw GROUP BY: ${timed.size} of ${order.length} questions timed within ${scale.rawBudgetSeconds} s`);
  for (const p of panels) {
    if (!p.exact || !p.rawKeys) {
      if (p.exact) p.met = panelMet({ ...p.exact, speedup: null });
      continue;
    }
    const rawMs = panelRawMs(p.rawKeys, timed);
    if (!rawMs) {
      const missing = p.rawKeys.filter((k) => !timed.has(k));
      p.rawNote = `raw GROUP BY not timed: ${missing.length} of its ${p.rawKeys.length} questions did not fit the ${scale.rawBudgetSeconds} s raw budget (questions more panels ask were timed first)`;
      p.met = panelMet({ ...p.exact, speedup: null });
      continue;
    }
    // The exact ratio, not the one rounded for the report (99.96x would round to 100x); a lower bound when a scan was stopped.
    const ratio = p.exact.medianMs > 0 ? rawMs.ms / p.exact.medianMs : null;
    p.met = panelMet({ ...p.exact, speedup: ratio });
    if (rawMs.atLeast) {
      p.rawAtLeastMs = round(rawMs.ms);
      if (ratio !== null) p.speedupAtLeast = round(ratio, 1);
      p.rawNote = `raw GROUP BY stopped once it had run ${RAW_STOP_RATIO} times the median of the slowest panel asking it: at least ${p.rawAtLeastMs} ms, at least ${p.speedupAtLeast ?? '-'}x`;
      log(`  ${p.name}: raw at least ${p.rawAtLeastMs} ms (at least ${p.speedupAtLeast ?? '-'}x)`);
      continue;
    }
    p.rawMedianMs = round(rawMs.ms);
    p.speedup = ratio === null ? null : round(ratio, 1);
    log(`  ${p.name}: raw ${round(rawMs.ms)} ms (${p.speedup ?? '-'}x)`);
  }
}

/** The plan every engine's store is built from. */
export function storePlan(scale: Scale, endSec: number): BuildPlan {
  return { messages: scale.messages, days: scale.days, countries: scale.countries, phones: scale.phones, endSec };
}

/** The range the panels are asked for: every day of the store (a day more for the WABA west of UTC). */
export function benchRange(scale: Scale, endSec: number): { fromMs: number; toMs: number } {
  return { fromMs: (endSec - (scale.days + 1) * 86_400) * 1000, toMs: endSec * 1000 };
}

/** Builds the store on `db`, times every panel, then webhook latency under the heaviest panels. */
export async function measureEngine(
  engine: 'sqlite' | 'postgres',
  db: string,
  config: string,
  scale: Scale,
  endSec: number,
  buildPath: BuildPath,
  reuse: string | null = null,
): Promise<EngineQueries> {
  const plan = storePlan(scale, endSec);
  const messages = scale.messages.toLocaleString('en');
  const built = (b: BuildResult) =>
    log(
      `  built (${b.path}): ${b.events.toLocaleString('en')} status events, ${b.calls} calls, ${b.inbound} inbound in ${b.seconds === null ? '-' : round(b.seconds, 1)} s (${b.eventsPerSec ?? '-'} events/s)`,
    );
  // The bulk path writes the store before the connector opens it; the webhook path needs the connector running.
  let build: BuildResult | undefined;
  let priceFiles: number;
  if (reuse) {
    log(`queries (${engine}): reusing the store ${reuse} (--reuse-store)`);
    const { priceFiles: held, ...reused } = reuseStore(reuse, db.slice('sqlite:'.length), scale);
    build = reused;
    priceFiles = held;
    built(build);
  } else priceFiles = await importBenchPrices(db, config, plan);
  if (!build && buildPath === 'bulk') {
    log(`queries (${engine}): building a store of ${messages} delivered messages in-process (bulk path)`);
    build = await buildStoreInProcess(db, config, plan);
    built(build);
  }
  const conn = await startConnector({ db, config, token: BENCH_TOKEN, extraArgs: ['--as-of', new Date(endSec * 1000).toISOString()] });
  let result: Omit<EngineQueries, 'peakRssMb' | 'webhookUnderLoadInThread'>;
  const memorySteps: MemoryStep[] = [];
  // The peak is the highest VmHWM read so far: Linux reports VmHWM as the larger of a high-water
  // mark it updates lazily and the current RSS, so after V8 hands pages back a read can be lower
  // than an earlier one (seen once in a CI run: 227 then 226 MB).
  const peakSoFar = () => memorySteps.at(-1)?.peakMb ?? 0;
  const memoryAfter = (step: string) => {
    const m = readRss(conn.pid);
    if (m) memorySteps.push({ step, rssMb: m.rssMb, peakMb: Math.max(m.peakMb, peakSoFar()) });
  };
  memoryAfter('started');
  // Kept for the A/B run after this connector stops; none when the panels could not be timed.
  let heavy: Array<{ name: string; paths: string[] }> | undefined;
  try {
    if (!build) {
      log(`queries (${engine}): building a store of ${messages} delivered messages through the webhook ingest`);
      build = await buildStoreViaWebhooks(conn.url, plan);
      built(build);
    }
    const repricedBeforeQueries = await waitRepriced(db, scale.repriceCapSeconds);
    memoryAfter('repriced before the panels');
    const { fromMs, toMs } = benchRange(scale, endSec);
    const timed: Measured[] = [];
    const questions = new Map<string, RawQuestion>();
    // Only the answers of the dashboard panel with the most rows are kept (for the plugin's runQuery figure).
    let largest: CapturedPanel | undefined;
    for (const q of panelQueries(fromMs, toMs)) {
      const { captured, ...t } = await measurePanel(conn, q, scale, questions);
      memoryAfter(q.name);
      if (captured && (!largest || captured.rows > largest.rows)) largest = captured;
      timed.push(t);
    }
    const raw = await rawBaseline(db);
    try {
      await addRawBaselines(timed, questions, raw, scale);
    } finally {
      await raw.close();
    }
    const queries: PanelTiming[] = timed.map(({ fullPaths: _, exact: _e, rawKeys: _k, ...t }) => t);
    let pluginOnLargest: EngineQueries['pluginOnLargest'];
    if (engine === 'sqlite') {
      try {
        pluginOnLargest = largest ? await pluginOnPanel(largest, scale.queryReps) : { error: 'no dashboard panel was measured' };
      } catch (err) {
        pluginOnLargest = { error: (err as Error).message.slice(0, 500) };
      }
      log(`  plugin runQuery on the largest dashboard response: ${JSON.stringify(pluginOnLargest).slice(0, 300)}`);
    }
    // The three slowest panels, with every request each really sent (own fetches included).
    heavy = timed
      .filter((q) => q.medianMs !== null && q.kind !== 'pricing-input')
      .sort((a, b) => (b.medianMs ?? 0) - (a.medianMs ?? 0))
      .slice(0, 3)
      .map((t) => ({ name: t.name, paths: t.fullPaths }));
    let webhookUnderLoad: EngineQueries['webhookUnderLoad'];
    try {
      webhookUnderLoad = await measureWebhookUnderLoad(conn, buildWabas(scale.phones)[0]!, heavy, scale.loadSeconds, endSec - 3_600);
    } catch (err) {
      webhookUnderLoad = { error: (err as Error).message.slice(0, 500) };
    }
    memoryAfter('webhooks under the heaviest panels');
    const failed = (err: unknown) => ({ error: (err as Error).message.slice(0, 500) });
    const uniqueContacts30d = await measureUniqueContacts(conn, scale.queryReps, endSec).catch(failed);
    memoryAfter('unique contacts');
    const webhookToVisible = await measureWebhookToVisible(conn, buildWabas(scale.phones)[0]!, scale.visibleSamples, endSec).catch(failed);
    memoryAfter('webhook to visible');
    const file = db.startsWith('sqlite:') ? db.slice('sqlite:'.length) : null;
    result = {
      engine,
      store: { ...build, sizeMb: file ? Math.round(fs.statSync(file).size / 2 ** 20) : null, priceFiles, repricedBeforeQueries },
      queries,
      measured: queries.filter((q) => q.medianMs !== null).length,
      notMeasured: queries.filter((q) => q.notMeasured !== undefined).length,
      webhookUnderLoad,
      uniqueContacts30d,
      webhookToVisible,
      ...(pluginOnLargest ? { pluginOnLargest } : {}),
      memorySteps,
    };
  } finally {
    const atStop = await conn.stop();
    QUERY_PEAK[engine] = atStop === null && memorySteps.length === 0 ? null : Math.max(atStop ?? 0, peakSoFar());
  }
  const webhookUnderLoadInThread = await measureInThread(db, config, heavy ?? [], scale, endSec);
  return { ...result, webhookUnderLoadInThread, peakRssMb: QUERY_PEAK[engine] };
}

/** webhookUnderLoad again, on the same store, by a connector whose queries run in the HTTP thread. */
async function measureInThread(
  db: string,
  config: string,
  heavy: Array<{ name: string; paths: string[] }>,
  scale: Scale,
  endSec: number,
): Promise<WebhookUnderLoad | { error: string }> {
  const inThreadConfig = config.replace(/\.yaml$/, '-in-thread.yaml');
  fs.writeFileSync(inThreadConfig, `${fs.readFileSync(config, 'utf8')}query:\n  worker: false\n`);
  try {
    const conn = await startConnector({
      db,
      config: inThreadConfig,
      token: BENCH_TOKEN,
      extraArgs: ['--as-of', new Date(endSec * 1000).toISOString()],
    });
    try {
      log('webhook under load, A/B: queries in the HTTP thread (query.worker: false)');
      return await measureWebhookUnderLoad(conn, buildWabas(scale.phones)[0]!, heavy, scale.loadSeconds, endSec - 3_600, 't');
    } finally {
      await conn.stop();
    }
  } catch (err) {
    return { error: (err as Error).message.slice(0, 500) };
  }
}

export async function measureQueries(
  dir: string,
  config: string,
  scale: Scale,
  endSec: number,
  postgres: () => Promise<{ url: string; stop(): Promise<void> } | null>,
  buildPath: BuildPath,
  reuseSqlite: string | null = null,
): Promise<QueriesResult> {
  const builderCheck = await verifyBuilder(
    dir,
    config,
    { ...storePlan(scale, endSec), messages: Math.min(scale.messages, 2_000) },
    buildPath,
  );
  const sqlite = await measureEngine('sqlite', `sqlite:${path.join(dir, 'queries.sqlite')}`, config, scale, endSec, buildPath, reuseSqlite);
  let pgResult: QueriesResult['postgres'];
  try {
    const pg = await postgres();
    if (!pg) pgResult = { unavailable: 'no PostgreSQL (binaries missing or --no-postgres)' };
    else {
      try {
        pgResult = await measureEngine('postgres', pg.url, config, scale, endSec, buildPath);
      } finally {
        await pg.stop();
      }
    }
  } catch (err) {
    pgResult = { error: (err as Error).message.slice(0, 1500) };
  }
  return { builderCheck, sqlite, postgres: pgResult };
}

/** Peak RSS of each engine's query-store connector, read when it stops (the memory section reports it). */
export const QUERY_PEAK: { sqlite: number | null; postgres: number | null } = { sqlite: null, postgres: null };
