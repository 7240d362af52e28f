/**
 * The "plain GROUP BY over the raw events" each panel query is compared with: the same question
 * answered straight from the connector's append-only `raw_events` table (one row per webhook
 * event, the event's JSON in `body`) in the same store, with no rollup, in SQLite or PostgreSQL.
 * Buckets are UTC days or months and countries are calling codes: the same amount of work as the
 * panel's answer, not byte-identical rows.
 */
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
  time(q: RawQuestion, reps: number): Promise<{ medianMs: number; rows: number }>;
  /** How many raw statements were executed for timings so far (each distinct question `reps` times). */
  runs(): number;
  /** The raw answer's rows (bucket, dimensions, `n`, and `seconds` for calls), for tests. */
  answer(q: RawQuestion): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

type Timing = { medianMs: number; rows: number };

async function timeIt(reps: number, run: () => Promise<number>): Promise<Timing> {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < Math.max(1, reps); i++) {
    const t0 = process.hrtime.bigint();
    rows = await run();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { medianMs: round(median(times), 2), rows };
}

/** `time` and `runs` of a baseline, over one engine's way of running a statement. */
function timedOnce(execute: (sql: string) => Promise<number>, engine: Engine): Pick<RawBaseline, 'time' | 'runs'> {
  const timings = new Map<string, Promise<Timing>>();
  let runs = 0;
  return {
    time: (q, reps) => {
      const sql = rawSql(q, engine);
      let timing = timings.get(sql);
      if (!timing)
        timings.set(
          sql,
          (timing = timeIt(reps, () => {
            runs++;
            return execute(sql);
          })),
        );
      return timing;
    },
    runs: () => runs,
  };
}

/** A raw baseline on the SQLite file (read-only connection of its own) or the PostgreSQL database of the store. */
export async function rawBaseline(db: string): Promise<RawBaseline> {
  if (db.startsWith('sqlite:')) {
    const conn = new Database(db.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    const cache = new Map<string, Database.Statement>();
    return {
      engine: 'sqlite',
      ...timedOnce(async (sql) => {
        let stmt = cache.get(sql);
        if (!stmt) cache.set(sql, (stmt = conn.prepare(sql)));
        return stmt.all().length;
      }, 'sqlite'),
      answer: async (q) => conn.prepare(rawSql(q, 'sqlite')).all() as Array<Record<string, unknown>>,
      close: async () => {
        conn.close();
      },
    };
  }
  const client = new Client({ connectionString: db });
  await client.connect();
  return {
    engine: 'postgres',
    ...timedOnce(async (sql) => (await client.query(sql)).rows.length, 'postgres'),
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
 * `budgetMs` has passed (null: no budget), and one started runs to its end. Gives each timed key's
 * median ms; the keys left out are not in the map.
 */
export async function timeWithinBudget(
  keys: readonly string[],
  budgetMs: number | null,
  time: (key: string) => Promise<number>,
  nowMs: () => number = () => performance.now(),
): Promise<Map<string, number>> {
  const start = nowMs();
  const timed = new Map<string, number>();
  for (const key of keys) {
    if (budgetMs !== null && nowMs() - start >= budgetMs) break;
    timed.set(key, await time(key));
  }
  return timed;
}
