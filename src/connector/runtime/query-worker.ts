/**
 * The query worker's side (runs inside a node:worker_threads thread started by query-worker-client.ts):
 * its own read-only connection to the store, its own query caches, and the same API_QUERIES the HTTP
 * thread would run. Nothing here is imported by the HTTP thread except the message types.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '@core';
import { answerOf, isApiQueryName } from '../http/api-queries';
import type { QueryContext, WabaInfo } from '../query';
import type { ConnectorStore } from '../store';
import { openStore } from './open-store';
import { loadPriceBook } from './price-files';

export interface QueryWorkerData {
  db: string;
  timezones: Record<string, string>;
  wabas: WabaInfo[];
  asOfMs?: number;
  readPricedRollups: boolean;
  /** Int32 [0]: the HTTP thread's cache generation (its commits, pulls, price reloads), moved with Atomics.add. */
  generation: SharedArrayBuffer;
  /**
   * Tests only (ConnectorOptions.queryWorkerGate, 16 bytes): Int32 [0] mode (0 run, 1 hold each query
   * before it starts, 2 crash the worker), [1] how many queries reached the gate, [2] milliseconds added
   * to this thread's monotonic clock (what the query caches age on), so a test can step past their
   * refresh time without sleeping, as it does with jest's fake clock in the HTTP thread.
   */
  gate?: SharedArrayBuffer;
}

export type WorkerRequest = { type: 'query'; id: number; name: string; q: unknown } | { type: 'prices' } | { type: 'close' };

export type WorkerFailure =
  | { kind: 'input'; field: string; value: unknown; reason: string }
  | { kind: 'status'; statusCode: number; code?: string; message: string }
  | { kind: 'internal'; message: string; stack?: string };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'answer'; id: number; json: string }
  | { type: 'failed'; id: number; error: WorkerFailure }
  | { type: 'closed' };

export const GATE_RUN = 0;
export const GATE_HOLD = 1;
export const GATE_CRASH = 2;

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

/** Entry point of the worker thread (called by the bootstrap the client evaluates). */
export async function runQueryWorker(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('runQueryWorker runs inside a worker thread');
  const data = workerData as QueryWorkerData;
  const store: ConnectorStore = await openStore(data.db, { timezones: data.timezones, readOnly: true });
  const shared = new Int32Array(data.generation);
  const gate = data.gate ? new Int32Array(data.gate) : null;
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
  // Reloads are chained so two of them never race and leave the older book in place.
  let reloading = Promise.resolve();

  port.on('message', (m: WorkerRequest) => {
    if (m.type === 'query') {
      passGate(gate);
      void handle(m);
    } else if (m.type === 'prices') {
      reloading = reloading
        .then(async () => {
          ({ book } = await loadPriceBook(store));
          ownBumps++;
        })
        // A failed reload keeps the book in use; the next reload signal tries again.
        .catch(() => undefined);
    } else if (m.type === 'close') {
      void store.close().finally(() => {
        reply({ type: 'closed' });
        port.close();
      });
    }
  });
  reply({ type: 'ready' });
}
