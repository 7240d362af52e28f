/**
 * The query worker's side (runs inside a node:worker_threads thread started by query-worker-client.ts):
 * its own read-only connection to the store, its own query caches, and the same API_QUERIES the HTTP
 * thread would run, and the scheduled reports' builds. Nothing here is imported by the HTTP thread except the message types.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '@core';
import type { ReportConfig } from '../config';
import { answerOf, isApiQueryName, isStreamedQueryName, STREAMED_QUERIES } from '../http/api-queries';
import { localMonthPricer, type PricedDayRows, type PricedMonth, type QueryContext, type WabaInfo } from '../query';
// Not the reports index: the worker needs the content builder, not nodemailer and croner.
import { buildReportContent } from '../reports/report-content';
import type { PeriodDays } from '../reports/report-period';
import type { ConnectorStore, PricedKind } from '../store';
import { openStore } from './open-store';
import { loadPriceBook, priceBookLoader } from './price-files';

/**
 * What a worker thread is for: `queries` answers /api/v1, reports and the spend gauges (and the
 * re-pricer's pricing when no worker of its own runs); `repricing` only prices the re-pricer's months,
 * so no query ever waits behind a month's pricing (docs/performance.md, "Webhook to visible").
 */
export type WorkerRole = 'queries' | 'repricing';
/** How messages, logs and /health errors name each role's thread. */
export const WORKER_NAMES: Record<WorkerRole, string> = { queries: 'query worker', repricing: 're-pricing worker' };

export interface QueryWorkerData {
  /** Default `queries`; names the thread in its own errors. */
  role?: WorkerRole;
  db: string;
  timezones: Record<string, string>;
  wabas: WabaInfo[];
  asOfMs?: number;
  readPricedRollups: boolean;
  /** Int32 [0]: the HTTP thread's cache generation (its commits, pulls, price reloads, other replicas' notifications), moved with Atomics.add. */
  generation: SharedArrayBuffer;
  /**
   * Tests only (ConnectorOptions.queryWorkerGate, 16 or 32 bytes): Int32 [0] mode (0 run, 1 hold each
   * query or report build before it starts, 2 crash the worker), [1] how many queries reached the gate, [2] milliseconds
   * added to this thread's monotonic clock (what the query caches age on), so a test can step past their
   * refresh time without sleeping, as it does with jest's fake clock in the HTTP thread. With 36 bytes,
   * the daily usage reads (`usageDaily`, `usagePricingDaily`) go through a hook (days as UTC epoch day
   * numbers, 0 = none): [3] reads of a range ending on or after that day wait (the thread stays free
   * for messages) until the test sets it to 0, [4] counts the reads asked for (held ones included),
   * [5] how many streamed queries are running, [6] how many cancels arrived, [7] reads ending on or
   * after that day fail, [8] how many streamed queries wait for credit. With 48 bytes, the re-pricer's
   * day steps (`reprice-day`) too: [9] a step for a day on or after that one holds this thread in
   * Atomics.wait (it does nothing else, as a long pricing would) until the test sets it to 0, [10]
   * counts the steps held there, [11] a step for a day on or after that one crashes the worker.
   */
  gate?: SharedArrayBuffer;
}

export type WorkerRequest =
  | { type: 'query'; id: number; name: string; q: unknown }
  /** A streamed query: the worker may post `credit` chunks ahead of the `more` messages that ask for each next one. */
  | { type: 'stream'; id: number; name: string; q: unknown; credit: number }
  /** A scheduled report's content (rows, CSV, totals): answered as the JSON of `ReportContent`. */
  | { type: 'report'; id: number; name: string; cfg: ReportConfig; period: PeriodDays }
  | { type: 'more'; id: number }
  | { type: 'cancel'; id: number }
  | { type: 'prices' }
  /**
   * The re-pricer (query/re-pricer.ts, `MonthPricer`): price a portfolio month from its first day
   * (the HTTP thread's claim has committed), keep it under `id`, and allocate its days one by one.
   */
  | { type: 'reprice'; id: number; month: string; wabaIds: string[]; kinds: PricedKind[] }
  | { type: 'reprice-day'; id: number; session: number; day: string }
  | { type: 'reprice-close'; session: number }
  | { type: 'close' };

export type WorkerFailure =
  | { kind: 'input'; field: string; value: unknown; reason: string }
  | { kind: 'status'; statusCode: number; code?: string; message: string }
  | { kind: 'internal'; message: string; stack?: string };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'answer'; id: number; json: string }
  | { type: 'chunk'; id: number; text: string }
  | { type: 'end'; id: number }
  /** A re-pricing step done: null for `reprice`, the day's rows for `reprice-day`. */
  | { type: 'repriced'; id: number; value: PricedDayRows | null }
  | { type: 'failed'; id: number; error: WorkerFailure }
  | { type: 'closed' };

export const GATE_RUN = 0;
export const GATE_HOLD = 1;
export const GATE_CRASH = 2;
/** Slots of the 32-byte gate (QueryWorkerData.gate). */
export const GATE_HOLD_READS_FROM = 3;
export const GATE_READS = 4;
export const GATE_STREAMS = 5;
export const GATE_CANCELS = 6;
export const GATE_FAIL_READS_FROM = 7;
export const GATE_AWAITING_CREDIT = 8;
/** Slots of the 48-byte gate: the re-pricer's day steps. */
export const GATE_REPRICE_HOLD_FROM = 9;
export const GATE_REPRICE_HELD = 10;
export const GATE_REPRICE_CRASH_FROM = 11;

/** A day as the read hook's slots hold it. */
export const gateDay = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 86_400_000;

type WaitAsync = (a: Int32Array, i: number, v: number) => { async: boolean; value: unknown };

/** The store as the worker reads it under a test's read hook (see QueryWorkerData.gate). */
function hookedStore(store: ConnectorStore, gate: Int32Array): ConnectorStore {
  const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
  const pass = async (toDay: string): Promise<void> => {
    const day = gateDay(toDay);
    Atomics.add(gate, GATE_READS, 1);
    Atomics.notify(gate, GATE_READS);
    for (let from = Atomics.load(gate, GATE_HOLD_READS_FROM); from !== 0 && day >= from; from = Atomics.load(gate, GATE_HOLD_READS_FROM)) {
      const w = waitAsync(gate, GATE_HOLD_READS_FROM, from);
      if (w.async) await w.value;
    }
    const failFrom = Atomics.load(gate, GATE_FAIL_READS_FROM);
    if (failFrom !== 0 && day >= failFrom) throw new Error(`store read of ${toDay} failed (test gate)`);
  };
  type Range = Parameters<ConnectorStore['usageDaily']>[0];
  const hooked = {
    async usageDaily(range: Range) {
      await pass(range.toDay);
      return store.usageDaily(range);
    },
    async usagePricingDaily(range: Range) {
      await pass(range.toDay);
      return store.usagePricingDaily(range);
    },
  };
  return new Proxy(store, {
    get(target, key) {
      if (key in hooked) return hooked[key as keyof typeof hooked];
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

function failureOf(err: unknown): WorkerFailure {
  if (err instanceof InputError) {
    // The value came from the query string (strings and arrays of them); anything else is described by the message.
    let value: unknown = err.value;
    try {
      structuredClone(value);
    } catch {
      value = String(value);
    }
    return { kind: 'input', field: err.field, value, reason: err.reason };
  }
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown; stack?: unknown };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      kind: 'status',
      statusCode: e.statusCode,
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      message: String(e.message),
    };
  }
  return { kind: 'internal', message: String(e?.message ?? err), ...(typeof e?.stack === 'string' ? { stack: e.stack } : {}) };
}

/** Holds the calling query while a test keeps the gate closed; crashes the worker when the test says so. */
function passGate(gate: Int32Array | null): void {
  if (!gate || Atomics.load(gate, 0) === GATE_RUN) return;
  Atomics.add(gate, 1, 1);
  Atomics.notify(gate, 1);
  let mode: number;
  while ((mode = Atomics.load(gate, 0)) === GATE_HOLD) Atomics.wait(gate, 0, GATE_HOLD);
  // Thrown from the message listener, outside any promise: an uncaught exception ends the thread like a real crash.
  if (mode === GATE_CRASH) throw new Error('query worker crashed (test gate)');
}

/**
 * Holds or crashes a re-pricing day step while a test says so (QueryWorkerData.gate, 48 bytes). The
 * hold is a blocking wait: the thread is as busy as in a long pricing, so only a re-pricer whose
 * pricing runs here leaves the HTTP thread free meanwhile.
 */
function passRepricingGate(gate: Int32Array | null, day: string, thread: string): void {
  if (!gate || gate.length <= GATE_REPRICE_CRASH_FROM) return;
  const d = gateDay(day);
  let from = Atomics.load(gate, GATE_REPRICE_HOLD_FROM);
  if (from !== 0 && d >= from) {
    Atomics.add(gate, GATE_REPRICE_HELD, 1);
    Atomics.notify(gate, GATE_REPRICE_HELD);
    for (; from !== 0 && d >= from; from = Atomics.load(gate, GATE_REPRICE_HOLD_FROM)) Atomics.wait(gate, GATE_REPRICE_HOLD_FROM, from);
  }
  const crashFrom = Atomics.load(gate, GATE_REPRICE_CRASH_FROM);
  // Thrown from the message listener, as passGate does: the thread ends like a real crash.
  if (crashFrom !== 0 && d >= crashFrom) throw new Error(`${thread} crashed while re-pricing (test gate)`);
}

/** Entry point of the worker thread (called by the bootstrap the client evaluates). */
export async function runQueryWorker(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('runQueryWorker runs inside a worker thread');
  const data = workerData as QueryWorkerData;
  const thread = WORKER_NAMES[data.role ?? 'queries'];
  const opened: ConnectorStore = await openStore(data.db, { timezones: data.timezones, readOnly: true });
  const shared = new Int32Array(data.generation);
  const gate = data.gate ? new Int32Array(data.gate) : null;
  const store = gate && gate.length > GATE_AWAITING_CREDIT ? hookedStore(opened, gate) : opened;
  const count = (slot: number, by: number) => {
    if (!gate || gate.length <= slot) return;
    Atomics.add(gate, slot, by);
    Atomics.notify(gate, slot);
  };
  if (gate) {
    const monotonic = performance.now.bind(performance);
    performance.now = () => monotonic() + Atomics.load(gate, 2);
  }
  let { book } = await loadPriceBook(store);
  // Our own book reloads add to the HTTP thread's generation: the sum moves whenever either does.
  let ownBumps = 0;
  const ctx: QueryContext = {
    store,
    wabas: new Map(data.wabas.map((w) => [w.id, w])),
    now: data.asOfMs === undefined ? Date.now : () => data.asOfMs as number,
    generation: () => Atomics.load(shared, 0) + ownBumps,
    priceBook: () => book,
    readPricedRollups: data.readPricedRollups,
  };
  const reply = (m: WorkerReply) => port.postMessage(m);

  const handle = async (m: Extract<WorkerRequest, { type: 'query' }>) => {
    try {
      if (!isApiQueryName(m.name)) throw new Error(`unknown query ${m.name}`);
      reply({ type: 'answer', id: m.id, json: await answerOf(ctx, m.name, m.q as never) });
    } catch (err) {
      reply({ type: 'failed', id: m.id, error: failureOf(err) });
    }
  };

  const report = async (m: Extract<WorkerRequest, { type: 'report' }>) => {
    try {
      reply({ type: 'answer', id: m.id, json: JSON.stringify(await buildReportContent(ctx, m.name, m.cfg, m.period)) });
    } catch (err) {
      reply({ type: 'failed', id: m.id, error: failureOf(err) });
    }
  };

  interface Flow {
    credit: number;
    cancelled: boolean;
    wake: (() => void) | null;
  }
  const flows = new Map<number, Flow>();
  // A chunk is read from the query only when the HTTP thread has room for it, so a slow client holds
  // the query back instead of making this thread buffer the answer.
  const stream = async (m: Extract<WorkerRequest, { type: 'stream' }>) => {
    const flow: Flow = { credit: m.credit, cancelled: false, wake: null };
    flows.set(m.id, flow);
    count(GATE_STREAMS, 1);
    try {
      if (!isStreamedQueryName(m.name)) throw new Error(`unknown streamed query ${m.name}`);
      const body = STREAMED_QUERIES[m.name](ctx, m.q as never);
      try {
        for (;;) {
          while (flow.credit <= 0 && !flow.cancelled) {
            count(GATE_AWAITING_CREDIT, 1);
            await new Promise<void>((r) => (flow.wake = r));
            count(GATE_AWAITING_CREDIT, -1);
          }
          if (flow.cancelled) return;
          const n = await body.next();
          if (flow.cancelled) return;
          if (n.done) break;
          flow.credit--;
          reply({ type: 'chunk', id: m.id, text: n.value });
        }
      } finally {
        await body.return(undefined);
      }
      reply({ type: 'end', id: m.id });
    } catch (err) {
      if (!flow.cancelled) reply({ type: 'failed', id: m.id, error: failureOf(err) });
    } finally {
      flows.delete(m.id);
      count(GATE_STREAMS, -1);
    }
  };
  const wake = (flow: Flow | undefined) => {
    const w = flow?.wake;
    if (flow) flow.wake = null;
    w?.();
  };
  // Reloads are chained so two of them never race and leave the older book in place.
  let reloading = Promise.resolve();

  // The re-pricer's months, each kept from its `reprice` until its `reprice-close`. The book is the
  // stored files as they are when the month is opened (after the claim), not the reloaded `book`,
  // which may lag an import by a minute: the import's marks were cleared by the claim.
  const pricer = localMonthPricer(store, priceBookLoader(store));
  const months = new Map<number, PricedMonth>();
  const openMonth = async (m: Extract<WorkerRequest, { type: 'reprice' }>) => {
    try {
      const members = m.wabaIds.map((id) => {
        const w = ctx.wabas.get(id);
        if (!w) throw new Error(`re-pricing: WABA ${id} is not configured in the ${thread}`);
        return w;
      });
      months.set(m.id, await pricer.open(members, m.month, m.kinds));
      reply({ type: 'repriced', id: m.id, value: null });
    } catch (err) {
      reply({ type: 'failed', id: m.id, error: failureOf(err) });
    }
  };
  const priceDay = async (m: Extract<WorkerRequest, { type: 'reprice-day' }>) => {
    try {
      const month = months.get(m.session);
      if (!month) throw new Error(`re-pricing: no month open under ${m.session}`);
      reply({ type: 'repriced', id: m.id, value: await month.day(m.day) });
    } catch (err) {
      reply({ type: 'failed', id: m.id, error: failureOf(err) });
    }
  };

  port.on('message', (m: WorkerRequest) => {
    if (m.type === 'query') {
      passGate(gate);
      void handle(m);
    } else if (m.type === 'report') {
      passGate(gate);
      void report(m);
    } else if (m.type === 'stream') {
      passGate(gate);
      void stream(m);
    } else if (m.type === 'more') {
      const flow = flows.get(m.id);
      if (flow) flow.credit++;
      wake(flow);
    } else if (m.type === 'cancel') {
      const flow = flows.get(m.id);
      if (flow) flow.cancelled = true;
      count(GATE_CANCELS, 1);
      wake(flow);
    } else if (m.type === 'prices') {
      reloading = reloading
        .then(async () => {
          ({ book } = await loadPriceBook(store));
          ownBumps++;
        })
        // A failed reload keeps the book in use; the next reload signal tries again.
        .catch(() => undefined);
    } else if (m.type === 'reprice') {
      void openMonth(m);
    } else if (m.type === 'reprice-day') {
      passRepricingGate(gate, m.day, thread);
      void priceDay(m);
    } else if (m.type === 'reprice-close') {
      months.get(m.session)?.close();
      months.delete(m.session);
    } else if (m.type === 'close') {
      void store.close().finally(() => {
        reply({ type: 'closed' });
        port.close();
      });
    }
  });
  reply({ type: 'ready' });
}
