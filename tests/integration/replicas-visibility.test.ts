/**
 * Issue 13 items 5 and 7 behind a load balancer: a webhook acknowledged by one replica shows in
 * another replica's panels within 2 s. Two connectors on one PostgreSQL database; replica B answers
 * a panel from its cache, replica A takes a webhook (or a price file), and B's next answer counts it.
 * B learns of A's commit only through PostgreSQL's NOTIFY (store/postgres/change-feed.ts): without it,
 * B's cache generation does not move and it keeps answering its cached figures for 15 s.
 *
 * Only the monotonic clock the query caches age on is faked (jest's in the HTTP thread, the test
 * gate's clock cell in the query worker), and never by 15 s or more between two answers, so an answer
 * can only change because the generation moved, not because the cache expired. Waits are bounded
 * polls on a condition (B's generation, B's /health, a notification count), never sleeps.
 *
 * Each test posts its own messages on a day of July 2025 no other test posts on, so it passes alone and
 * its figures are only what it posted: the price file's test on 10 July (after the second card's 5 July
 * start), the others on days before 5 July, which keep the first card whether or not it has run.
 */
import { Client } from 'pg';
import type { HealthResponse } from '@contract';
import type { ConnectorConfig } from '../../src/connector/config';
import type { RunningConnector } from '../../src/connector/runtime/connector';
import { importRateFile } from '../../src/connector/runtime/price-files';
import { PgStore } from '../../src/connector/store';
import { startInProcess } from '../helpers/in-process-connector';
import { requirePrerequisite } from '../helpers/prerequisites';
import { advanceCacheClock, fakeCacheClock } from '../helpers/cache-clock';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { deliveredUtilityToBrazil } from '../helpers/webhook-envelopes';
import { postAcknowledged } from '../helpers/post-webhook';

const TOKEN = 'replicas-visibility-token-0123456789';
const config: ConnectorConfig = {
  apiToken: TOKEN,
  wabas: [{ id: 'W1', name: 'W1', timezone: 'UTC', currency: 'USD', portfolio: 'PF1' }],
};
const card = (utility: string) =>
  `Cost per message in USD\nMarket,Currency,Marketing,Utility,Authentication,Authentication-International,Service\nBrazil,USD,0.0625,${utility},0.0315,,\n`;
const R1 = { kind: 'rates' as const, text: card('0.0080'), effectiveFrom: '2025-07-01', fileName: 'r1.csv' };
const R2 = { kind: 'rates' as const, text: card('0.0100'), effectiveFrom: '2025-07-05', fileName: 'r2.csv' };

/** A delivered utility message to a Brazilian number on `day` July 2025 at `hour` (UTC). */
const delivered = (wamid: string, day: number, hour: number) =>
  deliveredUtilityToBrazil(wamid, new Date(Date.UTC(2025, 6, day, hour)).toISOString());

/** Polls `cond` every 10 ms until it holds; fails after `withinMs` of real time, naming what did not happen. */
async function until(what: string, cond: () => boolean | Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const postgres = requirePrerequisite('PostgreSQL');

postgres.describe('two connectors on one PostgreSQL: what one acknowledges, the other answers', () => {
  describe.each([
    ['in the HTTP thread', false],
    ['in the query worker', true],
  ])('replica B answering %s', (_where, inWorker) => {
    let db: TestDatabase;
    let a: RunningConnector;
    let b: RunningConnector;
    const gate = new Int32Array(new SharedArrayBuffer(16));
    // B's cache clock in both places a query can run.
    const advance = (ms: number) => advanceCacheClock(gate, ms);
    // B's listener reconnects only when this lets it (the outage test holds it).
    let reconnectHold: Promise<void> | null = null;
    let reconnectAsked = 0;

    const post = async (to: RunningConnector, envelope: object) => {
      await postAcknowledged(to.url, envelope);
    };
    const api = async <T>(to: RunningConnector, pathAndQuery: string): Promise<T> => {
      const res = await fetch(`${to.url}/api/v1/${pathAndQuery}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as T;
    };
    /** Replica B's panel: delivered messages and their cost on `day` (2025-07-DD). */
    const onB = async (day: string) => {
      const body = await api<{ rows: { messages: number; cost: string | null }[] }>(
        b,
        `usage?from=${day}&to=${day}&interval=day&by=category`,
      );
      expect(body.rows).toHaveLength(1);
      const row = body.rows[0] as { messages: number; cost: string | null };
      return { messages: row.messages, cost: row.cost };
    };
    const healthOf = async (c: RunningConnector) => (await (await fetch(`${c.url}/health`)).json()) as HealthResponse;
    const changesOf = (c: RunningConnector) => {
      if (!c.changes) throw new Error('a PostgreSQL connector has a change listener');
      return c.changes;
    };

    beforeAll(async () => {
      fakeCacheClock();
      db = await createTestDatabase('waspend_replica_visibility');
      // The first card is in the database before either replica starts, so both load it.
      const setup = await PgStore.open(db.url, { timezones: { W1: 'UTC' } });
      await importRateFile(setup, R1, 1);
      await setup.close();
      const start = (worker: boolean, extra: object) =>
        startInProcess({
          config,
          db: db.url,
          // Every answer is then the query-time pricing the caches hold (the priced rollups are another path).
          repricing: false,
          queryWorker: worker,
          ...extra,
        });
      a = await start(false, {});
      b = await start(inWorker, {
        ...(inWorker ? { queryWorkerGate: gate.buffer as SharedArrayBuffer } : {}),
        changeListenerBeforeReconnect: async () => {
          reconnectAsked += 1;
          await reconnectHold;
        },
      });
      expect(b.queryWorker !== null).toBe(inWorker);
      expect((await healthOf(b)).changeListener).toEqual({ status: 'listening', reconnects: 0, downSince: null, lastError: null });
    });
    afterAll(async () => {
      jest.useRealTimers();
      await a?.close();
      await b?.close();
      await db?.drop();
    });

    it('a webhook acknowledged by A counts in B next answer; B hears of it well within 2 s, A ignores its own notice', async () => {
      await post(a, delivered('m1', 2, 10));
      // Priced and cached by B: one utility message at 0.0080.
      expect(await onB('2025-07-02')).toEqual({ messages: 1, cost: '0.008' });
      // m1's notification has reached both listeners before the measured webhook is sent.
      await until('m1 heard by both replicas', () => changesOf(a).counts.own === 1 && changesOf(b).counts.received === 1, 2_000);
      const bBefore = b.query.generation();
      const aBefore = a.query.generation();

      await post(a, delivered('m2', 2, 11));
      const ackedAt = Date.now();
      // A's writer moved A's generation before the 200, once.
      expect(a.query.generation()).toBe(aBefore + 1);
      await until("B's cache generation moved", () => b.query.generation() !== bBefore, 2_000);
      expect(Date.now() - ackedAt).toBeLessThan(2_000);
      // Past the 2 s a cached span is always reused, far inside the 15 s it is kept while the generation stands.
      advance(3_000);
      expect(await onB('2025-07-02')).toEqual({ messages: 2, cost: '0.016' }); // 2 x 0.0080

      // A received its own notification and did nothing with it: its generation is where its writer left it.
      await until("A's own notification for m2", () => changesOf(a).counts.own === 2, 2_000);
      expect(a.query.generation()).toBe(aBefore + 1);
      expect(changesOf(b).counts.own).toBe(0);

      // A replay changes nothing anywhere: no notification is sent, so B's count of them stays put.
      const heard = changesOf(b).counts.received;
      await post(a, delivered('m2', 2, 11));
      await post(a, delivered('m3', 2, 12));
      await until('m3 heard by B', () => changesOf(b).counts.received > heard, 2_000);
      expect(changesOf(b).counts.received).toBe(heard + 1);
    });

    it('a price file imported through A prices B next answer', async () => {
      // Three messages of its own on 10 July, heard by B before it answers.
      const heard = changesOf(b).counts.received;
      await post(a, delivered('p1', 10, 10));
      await post(a, delivered('p2', 10, 11));
      await post(a, delivered('p3', 10, 12));
      await until('p1 to p3 heard by B', () => changesOf(b).counts.received === heard + 3, 2_000);
      advance(3_000);
      const before = await onB('2025-07-10');
      expect(before).toEqual({ messages: 3, cost: '0.024' }); // p1, p2, p3 at 0.0080
      await importRateFile(a.store, R2, Date.now());
      // The book B answers with (in the worker, the worker's own) has the new card once its rate_card annotation shows.
      const cards = async () =>
        (await api<{ items: { time: number; kind: string }[] }>(b, 'annotations?from=2025-07-01&to=2025-07-31&kind=rate_card')).items.map(
          (i) => new Date(i.time).toISOString().slice(0, 10),
        );
      await until('B reloaded its price book', async () => (await cards()).includes('2025-07-05'), 2_000);
      advance(3_000);
      expect(await onB('2025-07-10')).toEqual({ messages: 3, cost: '0.03' }); // 3 x 0.0100 from 5 July
    });

    it('a flood of price notifications makes one reload under way and one more after it, not one each', async () => {
      const store = b.store as PgStore;
      const real = store.rateFiles.bind(store);
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => (release = r));
      let calls = 0;
      let done = 0;
      const spy = jest.spyOn(store, 'rateFiles').mockImplementation(async () => {
        calls += 1;
        if (calls === 1) await held;
        const files = await real();
        done += 1;
        return files;
      });
      const notifier = new Client({ connectionString: db.url });
      await notifier.connect();
      try {
        const heard = changesOf(b).counts.received;
        // Fifty price imports by fifty other processes, announced together; the first reload is held meanwhile.
        await notifier.query('BEGIN');
        for (let i = 0; i < 50; i++) await notifier.query("SELECT pg_notify('waspend_changes', $1)", [`prices other-${i}`]);
        await notifier.query('COMMIT');
        await until('the fifty notifications heard by B', () => changesOf(b).counts.received === heard + 50, 2_000);
        expect(calls).toBe(1);
        release();
        await until('the second reload done', () => done === 2, 2_000);
        // Whatever a third reload would start, it would have started in the continuations of the second.
        await new Promise((r) => setImmediate(r));
        expect(calls).toBe(2);
      } finally {
        release();
        spy.mockRestore();
        await notifier.end();
      }
    });

    it('a pulled chunk stored through A moves B generation once, as A own pulls move A', async () => {
      const heard = changesOf(b).counts.received;
      const g = b.query.generation();
      await a.store.replaceDays('W1', 'meta_pricing', ['2025-07-10'], { pricing: [] }, { lastCompleteDay: '2025-07-10' });
      await until('the pull heard by B', () => changesOf(b).counts.received === heard + 1, 2_000);
      expect(b.query.generation()).toBe(g + 1);
    });

    it('a killed listener connection shows on /health, the caches refresh every second meanwhile, and it reconnects', async () => {
      let release: () => void = () => undefined;
      reconnectHold = new Promise<void>((r) => (release = r));
      const pid = changesOf(b).backendPid();
      expect(pid).not.toBeNull();
      const admin = new Client({ connectionString: db.url });
      await admin.connect();
      try {
        expect((await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid])).rows[0]?.ok).toBe(true);
      } finally {
        await admin.end();
      }
      await until('B retries the connection', () => reconnectAsked === 1, 5_000);
      const down = await healthOf(b);
      expect(down.status).toBe('degraded');
      expect(down.changeListener).toMatchObject({ status: 'reconnecting', reconnects: 0 });
      expect(down.changeListener?.downSince).toEqual(expect.any(Number));
      expect(down.changeListener?.lastError).toEqual(expect.any(String));

      // No notification can reach B now; the fallback moves its generation (every second) instead.
      const heard = changesOf(b).counts.received;
      const g = b.query.generation();
      await post(a, delivered('m4', 3, 13));
      await until("B's fallback moved its generation", () => b.query.generation() !== g, 3_000);
      advance(3_000);
      expect(await onB('2025-07-03')).toEqual({ messages: 1, cost: '0.008' }); // m4 at 0.0080 (3 July, before the second card)
      expect(changesOf(b).counts.received).toBe(heard);

      release();
      await until('B listening again', async () => (await healthOf(b)).changeListener?.status === 'listening', 5_000);
      const up = await healthOf(b);
      expect(up.status).toBe('ok');
      expect(up.changeListener).toEqual({ status: 'listening', reconnects: 1, downSince: null, lastError: down.changeListener?.lastError });
      // Notifications again: m5 reaches B by its listener, and B's next answer counts it.
      const g2 = b.query.generation();
      await post(a, delivered('m5', 3, 14));
      await until('m5 heard by B', () => changesOf(b).counts.received === heard + 1, 2_000);
      expect(b.query.generation()).not.toBe(g2);
      advance(3_000);
      expect(await onB('2025-07-03')).toEqual({ messages: 2, cost: '0.016' }); // m4 and m5, 2 x 0.0080
    });
  });
});
