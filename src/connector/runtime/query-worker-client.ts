/**
 * The HTTP thread's side of the query worker (docs/performance.md, "Queries off the HTTP thread"):
 * starts the worker thread, forwards validated /api/v1 queries, report builds and the re-pricer's
 * pricing to it, moves its cache generation, answers 503 for requests in flight when it crashes (a
 * report build or a re-pricing pass fails instead), and starts it again.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { InputError } from '@core';
import {
  QueryUnavailableError,
  type ApiQueryArg,
  type ApiQueryName,
  type QueryRunner,
  type QueryWorkerHealth,
  type StreamedQueryArg,
  type StreamedQueryName,
} from '../http/api-queries';
import type { ReportConfig } from '../config';
import type { PricedKind } from '../store';
import { type MonthPricer, type PricedDayRows, type PricedMonth, type WabaInfo } from '../query';
import type { ReportContent } from '../reports/report-content';
import type { PeriodDays } from '../reports/report-period';
import {
  WORKER_NAMES,
  type QueryWorkerData,
  type WorkerFailure,
  type WorkerReply,
  type WorkerRequest,
  type WorkerRole,
} from './query-worker';

// The worker is a fresh thread: it registers the same TypeScript loader the CLI runs under, then loads its entry.
const ENTRY = path.join(__dirname, `query-worker${path.extname(__filename)}`);
const BOOTSTRAP = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();
require(${JSON.stringify(ENTRY)}).runQueryWorker().catch((err) => { throw err; });`;

/** Consecutive crashes back off up to this long before the next start; an answered query resets the count. */
const MAX_RESTART_DELAY_MS = 30_000;
/** A worker that does not finish closing (a query under way) within this long is terminated. */
const CLOSE_GRACE_MS = 5_000;
/**
 * How many chunks of a streamed query the worker may read ahead of the response: one being sent and
 * one ready keep the socket busy; more would only hold days of rows in memory for a slow client.
 */
const STREAM_CREDIT = 2;

/**
 * A worker's young generation, MB, where V8's own (48: two semi-spaces and the new large-object
 * space, 16 each) is not kept. The re-pricer's passes nobody waits on, so its short-lived rows may be
 * promoted and collected with the old generation, which `server.heapGrowthPercent` keeps close to
 * what is alive: ~20 MB less at the connector's peak, for a re-pricing of three months after a rate
 * import in 37 s instead of 30 at 10M messages. The query worker keeps V8's: at 12 and 24 MB, panels
 * that build many small objects (unique contacts, calls by country) took up to twice as long
 * (docs/performance.md, "Heap growth").
 */
const YOUNG_GENERATION_MB: Record<WorkerRole, number | undefined> = { queries: undefined, repricing: 12 };

export interface QueryWorkerOptions {
  /** Default `queries`. */
  role?: WorkerRole;
  db: string;
  timezones: Record<string, string>;
  wabas: readonly WabaInfo[];
  asOfMs?: number;
  readPricedRollups: boolean;
  logger: Logger;
  /** Tests only: the gate of QueryWorkerData. */
  gate?: SharedArrayBuffer;
}

interface Pending {
  /** The answer's JSON text, or a re-pricing step's value. */
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** The error for this request when the worker stops under it (default: the 503 of an API query). */
  stopped?(why: string): Error;
}

/** The HTTP thread's end of a streamed query (`QueryWorker.stream`). */
interface Inflow {
  chunk(text: string): void;
  end(): void;
  fail(err: Error): void;
}

interface Incarnation {
  worker: Worker;
  pending: Map<number, Pending>;
  streams: Map<number, Inflow>;
  exited: Promise<void>;
}

function errorOf(f: WorkerFailure): Error {
  if (f.kind === 'input') return new InputError(f.field, f.value, f.reason);
  if (f.kind === 'status') return Object.assign(new Error(f.message), { statusCode: f.statusCode, ...(f.code ? { code: f.code } : {}) });
  const err = new Error(f.message);
  if (f.stack) err.stack = f.stack;
  return err;
}

export class QueryWorker implements QueryRunner {
  private readonly generationCell = new Int32Array(new SharedArrayBuffer(4));
  private current: Promise<Incarnation>;
  private live: Incarnation | null = null;
  private status: QueryWorkerHealth['status'] = 'ok';
  private restarts = 0;
  private consecutiveCrashes = 0;
  private lastCrashAt: number | null = null;
  private lastError: string | null = null;
  private closing = false;
  private nextId = 1;
  private restartTimer: NodeJS.Timeout | null = null;
  private startNow: () => void = () => undefined;
  /** How messages and logs name this thread. */
  readonly name: string;

  private constructor(private readonly opts: QueryWorkerOptions) {
    this.name = WORKER_NAMES[opts.role ?? 'queries'];
    this.current = this.spawn();
    // A start that fails is reported through `current` to whoever waits on it.
    this.current.catch(() => undefined);
  }

  /** Starts the worker and resolves once it has opened its store and loaded the price book. */
  static async start(opts: QueryWorkerOptions): Promise<QueryWorker> {
    const qw = new QueryWorker(opts);
    try {
      await qw.current;
    } catch (err) {
      await qw.close();
      const off =
        opts.role === 'repricing'
          ? 'set query.repricingWorker: false to price in the query worker'
          : 'set query.worker: false to run queries in the HTTP thread';
      throw new Error(`the ${qw.name} did not start (${off}): ${(err as Error).message}`, { cause: err });
    }
    return qw;
  }

  private spawn(): Promise<Incarnation> {
    const data: QueryWorkerData = {
      role: this.opts.role ?? 'queries',
      db: this.opts.db,
      timezones: this.opts.timezones,
      wabas: [...this.opts.wabas],
      ...(this.opts.asOfMs !== undefined ? { asOfMs: this.opts.asOfMs } : {}),
      readPricedRollups: this.opts.readPricedRollups,
      generation: this.generationCell.buffer as SharedArrayBuffer,
      ...(this.opts.gate ? { gate: this.opts.gate } : {}),
    };
    const young = YOUNG_GENERATION_MB[data.role ?? 'queries'];
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: data,
      ...(young !== undefined ? { resourceLimits: { maxYoungGenerationSizeMb: young } } : {}),
    });
    let markExited: () => void = () => undefined;
    const inc: Incarnation = { worker, pending: new Map(), streams: new Map(), exited: new Promise((r) => (markExited = r)) };
    return new Promise<Incarnation>((resolve, reject) => {
      let ready = false;
      let crash: Error | null = null;
      worker.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') {
          ready = true;
          // close() came while it was starting: it ends at once.
          if (this.closing) worker.postMessage({ type: 'close' } satisfies WorkerRequest);
          this.live = inc;
          this.status = 'ok';
          resolve(inc);
          return;
        }
        if (m.type === 'chunk' || m.type === 'end' || (m.type === 'failed' && inc.streams.has(m.id))) {
          const s = inc.streams.get(m.id);
          if (!s) return;
          if (m.type === 'chunk') return s.chunk(m.text);
          inc.streams.delete(m.id);
          this.consecutiveCrashes = 0;
          return m.type === 'end' ? s.end() : s.fail(errorOf(m.error));
        }
        if (m.type !== 'answer' && m.type !== 'repriced' && m.type !== 'failed') return;
        const p = inc.pending.get(m.id);
        if (!p) return;
        inc.pending.delete(m.id);
        this.consecutiveCrashes = 0;
        if (m.type === 'answer') p.resolve(m.json);
        else if (m.type === 'repriced') p.resolve(m.value);
        else p.reject(errorOf(m.error));
      });
      worker.on('error', (err) => (crash = err));
      worker.on('exit', (code) => {
        markExited();
        if (this.live === inc) this.live = null;
        const why = crash?.message ?? `exited with code ${code}`;
        const stopped = () => new QueryUnavailableError(`the ${this.name} stopped while answering (${why}); it is being restarted, retry`);
        for (const p of inc.pending.values()) p.reject(p.stopped?.(why) ?? stopped());
        inc.pending.clear();
        for (const s of inc.streams.values()) s.fail(stopped());
        inc.streams.clear();
        if (!ready) reject(new Error(why));
        if (this.closing) return;
        this.onCrash(why, ready);
      });
    });
  }

  private onCrash(why: string, wasReady: boolean): void {
    this.restarts++;
    this.consecutiveCrashes++;
    this.lastCrashAt = Date.now();
    this.lastError = why;
    this.status = wasReady ? 'restarting' : 'failed';
    this.opts.logger.error({ err: why, restarts: this.restarts }, `${this.name} stopped; starting it again`);
    const delay = this.consecutiveCrashes <= 1 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 250 * 2 ** (this.consecutiveCrashes - 1));
    const waited = new Promise<void>((r) => (this.startNow = r));
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.startNow();
    }, delay);
    this.current = waited.then(() => {
      if (this.closing) throw new Error('the connector is shutting down');
      return this.spawn();
    });
    this.current.catch(() => undefined);
  }

  run<N extends ApiQueryName>(name: N, q: ApiQueryArg<N>): Promise<string> {
    return this.ask((id) => ({ type: 'query', id, name, q }));
  }

  /**
   * A scheduled report's content, built in the worker by the same `buildReportContent` the HTTP
   * thread would run (so the bytes are the same), while the schedule, the lease and the send stay in
   * the HTTP thread. A worker that stops meanwhile fails this attempt; the scheduler retries it.
   */
  async report(name: string, cfg: ReportConfig, period: PeriodDays): Promise<ReportContent> {
    const json = await this.ask((id) => ({ type: 'report', id, name, cfg, period }), {
      stopped: (why) => new Error(`the ${this.name} stopped while building the report (${why}); this attempt failed and is retried`),
    });
    return JSON.parse(json) as ReportContent;
  }

  /** The worker that answers next: waits for a restart in progress, refuses while closing or when it cannot start. */
  private async running(): Promise<Incarnation> {
    if (this.closing) throw new QueryUnavailableError('the connector is shutting down');
    try {
      return await this.current;
    } catch (err) {
      throw new QueryUnavailableError(`the ${this.name} is not running (${(err as Error).message}); retry`);
    }
  }

  private async ask(request: (id: number) => WorkerRequest, opts: Pick<Pending, 'stopped'> = {}): Promise<string> {
    const inc = await this.running();
    return new Promise<string>((resolve, reject) => {
      const id = this.nextId++;
      inc.pending.set(id, { resolve: (json) => resolve(json as string), reject, ...opts });
      try {
        inc.worker.postMessage(request(id));
      } catch (err) {
        inc.pending.delete(id);
        reject(err as Error);
      }
    });
  }

  /**
   * A streamed query run in the worker, its chunks taken one by one: each chunk taken lets the worker
   * read one more (STREAM_CREDIT ahead), and `return()` tells it to stop the query.
   */
  stream<N extends StreamedQueryName>(name: N, q: StreamedQueryArg<N>): AsyncIterator<string, void> {
    const id = this.nextId++;
    const chunks: string[] = [];
    let finished = false;
    let failure: Error | null = null;
    let stopped = false;
    let wake: (() => void) | null = null;
    let inc: Incarnation | null = null;
    const signal = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    const post = (m: WorkerRequest) => {
      try {
        inc?.worker.postMessage(m);
      } catch {
        // The worker is gone: its exit fails this stream, or it already ended.
      }
    };
    const started = (async () => {
      if (this.closing) throw new QueryUnavailableError('the connector is shutting down');
      try {
        inc = await this.current;
      } catch (err) {
        throw new QueryUnavailableError(`the ${this.name} is not running (${(err as Error).message}); retry`);
      }
      if (stopped) return;
      inc.streams.set(id, {
        chunk: (text) => {
          chunks.push(text);
          signal();
        },
        end: () => {
          finished = true;
          signal();
        },
        fail: (err) => {
          failure = err;
          signal();
        },
      });
      inc.worker.postMessage({ type: 'stream', id, name, q, credit: STREAM_CREDIT } satisfies WorkerRequest);
    })();
    started.catch(() => undefined);
    const done: IteratorReturnResult<void> = { done: true, value: undefined };
    return {
      next: async () => {
        await started;
        for (;;) {
          if (stopped) return done;
          const text = chunks.shift();
          if (text !== undefined) {
            if (!finished && !failure) post({ type: 'more', id });
            return { done: false, value: text };
          }
          if (failure) throw failure;
          if (finished) return done;
          await new Promise<void>((r) => (wake = r));
        }
      },
      return: async () => {
        if (!stopped && !finished && !failure) {
          inc?.streams.delete(id);
          post({ type: 'cancel', id });
        }
        stopped = true;
        signal();
        return done;
      },
    };
  }

  /**
   * The re-pricer's pricing in the worker (docs/performance.md, "The re-pricer off the HTTP thread"):
   * the month is read and priced over the worker's connection and each day's rows come back to the
   * HTTP thread, whose store writes them. A month stays with the worker that priced it: once that
   * worker has stopped, its days fail (the month stays dirty) and the pass ends; the next one claims
   * the month again on the restarted worker.
   */
  readonly pricer: MonthPricer = { open: (members, month, kinds) => this.openMonth(members, month, kinds) };

  private async openMonth(members: readonly WabaInfo[], month: string, kinds: readonly PricedKind[]): Promise<PricedMonth> {
    const inc = await this.running();
    const session = this.nextId++;
    await this.call(inc, session, { type: 'reprice', id: session, month, wabaIds: members.map((w) => w.id), kinds: [...kinds] });
    return {
      day: async (day) => {
        const id = this.nextId++;
        return (await this.call(inc, id, { type: 'reprice-day', id, session, day })) as PricedDayRows;
      },
      close: () => {
        if (this.live !== inc) return;
        try {
          inc.worker.postMessage({ type: 'reprice-close', session } satisfies WorkerRequest);
        } catch {
          // The worker is gone, and the month with it.
        }
      },
    };
  }

  /** Posts a request to one incarnation and waits for its reply (rejected at once when that incarnation has stopped). */
  private call(inc: Incarnation, id: number, request: WorkerRequest): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      // Its exit rejected whatever was pending then; a request posted after it would wait for ever.
      if (this.live !== inc) {
        reject(new Error(`the ${this.name} that priced this month has stopped; the month stays dirty for the next pass`));
        return;
      }
      const stopped = (why: string) =>
        new Error(`the ${this.name} stopped while re-pricing (${why}); the month stays dirty for the next pass`);
      inc.pending.set(id, { resolve, reject, stopped });
      try {
        inc.worker.postMessage(request);
      } catch (err) {
        inc.pending.delete(id);
        reject(err as Error);
      }
    });
  }

  /** The HTTP thread's commit signal, pulls, price reloads and other replicas' notifications: cached answers in the worker are stale. */
  bump(): void {
    Atomics.add(this.generationCell, 0, 1);
  }

  /** The HTTP thread loaded a new price book: the worker reads the stored price files again. */
  pricesChanged(): void {
    this.live?.worker.postMessage({ type: 'prices' } satisfies WorkerRequest);
  }

  health(): QueryWorkerHealth {
    return { status: this.status, restarts: this.restarts, lastCrashAt: this.lastCrashAt, lastError: this.lastError };
  }

  /** Closes the worker's store and ends the thread (after the HTTP server stopped taking requests). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    // A restart waiting for its delay is abandoned; one under way is waited for and then closed.
    this.startNow();
    const inc = this.live ?? (await this.current.catch(() => null));
    if (!inc) return;
    inc.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
    const timer = setTimeout(() => void inc.worker.terminate(), CLOSE_GRACE_MS);
    await inc.exited;
    clearTimeout(timer);
  }
}
