/**
 * GET /api/v1/pricing-input sends its body as the query produces it (issue 13 item 1; docs/performance.md,
 * "Priced rollups" and "Queries off the HTTP thread"), through the query worker and in the HTTP thread, on
 * SQLite and PostgreSQL:
 * - the streamed body is byte for byte `JSON.stringify` of the whole response, over the store suite's queries,
 *   and the compact form (`format=columns`) holds the same rows;
 * - the first chunk reaches the client while the read of the last day is still held (a hook on the store's
 *   daily reads: in the worker through the test gate's read slots, in the HTTP thread a store double), so the
 *   body arrives in more than one piece and before the query has finished;
 * - a client that goes away mid-body stops the query: no day after the one under way is read, and the next
 *   request is answered in full;
 * - a read failing after the first chunk cuts the connection (the client's body read fails: the body never
 *   looks complete) and is logged; failing before the first chunk it is the 500 it always was.
 * No sleeps: the hooks order every step.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { DEMO_WABAS } from '../../src/connector/demo';
import { buildApp } from '../../src/connector/http';
import type { QueryRunner } from '../../src/connector/http';
import { inThreadRunner } from '../../src/connector/http/api-queries';
import { pricingInput, pricingInputBody } from '../../src/connector/query/other-series';
import type { QueryContext } from '../../src/connector/query/query-context';
import type { RunningConnector } from '../../src/connector/runtime/connector';
import { demoConfig } from '../../src/connector/runtime/demo-config';
import { openStore } from '../../src/connector/runtime/open-store';
import { loadPriceBook } from '../../src/connector/runtime/price-files';
import {
  GATE_AWAITING_CREDIT,
  GATE_CANCELS,
  GATE_CRASH,
  GATE_HOLD,
  GATE_RUN,
  GATE_FAIL_READS_FROM,
  GATE_HOLD_READS_FROM,
  GATE_READS,
  GATE_STREAMS,
  gateDay,
} from '../../src/connector/runtime/query-worker';
import { wabaInfoOf } from '../../src/connector/runtime/waba-info';
import { pricingInputQuery } from '../../src/contract';
import type { ConnectorStore } from '../../src/connector/store';
import { BOTH_STORES, type EmptyDatabase } from '../helpers/both-stores';
import { DEMO_TIMEZONES, seedDemoStore, startInProcess } from '../helpers/in-process-connector';
import { rowsOfColumns } from '../helpers/pricing-input-columns';
import { reached, setSlot, slotReaches } from '../helpers/query-worker-gate';
import { pricingInputQueries } from '../store/pricing-input-suite';

jest.setTimeout(180_000);

const TOKEN = 'pricing-input-stream-token-0123456789';
const AS_OF = Date.parse('2026-09-12T15:00:00Z');
const WABA = (DEMO_WABAS[0] as (typeof DEMO_WABAS)[number]).id;
// The seeded data ends on 2026-09-12 and starts after 2026-09-01, so a query from 2026-09-01 reads the
// store one day per call from 2026-09-01 to 2026-09-12: twelve reads, the ninth of them 2026-09-09.
const WHOLE = 'from=2026-09-01&to=2026-09-12';
const LAST_DAY = '2026-09-12';
const MIDDLE_DAY = '2026-09-09';
const FAILED_LOG = 'streamed response failed after its first byte; the connection was cut';

/** What the HTTP thread's store double does on the daily reads (the in-thread counterpart of the gate's read slots). */
class ReadHook {
  asked = 0;
  holdFrom: string | null = null;
  failFrom: string | null = null;
  private release: () => void = () => undefined;
  private held = new Promise<void>((r) => (this.release = r));
  private askedWaiters: { n: number; resolve: () => void }[] = [];

  hold(day: string): void {
    this.holdFrom = day;
    this.held = new Promise<void>((r) => (this.release = r));
  }
  open(): void {
    this.holdFrom = null;
    this.release();
  }
  /** Resolves once `n` daily reads have been asked for (the last of them may be held). */
  askedFor(n: number): Promise<void> {
    return this.asked >= n ? Promise.resolve() : new Promise((resolve) => this.askedWaiters.push({ n, resolve }));
  }
  async pass(toDay: string): Promise<void> {
    this.asked++;
    for (const w of this.askedWaiters.filter((x) => x.n <= this.asked)) w.resolve();
    this.askedWaiters = this.askedWaiters.filter((x) => x.n > this.asked);
    if (this.holdFrom !== null && toDay >= this.holdFrom) await this.held;
    if (this.failFrom !== null && toDay >= this.failFrom) throw new Error(`store read of ${toDay} failed (test double)`);
  }
  wrap(store: ConnectorStore): ConnectorStore {
    type Range = Parameters<ConnectorStore['usageDaily']>[0];
    const hooked = {
      usageDaily: async (r: Range) => {
        await this.pass(r.toDay);
        return store.usageDaily(r);
      },
      usagePricingDaily: async (r: Range) => {
        await this.pass(r.toDay);
        return store.usagePricingDaily(r);
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
}

/** The two ways the route runs, as the tests drive them. */
interface Path {
  url: string;
  /** The query worker and its gate (absent in the HTTP thread). */
  worker?: { runner: QueryRunner; gate: Int32Array };
  logged: { msg: string }[];
  /** The store reads from `day` on wait until `open()`. */
  hold(day: string): void;
  open(): void;
  failFrom(day: string | null): void;
  /** Daily reads asked for so far. */
  asked(): number;
  askedFor(n: number): Promise<void>;
  /** Resolves once the server has told the query to stop (the client went away). */
  cancelled(): Promise<void>;
  /** Resolves once no streamed query is running any more (the query's generator has ended). */
  idle(): Promise<void>;
}

function capture(): { logger: pino.Logger; logged: { msg: string }[] } {
  const logged: { msg: string }[] = [];
  const sink = new Writable({
    write(line: Buffer, _enc, done) {
      logged.push(JSON.parse(line.toString()) as { msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink), logged };
}

const get = (url: string, q: string, signal?: AbortSignal) =>
  fetch(`${url}/api/v1/pricing-input?${q}`, { headers: { authorization: `Bearer ${TOKEN}` }, ...(signal ? { signal } : {}) });

/** Reads the body until at least one byte has come (what the first chunk, or part of it, brought). */
async function firstBytes(reader: ReadableStreamDefaultReader<Uint8Array>, decoder: TextDecoder): Promise<string> {
  let text = '';
  while (text === '') {
    const r = await reader.read();
    if (r.done) throw new Error('the body ended before any byte came');
    text += decoder.decode(r.value, { stream: true });
  }
  return text;
}

async function rest(reader: ReadableStreamDefaultReader<Uint8Array>, decoder: TextDecoder): Promise<string> {
  let text = '';
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value, { stream: true });
  return text + decoder.decode();
}

for (const engine of BOTH_STORES)
  engine.describe(`/pricing-input streamed on ${engine.scheme}`, () => {
    let database: EmptyDatabase;
    let store: ConnectorStore;
    let ctx: QueryContext;
    const closers: (() => Promise<void>)[] = [];
    const whole = async (q: string) =>
      JSON.stringify(await pricingInput(ctx, pricingInputQuery.parse(Object.fromEntries(new URLSearchParams(q)))));

    beforeAll(async () => {
      database = await engine.createDatabase('pistream');
      await seedDemoStore(database.url, { seed: `pricing-input-stream-${engine.scheme}`, asOfMs: AS_OF, days: 10, scale: 0.02 });
      store = await openStore(database.url, { timezones: DEMO_TIMEZONES });
      const book = (await loadPriceBook(store)).book;
      const wabas = new Map(demoConfig(TOKEN).wabas.map((w) => [w.id, wabaInfoOf(w)]));
      ctx = { store, wabas, priceBook: () => book, generation: () => 0, now: () => AS_OF };
    });
    afterAll(async () => {
      for (const close of closers.reverse()) await close();
      await store?.close();
      await database?.remove();
    });

    /** The route through the query worker: the gate's read slots hook the worker's own store reads. */
    async function workerPath(): Promise<Path> {
      const { logger, logged } = capture();
      const gate = new Int32Array(new SharedArrayBuffer(36));
      const running: RunningConnector = await startInProcess({
        config: demoConfig(TOKEN),
        db: database.url,
        repricing: false,
        logger,
        asOfMs: AS_OF,
        queryWorker: true,
        queryWorkerGate: gate.buffer as SharedArrayBuffer,
      });
      closers.push(() => running.close());
      expect(running.queryWorker).not.toBeNull();
      return {
        url: running.url,
        worker: { runner: running.queryWorker as QueryRunner, gate },
        logged,
        hold: (day) => setSlot(gate, GATE_HOLD_READS_FROM, gateDay(day)),
        open: () => setSlot(gate, GATE_HOLD_READS_FROM, 0),
        failFrom: (day) => setSlot(gate, GATE_FAIL_READS_FROM, day === null ? 0 : gateDay(day)),
        asked: () => Atomics.load(gate, GATE_READS),
        askedFor: (n) => slotReaches(gate, GATE_READS, (v) => v >= n),
        cancelled: () => slotReaches(gate, GATE_CANCELS, (v) => v >= 1).then(() => setSlot(gate, GATE_CANCELS, 0)),
        idle: () => slotReaches(gate, GATE_STREAMS, (v) => v === 0),
      };
    }

    /**
     * The route in the HTTP thread (`query.worker: false`) on a store double. The runner is the in-thread
     * one, watched: `return()` (the route stopping the query) is seen as it is called and as it completes.
     */
    async function inThreadPath(): Promise<Path> {
      const hook = new ReadHook();
      const logged: { msg: string }[] = [];
      const inner = inThreadRunner({ ...ctx, store: hook.wrap(store) });
      let returned: () => void = () => undefined;
      let cancelled = new Promise<void>((r) => (returned = r));
      let running = 0;
      const idle: (() => void)[] = [];
      const runner: QueryRunner = {
        run: (name, q) => inner.run(name, q),
        stream: (name, q) => {
          const it = inner.stream(name, q);
          running++;
          let over = false;
          const ended = () => {
            if (over) return;
            over = true;
            running--;
            if (running === 0) for (const f of idle.splice(0)) f();
          };
          return {
            next: async () => {
              try {
                const n = await it.next();
                if (n.done) ended();
                return n;
              } catch (err) {
                ended();
                throw err;
              }
            },
            return: async () => {
              returned();
              const r = await (it.return?.() ?? Promise.resolve({ done: true as const, value: undefined }));
              ended();
              return r;
            },
          };
        },
      };
      const app: FastifyInstance = await buildApp({
        store,
        query: { ...ctx, store: hook.wrap(store) },
        queryRunner: runner,
        apiToken: TOKEN,
        errorLog: { error: (_obj, msg) => logged.push({ msg }) },
      });
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      closers.push(() => app.close());
      return {
        url,
        logged,
        hold: (day) => hook.hold(day),
        open: () => hook.open(),
        failFrom: (day) => (hook.failFrom = day),
        asked: () => hook.asked,
        askedFor: (n) => hook.askedFor(n),
        cancelled: () =>
          cancelled.then(() => {
            cancelled = new Promise<void>((r) => (returned = r));
          }),
        idle: () => (running === 0 ? Promise.resolve() : new Promise<void>((r) => idle.push(r))),
      };
    }

    for (const [name, makePath] of [
      ['through the query worker', workerPath],
      ['in the HTTP thread', inThreadPath],
    ] as const)
      describe(name, () => {
        let p: Path;
        beforeAll(async () => {
          p = await makePath();
        });

        it("sends the whole response's bytes, for every query of the store suite; errors before the first byte answer as before", async () => {
          const queries = pricingInputQueries(WABA, [
            ['2026-09-01', '2026-09-12'],
            ['2026-09-06', '2026-09-09'],
            ['2030-01-01', '2030-01-31'],
          ]).map((params) => new URLSearchParams(params).toString());
          let withRows = 0;
          for (const q of queries) {
            const res = await get(p.url, q);
            const text = await res.text();
            expect({ q, status: res.status, type: res.headers.get('content-type'), text }).toEqual({
              q,
              status: 200,
              type: 'application/json; charset=utf-8',
              text: await whole(q),
            });
            if ((JSON.parse(text) as { rows: unknown[] }).rows.length > 0) withRows++;
            // The compact form through the same route: the same rows and prior units.
            const compact = await get(p.url, `${q}&format=columns`);
            const decoded = rowsOfColumns(await compact.text());
            expect({ q, status: compact.status, rows: decoded.rows, priorUnits: decoded.priorUnits }).toEqual({
              q,
              status: 200,
              ...JSON.parse(text),
            });
          }
          // 2 of the 3 ranges hold data: bodies with rows, not only empty ones, were compared.
          expect(withRows).toBeGreaterThanOrEqual(20);

          const bad = await get(p.url, 'from=2026-09-10&to=2026-09-01');
          expect({ status: bad.status, body: (await bad.json()) as unknown }).toEqual({
            status: 400,
            body: { error: 'bad_request', message: 'to: "2026-09-01" must not be before from', field: 'to' },
          });
          const badFormat = await get(p.url, `${WHOLE}&format=xml`);
          expect({ status: badFormat.status, body: (await badFormat.json()) as { field?: string } }).toMatchObject({
            status: 400,
            body: { error: 'bad_request', field: 'format' },
          });
          // The first day read fails: nothing was sent yet, so it is the 500 every failed query gets.
          p.failFrom('2026-09-01');
          const failed = await get(p.url, WHOLE);
          p.failFrom(null);
          expect({ status: failed.status, body: (await failed.json()) as unknown }).toEqual({
            status: 500,
            body: { error: 'internal', message: 'internal error' },
          });
          expect(p.logged.filter((l) => l.msg === FAILED_LOG)).toEqual([]);
        });

        it('delivers the first chunk while the read of the last day is held, the rest after it', async () => {
          const expected = await whole(WHOLE);
          const before = p.asked();
          p.hold(LAST_DAY);
          const res = await get(p.url, WHOLE);
          expect(res.status).toBe(200);
          const reader = (res.body as ReadableStream<Uint8Array>).getReader();
          const decoder = new TextDecoder();
          const first = await firstBytes(reader, decoder);
          // Everything the client has was sent before the last day was read.
          expect(expected.startsWith(first)).toBe(true);
          expect(first.length).toBeLessThan(expected.length);
          expect(first.startsWith('{"rows":[{"day":"2026-09-')).toBe(true);
          p.open();
          expect(first + (await rest(reader, decoder))).toBe(expected);
          // One read per day from 2026-09-01 to 2026-09-12.
          expect(p.asked() - before).toBe(12);
        }, 60_000);

        it('stops the query when the client goes away mid-body; the next request is answered in full', async () => {
          const expected = await whole(WHOLE);
          const before = p.asked();
          p.hold(MIDDLE_DAY);
          const abort = new AbortController();
          const res = await get(p.url, WHOLE, abort.signal);
          const reader = (res.body as ReadableStream<Uint8Array>).getReader();
          const first = await firstBytes(reader, new TextDecoder());
          expect(expected.startsWith(first)).toBe(true);
          // The query is inside the read of 2026-09-09 (the ninth), held.
          await p.askedFor(before + 9);
          abort.abort();
          await expect(reader.read()).rejects.toThrow();
          await p.cancelled();
          p.open();
          await p.idle();
          // The read under way finished; none of 2026-09-10 .. 2026-09-12 was asked for.
          expect(p.asked() - before).toBe(9);
          const next = await get(p.url, WHOLE);
          expect(await next.text()).toBe(expected);
        }, 60_000);

        it('cuts the connection when a read fails after the first chunk, and logs it', async () => {
          const expected = await whole(WHOLE);
          const logsBefore = p.logged.filter((l) => l.msg === FAILED_LOG).length;
          p.failFrom(MIDDLE_DAY);
          const res = await get(p.url, WHOLE);
          // The status went out with the first chunk.
          expect(res.status).toBe(200);
          const reader = (res.body as ReadableStream<Uint8Array>).getReader();
          const decoder = new TextDecoder();
          let received = '';
          const cut = await (async () => {
            try {
              for (let r = await reader.read(); !r.done; r = await reader.read()) received += decoder.decode(r.value, { stream: true });
              return null;
            } catch (err) {
              return err as Error;
            }
          })();
          p.failFrom(null);
          // The client sees a body that did not end, never a complete-looking one.
          expect(String(cut)).toBe('TypeError: terminated');
          expect(received.length).toBeGreaterThan(0);
          expect(expected.startsWith(received)).toBe(true);
          expect(received.length).toBeLessThan(expected.length);
          expect(p.logged.filter((l) => l.msg === FAILED_LOG).length).toBe(logsBefore + 1);
          await p.idle();
          expect(await (await get(p.url, WHOLE)).text()).toBe(expected);
        }, 60_000);

        if (name === 'through the query worker')
          it('reads at most two chunks ahead of what the response has taken', async () => {
            const { runner, gate } = p.worker as NonNullable<Path['worker']>;
            const q = pricingInputQuery.parse(Object.fromEntries(new URLSearchParams(WHOLE)));
            const chunks: string[] = [];
            for await (const c of pricingInputBody(ctx, q)) chunks.push(c);
            // Reads run one a day from 2026-09-01: the day of the month a chunk's rows are on is how many reads it took.
            const readsFor = (chunk: string | undefined) => Number(/"day":"2026-09-(\d\d)"/.exec(chunk ?? '')?.[1]);
            expect(chunks.length).toBeGreaterThan(4);
            const before = p.asked();
            const body = runner.stream('pricing-input', q);
            expect(await body.next()).toEqual({ done: false, value: chunks[0] });
            // One chunk taken: the worker reads on to the third chunk's day, posts it and waits; nothing after that day is read.
            await p.askedFor(before + readsFor(chunks[2]));
            await slotReaches(gate, GATE_AWAITING_CREDIT, (v) => v === 1);
            expect(p.asked() - before).toBe(readsFor(chunks[2]));
            expect(await body.next()).toEqual({ done: false, value: chunks[1] });
            // One more taken: it reads on to the fourth chunk's day, and waits again.
            await p.askedFor(before + readsFor(chunks[3]));
            await slotReaches(gate, GATE_AWAITING_CREDIT, (v) => v === 1);
            expect(p.asked() - before).toBe(readsFor(chunks[3]));
            await body.return?.();
            await p.idle();
            expect(Atomics.load(gate, GATE_AWAITING_CREDIT)).toBe(0);
          }, 60_000);

        if (name === 'through the query worker')
          it('a worker crash is a 503 before the first chunk and a cut connection after it; the restarted worker answers', async () => {
            const { gate } = p.worker as NonNullable<Path['worker']>;
            const expected = await whole(WHOLE);
            // Before: the stream message is held at the gate, and the worker crashes there.
            setSlot(gate, 0, GATE_HOLD);
            const early = get(p.url, WHOLE);
            await reached(gate, 1);
            setSlot(gate, 0, GATE_CRASH);
            const refused = await early;
            expect(refused.status).toBe(503);
            expect(((await refused.json()) as { error: string }).error).toBe('unavailable');
            setSlot(gate, 0, GATE_RUN);
            setSlot(gate, 1, 0);
            // The dead worker's count of running streams does not matter to the new one.
            setSlot(gate, GATE_STREAMS, 0);

            // After: the restarted worker streams until the last day's read, held; a second query then crashes it.
            p.hold(LAST_DAY);
            const res = await get(p.url, WHOLE);
            expect(res.status).toBe(200);
            const reader = (res.body as ReadableStream<Uint8Array>).getReader();
            const decoder = new TextDecoder();
            const first = await firstBytes(reader, decoder);
            expect(expected.startsWith(first)).toBe(true);
            setSlot(gate, 0, GATE_CRASH);
            const other = await fetch(`${p.url}/api/v1/lists/countries`, { headers: { authorization: `Bearer ${TOKEN}` } });
            expect(other.status).toBe(503);
            await expect(rest(reader, decoder)).rejects.toThrow('terminated');
            setSlot(gate, 0, GATE_RUN);
            p.open();
            setSlot(gate, GATE_STREAMS, 0);
            expect(await (await get(p.url, WHOLE)).text()).toBe(expected);
          }, 60_000);
      });
  });
