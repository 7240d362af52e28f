/**
 * The "plain GROUP BY over the raw events" each panel query is compared with: the same question
 * answered straight from the connector's append-only `raw_events` table (one row per webhook
 * event, the event's JSON in `body`) in the same store, with no rollup, in SQLite or PostgreSQL.
 * Buckets are UTC days or months and countries are calling codes: the same amount of work as the
 * panel's answer, not byte-identical rows.
 */
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { CALLING_CODES } from './webhook-bodies';
import { median, round } from './stats';

export type Engine = 'sqlite' | 'postgres';

export interface RawQuestion {
  /** What is aggregated: delivered messages, finished calls, distinct contacts, or a month's tier units. */
  what: 'delivered' | 'calls' | 'contacts' | 'tiers';
  bucket: 'day' | 'month' | 'none';
  dims: string[];
  fromMs: number;
  toMs: number;
}

const DAY_MS = 86_400_000;

function msOf(v: string | null, fallback: number): number {
  if (v === null || v === '') return fallback;
  if (/^-?\d+$/.test(v)) return Number(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return Date.parse(`${v}T00:00:00Z`);
  return fallback;
}

/**
 * Requests that read configuration or price files, not events (the WABA list, the price book, a
 * stored price file): no aggregate over the raw events answers them, and their cost does not grow
 * with the store, so they add nothing to the baseline.
 */
export const LOOKUP_ENDPOINTS: ReadonlySet<string> = new Set(['wabas', 'price-book', 'price-files', 'lists']);

/** The endpoint a request path names: `/api/v1/<endpoint>[/...]?...`. */
export const endpointOf = (requestPath: string): string => (requestPath.split('?')[0] ?? '').split('/')[3] ?? '';

/**
 * The raw question behind one connector request; 'lookup' for a request that reads no events
 * (LOOKUP_ENDPOINTS), null for an endpoint this file has no counterpart for yet.
 */
export function rawQuestionOf(requestPath: string): RawQuestion | 'lookup' | null {
  const search = requestPath.split('?')[1] ?? '';
  const p = new URLSearchParams(search);
  const endpoint = endpointOf(requestPath);
  if (LOOKUP_ENDPOINTS.has(endpoint)) return 'lookup';
  const by = (p.get('by') ?? '').split(',').filter(Boolean);
  const bucket = p.get('interval') === 'month' ? 'month' : 'day';
  const fromMs = msOf(p.get('from'), 0);
  // A day-valued `to` is inclusive (projection asks through today).
  const toRaw = p.get('to');
  const toMs = toRaw && /^\d{4}-\d{2}-\d{2}$/.test(toRaw) ? msOf(toRaw, 0) + DAY_MS : msOf(toRaw, 0);
  switch (endpoint) {
    case 'usage':
    case 'pricing-input':
      return { what: 'delivered', bucket: endpoint === 'pricing-input' ? 'day' : bucket, dims: by, fromMs, toMs };
    case 'reconciliation':
      return { what: 'delivered', bucket, dims: by.length ? by : ['category'], fromMs, toMs };
    case 'calls':
      return { what: 'calls', bucket, dims: by, fromMs, toMs };
    case 'contacts':
      return { what: 'contacts', bucket, dims: [], fromMs, toMs };
    case 'tiers': {
      const month = p.get('month');
      if (!month) return null;
      const start = Date.parse(`${month}-01T00:00:00Z`);
      const next = new Date(start);
      next.setUTCMonth(next.getUTCMonth() + 1);
      return { what: 'tiers', bucket: 'none', dims: ['market', 'category'], fromMs: start, toMs: next.getTime() };
    }
    default:
      return null;
  }
}

/** SQL for one raw question in one dialect. */
export function rawSql(q: RawQuestion, engine: Engine): string {
  const j = (jsonPath: string) =>
    engine === 'sqlite' ? `json_extract(body, '$.${jsonPath}')` : `(body::jsonb #>> '{${jsonPath.split('.').join(',')}}')`;
  const bucket =
    q.bucket === 'day'
      ? `(at_ms / ${DAY_MS})`
      : q.bucket === 'month'
        ? engine === 'sqlite'
          ? `strftime('%Y-%m', at_ms / 1000, 'unixepoch')`
          : `to_char(to_timestamp(at_ms / 1000) AT TIME ZONE 'UTC', 'YYYY-MM')`
        : null;
  const user =
    q.what === 'calls' ? `(CASE WHEN ${j('direction')} = 'USER_INITIATED' THEN ${j('from')} ELSE ${j('to')} END)` : j('recipient_id');
  // The calling code of the recipient (the bench's codes map one to one onto countries).
  const byLength = (n: number) =>
    CALLING_CODES.filter((c) => c.length === n)
      .map((c) => `'${c}'`)
      .join(',');
  const code = `(CASE WHEN substr(${user}, 1, 3) IN (${byLength(3)}) THEN substr(${user}, 1, 3) ELSE substr(${user}, 1, 2) END)`;
  const dim: Record<string, string> = {
    waba: 'waba_id',
    phone: 'phone_number_id',
    country: code,
    market: code,
    category: j('pricing.category'),
    pricing_type: j('pricing.type'),
    direction: q.what === 'calls' ? j('direction') : j('pricing.type'),
    group: j('biz_opaque_callback_data'),
  };
  const dims = q.dims.map((d) => dim[d] ?? j('pricing.category'));
  const keys = [...(bucket ? [bucket] : []), ...dims];
  const groupBy = keys.length ? ` GROUP BY ${keys.map((_, i) => i + 1).join(', ')}` : '';
  const select = keys.length ? `${keys.join(', ')}, ` : '';
  const range = `at_ms >= ${q.fromMs} AND at_ms < ${q.toMs}`;
  switch (q.what) {
    case 'delivered':
      return `SELECT ${select}count(DISTINCT ${j('id')}) AS n FROM raw_events WHERE kind = 'status' AND ${j('status')} = 'delivered' AND ${range}${groupBy}`;
    case 'tiers':
      return `SELECT ${select}count(DISTINCT ${j('id')}) AS n FROM raw_events WHERE kind = 'status' AND ${j('status')} = 'delivered' AND ${j('pricing.category')} IN ('utility', 'authentication') AND ${range}${groupBy}`;
    case 'calls':
      return `SELECT ${select}count(*) AS n, sum(${engine === 'sqlite' ? j('duration') : `(${j('duration')})::numeric`}) AS seconds FROM raw_events WHERE kind = 'call' AND ${j('event')} = 'terminate' AND ${range}${groupBy}`;
    case 'contacts':
      return `SELECT ${select}count(DISTINCT coalesce(${j('recipient_id')}, ${j('from')})) AS n FROM raw_events WHERE kind IN ('status', 'inbound') AND ${range}${groupBy}`;
  }
}

export interface RawBaseline {
  engine: Engine;
  /**
   * Median ms and row count of the raw answer to one question. Timed once per baseline: a question
   * several panels share (the same SQL on the same store) reuses the first timing, because at full
   * scale each raw scan takes tens of seconds and the dashboards ask a handful of questions many times.
   */
  time(q: RawQuestion, reps: number, stopAfterMs?: number | null): Promise<Timing>;
  /** How many raw statements were executed for timings so far (each distinct question `reps` times). */
  runs(): number;
  /** The raw answer's rows (bucket, dimensions, `n`, and `seconds` for calls), for tests. */
  answer(q: RawQuestion): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

/**
 * A raw question's time. `stopped`: a scan ran for `stopAfterMs` and was stopped there, so
 * `medianMs` is that many ms, a lower bound of the raw time, and `rows` is null.
 */
export type Timing = { medianMs: number; rows: number | null; stopped?: true };

/** One raw statement's runs: each one's ms, or `stopped` when a run reached the stop and was ended. */
type Runs = { times: number[]; rows: number; stopped: boolean };

function timingOf(runs: Runs, stopAfterMs: number | null): Timing {
  if (runs.stopped) return { medianMs: round(stopAfterMs as number, 2), rows: null, stopped: true };
  return { medianMs: round(median(runs.times), 2), rows: runs.rows };
}

/** Child process that runs one SQLite statement `reps` times on a read-only connection and reports each run. */
const SQLITE_SCAN = `
const Database = require(process.argv[1]);
const [file, sql, reps] = process.argv.slice(2);
const db = new Database(file, { readonly: true, fileMustExist: true });
const stmt = db.prepare(sql);
process.stdout.write('ready\\n');
for (let i = 0; i < Number(reps); i++) {
  const t0 = process.hrtime.bigint();
  const rows = stmt.all().length;
  process.stdout.write(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6, rows }) + '\\n');
}
db.close();
`;

/**
 * Times `sql` on the SQLite file `reps` times in a child process of its own, timed there (process
 * start, open and prepare not counted). With `stopAfterMs`, a run still going that long after the
 * statement was ready (or after the previous run ended) is ended with the process: better-sqlite3
 * cannot interrupt a statement, and a scan of a 20 GB store takes minutes.
 */
export function timeSqliteScan(file: string, sql: string, reps: number, stopAfterMs: number | null): Promise<Runs> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SQLITE_SCAN, require.resolve('better-sqlite3'), file, sql, String(Math.max(1, reps))], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const runs: Runs = { times: [], rows: 0, stopped: false };
    let timer: NodeJS.Timeout | null = null;
    let buffered = '';
    let stderr = '';
    const arm = () => {
      if (timer) clearTimeout(timer);
      if (stopAfterMs !== null)
        timer = setTimeout(() => {
          runs.stopped = true;
          child.kill('SIGKILL');
        }, stopAfterMs);
    };
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line !== 'ready') {
          const run = JSON.parse(line) as { ms: number; rows: number };
          runs.times.push(run.ms);
          runs.rows = run.rows;
        }
        arm();
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      if (runs.stopped || code === 0) resolve(runs);
      else reject(new Error(`raw GROUP BY exited ${code}: ${stderr.trim()}`));
    });
  });
}

/** PostgreSQL's own stop: `statement_timeout` ends a run that takes longer, with SQLSTATE 57014. */
export async function timePgScan(client: Client, sql: string, reps: number, stopAfterMs: number | null): Promise<Runs> {
  const runs: Runs = { times: [], rows: 0, stopped: false };
  await client.query(`SET statement_timeout = ${stopAfterMs === null ? 0 : Math.ceil(stopAfterMs)}`);
  try {
    for (let i = 0; i < Math.max(1, reps); i++) {
      const t0 = process.hrtime.bigint();
      try {
        runs.rows = (await client.query(sql)).rows.length;
      } catch (err) {
        if ((err as { code?: string }).code !== '57014') throw err;
        runs.stopped = true;
        return runs;
      }
      runs.times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return runs;
  } finally {
    await client.query('SET statement_timeout = 0');
  }
}

/** `time` and `runs` of a baseline, over one engine's way of running a statement. */
function timedOnce(
  execute: (sql: string, reps: number, stopAfterMs: number | null) => Promise<Runs>,
  engine: Engine,
): Pick<RawBaseline, 'time' | 'runs'> {
  const timings = new Map<string, Promise<Timing>>();
  let runs = 0;
  return {
    time: (q, reps, stopAfterMs = null) => {
      const sql = rawSql(q, engine);
      let timing = timings.get(sql);
      if (!timing)
        timings.set(
          sql,
          (timing = execute(sql, reps, stopAfterMs).then((r) => {
            runs += r.times.length + (r.stopped ? 1 : 0);
            return timingOf(r, stopAfterMs);
          })),
        );
      return timing;
    },
    runs: () => runs,
  };
}

/** A raw baseline on the SQLite file (timed in a child process of its own) or the PostgreSQL database of the store. */
export async function rawBaseline(db: string): Promise<RawBaseline> {
  if (db.startsWith('sqlite:')) {
    const file = db.slice('sqlite:'.length);
    let conn: Database.Database | null = null;
    return {
      engine: 'sqlite',
      ...timedOnce((sql, reps, stopAfterMs) => timeSqliteScan(file, sql, reps, stopAfterMs), 'sqlite'),
      answer: async (q) => {
        conn ??= new Database(file, { readonly: true, fileMustExist: true });
        return conn.prepare(rawSql(q, 'sqlite')).all() as Array<Record<string, unknown>>;
      },
      close: async () => {
        conn?.close();
      },
    };
  }
  const client = new Client({ connectionString: db });
  await client.connect();
  return {
    engine: 'postgres',
    ...timedOnce((sql, reps, stopAfterMs) => timePgScan(client, sql, reps, stopAfterMs), 'postgres'),
    answer: async (q) => (await client.query(rawSql(q, 'postgres'))).rows as Array<Record<string, unknown>>,
    close: () => client.end(),
  };
}

/**
 * The order the raw questions are timed in when their time is budgeted: the questions more panels
 * ask first (so a budget covers the most panels), ties in the order they were first asked.
 * `perPanel` lists each panel's question keys.
 */
export function rawOrder(perPanel: readonly (readonly string[])[]): string[] {
  const asked = new Map<string, { panels: number; first: number }>();
  for (const keys of perPanel)
    for (const key of new Set(keys)) {
      const a = asked.get(key);
      if (a) a.panels += 1;
      else asked.set(key, { panels: 1, first: asked.size });
    }
  return [...asked].sort(([, a], [, b]) => b.panels - a.panels || a.first - b.first).map(([key]) => key);
}

/**
 * Times `keys` in order while the budget lasts: a question is started only while less than
 * `budgetMs` has passed (null: no budget), and one started runs to its end (or its stop). Gives each
 * timed key's timing; the keys left out are not in the map.
 */
export async function timeWithinBudget<T>(
  keys: readonly string[],
  budgetMs: number | null,
  time: (key: string) => Promise<T>,
  nowMs: () => number = () => performance.now(),
): Promise<Map<string, T>> {
  const start = nowMs();
  const timed = new Map<string, T>();
  for (const key of keys) {
    if (budgetMs !== null && nowMs() - start >= budgetMs) break;
    timed.set(key, await time(key));
  }
  return timed;
}

/**
 * How long a raw scan may run, in multiples of the median of the slowest panel asking its question:
 * the target is a panel at least 100 times faster than its raw GROUP BY, so a scan still going at
 * 200 times has settled the verdict for every panel asking it, and at full scale (scans of minutes)
 * stopping there leaves every panel a verdict within minutes instead of a budget that runs out.
 */
export const RAW_STOP_RATIO = 200;

/**
 * Each question's stop: RAW_STOP_RATIO times the median of the slowest panel that asks it, or asks a
 * question with the same `statementOf` (questions that are one statement share one timing, so they
 * must share the stop that serves the slowest of their panels).
 */
export function rawStops(
  panels: ReadonlyArray<{ medianMs: number; keys: readonly string[] }>,
  statementOf: (key: string) => string = (key) => key,
): Map<string, number> {
  const byStatement = new Map<string, number>();
  for (const p of panels)
    for (const key of p.keys) {
      const s = statementOf(key);
      byStatement.set(s, Math.max(byStatement.get(s) ?? 0, RAW_STOP_RATIO * p.medianMs));
    }
  const stops = new Map<string, number>();
  for (const p of panels) for (const key of p.keys) stops.set(key, byStatement.get(statementOf(key)) as number);
  return stops;
}

/**
 * A panel's raw time from its questions' timings, summed: `atLeast` when one of them was stopped
 * (the sum is then a lower bound of the raw time); null when one was not timed at all.
 */
export function panelRawMs(keys: readonly string[], timed: ReadonlyMap<string, Timing>): { ms: number; atLeast: boolean } | null {
  let ms = 0;
  let atLeast = false;
  for (const key of keys) {
    const t = timed.get(key);
    if (!t) return null;
    ms += t.medianMs;
    if (t.stopped) atLeast = true;
  }
  return { ms, atLeast };
}
