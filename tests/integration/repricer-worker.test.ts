/**
 * The background re-pricer prices in a worker thread of its own (issue 13 items 1 and 6,
 * docs/performance.md "The re-pricer off the HTTP thread" and "Webhook to visible"), or in the query
 * worker with `query.repricingWorker: false`, on SQLite and PostgreSQL:
 * - on a demo store, the priced tables it writes through the worker are, row for row, what the
 *   in-thread re-pricer writes on an identical store (every grain, every column read back);
 * - a webhook is acknowledged and committed while the worker is held in the middle of pricing a
 *   month (a test-only gate: the worker thread blocks in Atomics.wait on a day step), and the month
 *   then stays dirty from that webhook's day (migration 014) until the next pass prices it, and a
 *   query is answered meanwhile (the query worker is not the one held); a webhook
 *   for a day the pass has not reached leaves that day's usage owed (`MovedUnderfoot`, met in the
 *   worker) while the pass writes the month to its end; a price
 *   file imported meanwhile likewise, and the next pass prices with it (the worker loads the stored
 *   files at each month's start);
 * - a worker that crashes while re-pricing fails that pass, shows on /health as the re-pricing
 *   worker's crash (the query worker's with `query.repricingWorker: false`), and the next pass, on
 *   the restarted worker, finishes the month.
 * The passes are run by hand (the connector's own timer is an hour); no sleeps.
 */
import type { HealthResponse, UsageResponse } from '../../src/contract';
import type { ConnectorConfig } from '../../src/connector/config';
import { DEMO_WABAS } from '../../src/connector/demo';
import { Repricer } from '../../src/connector/query/re-pricer';
import type { ConnectorOptions, RunningConnector } from '../../src/connector/runtime/connector';
import { demoConfig } from '../../src/connector/runtime/demo-config';
import { openStore } from '../../src/connector/runtime/open-store';
import { importRateFile, priceBookLoader } from '../../src/connector/runtime/price-files';
import { gateDay, GATE_REPRICE_CRASH_FROM, GATE_REPRICE_HELD, GATE_REPRICE_HOLD_FROM } from '../../src/connector/runtime/query-worker';
import { wabaInfoOf } from '../../src/connector/runtime/waba-info';
import { PRICED_DIMENSIONS, type ConnectorStore } from '../../src/connector/store';
import { BOTH_STORES } from '../helpers/both-stores';
import { DEMO_TIMEZONES, seedDemoStore, startInProcess } from '../helpers/in-process-connector';
import { setSlot, slotReaches } from '../helpers/query-worker-gate';
import { deliveredUtilityToBrazil } from '../helpers/webhook-envelopes';
import { postWebhook } from '../helpers/post-webhook';

jest.setTimeout(180_000);

const TOKEN = 'repricer-worker-token-0123456789abcdef';
const AS_OF = Date.parse('2026-09-03T15:00:00Z');
const EVERYTHING = { fromDay: '1900-01-01', toDay: '2999-12-31' };

const HAND: ConnectorConfig = {
  apiToken: TOKEN,
  wabas: [{ id: 'W1', name: 'W1', timezone: 'UTC', currency: 'USD', portfolio: 'PF1' }],
};
const RATES =
  'Cost per message in USD\nMarket,Currency,Marketing,Utility,Authentication,Authentication-International,Service\nBrazil,USD,0.0625,0.0080,0.0315,,\n';

/** One delivered, charged utility message to Brazil for W1 at noon UTC of `day`. */
const delivered = (wamid: string, day: string) => deliveredUtilityToBrazil(wamid, `${day}T12:00:00Z`);

/** Resolves once the worker has been held on a re-pricing day step `count` times (it is blocked in the last). */
const repriceHeld = (gate: Int32Array, count: number): Promise<void> => slotReaches(gate, GATE_REPRICE_HELD, (v) => v >= count);

/** Every stored priced row, each grain in the store's own order (the price time is not read back). */
async function pricedTables(store: ConnectorStore) {
  return {
    usage: await store.pricedUsage(EVERYTHING),
    ...Object.fromEntries(await Promise.all(PRICED_DIMENSIONS.map(async (d) => [d, await store.pricedUsageBy(d, EVERYTHING)] as const))),
  };
}

for (const engine of BOTH_STORES)
  engine.describe(`the re-pricer in a worker thread on ${engine.scheme}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    const fresh = async () => {
      const made = await engine.createDatabase('rworker');
      cleanups.push(() => made.remove());
      return made.url;
    };
    const start = async (
      db: string,
      config: ConnectorConfig,
      gate?: SharedArrayBuffer,
      more: Partial<ConnectorOptions> = {},
    ): Promise<RunningConnector> => {
      const running = await startInProcess({
        config,
        db,
        // The passes are run by hand below.
        repriceEveryMs: 3_600_000,
        ...(gate ? { queryWorkerGate: gate } : {}),
        ...more,
      });
      cleanups.push(async () => {
        // A test that failed with the worker held must not leave the connector's close waiting on the pass.
        if (gate) for (const slot of [GATE_REPRICE_HOLD_FROM, GATE_REPRICE_CRASH_FROM]) setSlot(new Int32Array(gate), slot, 0);
        await running.close();
      });
      expect(running.queryWorker).not.toBeNull();
      return running;
    };
    /** Seeds `db` with 12 demo days (the same for every call: the generator is seeded). */
    const seeded = (db: string) => seedDemoStore(db, { seed: `repricer-worker-${engine.scheme}`, asOfMs: AS_OF, days: 12, scale: 0.05 });
    afterAll(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    it('writes, row for row, what the in-thread re-pricer writes on the same demo store', async () => {
      // Two stores seeded alike (the generator is seeded): one re-priced in this thread, one by the connector through its worker.
      const inThreadDb = await fresh();
      await seeded(inThreadDb);
      const inThreadStore = await openStore(inThreadDb, { timezones: DEMO_TIMEZONES });
      const wabas = new Map(demoConfig(TOKEN).wabas.map((w) => [w.id, wabaInfoOf(w)]));
      try {
        await new Repricer({
          store: inThreadStore,
          wabas,
          holder: 'in-thread',
          loadBook: priceBookLoader(inThreadStore),
        }).runToCompletion();
        const want = await pricedTables(inThreadStore);

        const db = await fresh();
        await seeded(db);
        const running = await start(db, demoConfig(TOKEN));
        // Nothing priced yet: every row compared below is the worker's.
        expect((await pricedTables(running.store)).usage).toEqual([]);
        const months = new Set((await running.repricer?.pendingMarks())?.map((m) => m.month));
        expect([...months].sort()).toEqual(['2026-08', '2026-09']);
        await running.repricer?.runToCompletion();
        const got = await pricedTables(running.store);
        expect(got).toEqual(want);
        // The demo's 12 days have priced rows at every grain, for every WABA.
        for (const rows of Object.values(got)) expect(new Set(rows.map((r) => r.wabaId)).size).toBe(DEMO_WABAS.length);
        expect(new Set(got.usage.map((r) => r.day)).size).toBe(12);
      } finally {
        await inThreadStore.close();
      }
    });

    it('acknowledges and commits a webhook while the worker is held pricing a month, which then stays dirty from that day', async () => {
      const gateBuffer = new SharedArrayBuffer(48);
      const gate = new Int32Array(gateBuffer);
      const running = await start(await fresh(), HAND, gateBuffer);
      const repricer = running.repricer as Repricer;
      await importRateFile(running.store, { kind: 'rates', text: RATES, effectiveFrom: '2025-07-01', fileName: 'r.csv' }, 0);
      expect(await postWebhook(running.url, delivered('wamid.h10', '2025-07-10'))).toBe(200);
      expect(await postWebhook(running.url, delivered('wamid.h20', '2025-07-20'))).toBe(200);
      const days = async () =>
        (await running.store.pricedUsage({ fromDay: '2025-07-01', toDay: '2025-07-31' })).map((r) => [r.day, r.units, r.costMicros]);
      const countries = async () =>
        (await running.store.pricedUsageBy('country', { fromDay: '2025-07-01', toDay: '2025-07-31' })).map((r) => [
          r.day,
          r.value,
          r.costMicros,
        ]);

      // The pass writes July from its first dirty day (the 10th) and is held on the 15th's step, inside the worker.
      setSlot(gate, GATE_REPRICE_HOLD_FROM, gateDay('2025-07-15'));
      let settled = false;
      const pass = repricer.runOnce().finally(() => (settled = true));
      await repriceHeld(gate, 1);
      // Days 10 to 14 are written: 1 utility message at 0.0080 USD = 8000 micro-USD on the 10th.
      expect(await days()).toEqual([['2025-07-10', 1, 8_000n]]);

      // The worker thread is blocked; the HTTP thread acknowledges and commits a webhook for a day the pass has written.
      expect(await postWebhook(running.url, delivered('wamid.h12', '2025-07-12'))).toBe(200);
      expect(await running.store.messageVerdict('wamid.h12')).toMatchObject({ category: 'utility', source: 'meta' });
      expect(settled).toBe(false);
      // Queries are answered meanwhile: the re-pricer prices in a worker of its own, not the query worker.
      // July's three messages, the 12th's among them (its cost is not read: on SQLite the query worker
      // learns of a price file imported behind the connector's back at its next reload).
      const july = await fetch(`${running.url}/api/v1/usage?from=2025-07-01&to=2025-07-31&interval=month`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(july.status).toBe(200);
      expect(((await july.json()) as UsageResponse).rows.map((r) => [r.bucket, r.messages, r.billable])).toEqual([['2025-07', 3, 3]]);
      expect(settled).toBe(false);
      // The webhook's mark: dirty again from the 12th, touched on the 12th since the pass's claim; still
      // for both kinds, the pass (of the import's marks: both) not having reached the month's end.
      expect(await running.store.pricingDirty()).toEqual([
        { wabaId: 'W1', month: '2025-07', fromDay: '2025-07-12', touchedDay: '2025-07-12', kinds: ['usage', 'calls'] },
      ]);

      setSlot(gate, GATE_REPRICE_HOLD_FROM, 0);
      await pass;
      // The pass priced July from a read made before the 12th's webhook: it wrote on to the month's end
      // but cleared nothing from the 12th on, where its rows are stale (no row for the 12th). What is left
      // dirty is what the webhook marked, the usage; the calls are priced to the month's end.
      expect((await running.store.pricingDirty()).map((m) => [m.wabaId, m.month, m.fromDay, m.kinds])).toEqual([
        ['W1', '2025-07', '2025-07-12', ['usage']],
      ]);
      expect(await days()).toEqual([
        ['2025-07-10', 1, 8_000n],
        ['2025-07-20', 1, 8_000n],
      ]);

      // The next pass starts there and leaves July clean, the 12th's message priced (8000 micro-USD) at every grain.
      await repricer.runOnce();
      expect(await running.store.pricingDirty()).toEqual([]);
      expect(await days()).toEqual([
        ['2025-07-10', 1, 8_000n],
        ['2025-07-12', 1, 8_000n],
        ['2025-07-20', 1, 8_000n],
      ]);
      expect(await countries()).toEqual([
        ['2025-07-10', 'BR', 8_000n],
        ['2025-07-12', 'BR', 8_000n],
        ['2025-07-20', 'BR', 8_000n],
      ]);
      const health = (await (await fetch(`${running.url}/health`)).json()) as HealthResponse;
      expect(health.queryWorker?.restarts).toBe(0);
      expect(health.repricingWorker).toEqual({ status: 'ok', restarts: 0, lastCrashAt: null, lastError: null });
    });

    it('a webhook for a day the held pass has not reached leaves that day owed (moved under it, in the worker); the days before stay clean', async () => {
      const gateBuffer = new SharedArrayBuffer(48);
      const gate = new Int32Array(gateBuffer);
      const running = await start(await fresh(), HAND, gateBuffer);
      const repricer = running.repricer as Repricer;
      await importRateFile(running.store, { kind: 'rates', text: RATES, effectiveFrom: '2025-07-01', fileName: 'r.csv' }, 0);
      expect(await postWebhook(running.url, delivered('wamid.m10', '2025-07-10'))).toBe(200);
      expect(await postWebhook(running.url, delivered('wamid.m20', '2025-07-20'))).toBe(200);
      const days = async () =>
        (await running.store.pricedUsage({ fromDay: '2025-07-01', toDay: '2025-07-31' })).map((r) => [r.day, r.units, r.costMicros]);

      setSlot(gate, GATE_REPRICE_HOLD_FROM, gateDay('2025-07-15'));
      const pass = repricer.runOnce();
      await repriceHeld(gate, 1);
      // A second message on the 20th: the month was priced with one there, so that day's fine rows no longer add up.
      expect(await postWebhook(running.url, delivered('wamid.m20b', '2025-07-20'))).toBe(200);
      setSlot(gate, GATE_REPRICE_HOLD_FROM, 0);
      // The pass ends without an error, writing the month to its end but for the 20th's usage.
      expect(await pass).toBe(1);
      expect((await running.store.pricingDirty()).map((m) => [m.wabaId, m.month, m.fromDay, m.kinds])).toEqual([
        ['W1', '2025-07', '2025-07-20', ['usage']],
      ]);
      expect(await days()).toEqual([['2025-07-10', 1, 8_000n]]);
      // The next pass starts on the 20th: 2 x 0.0080 USD = 16000 micro-USD.
      expect(await repricer.runOnce()).toBe(1);
      expect(await running.store.pricingDirty()).toEqual([]);
      expect(await days()).toEqual([
        ['2025-07-10', 1, 8_000n],
        ['2025-07-20', 2, 16_000n],
      ]);
    });

    it('a price file imported while the worker is held pricing a month keeps it dirty from its first day with usage; the next pass prices with it', async () => {
      const gateBuffer = new SharedArrayBuffer(48);
      const gate = new Int32Array(gateBuffer);
      const running = await start(await fresh(), HAND, gateBuffer);
      const repricer = running.repricer as Repricer;
      await importRateFile(running.store, { kind: 'rates', text: RATES, effectiveFrom: '2025-07-01', fileName: 'r1.csv' }, 0);
      expect(await postWebhook(running.url, delivered('wamid.i03', '2025-07-03'))).toBe(200);
      expect(await postWebhook(running.url, delivered('wamid.i10', '2025-07-10'))).toBe(200);
      const days = async () =>
        (await running.store.pricedUsage({ fromDay: '2025-07-01', toDay: '2025-07-31' })).map((r) => [r.day, r.costMicros]);

      setSlot(gate, GATE_REPRICE_HOLD_FROM, gateDay('2025-07-08'));
      const pass = repricer.runOnce();
      await repriceHeld(gate, 1);
      // Utility to Brazil 0.0100 USD from the 5th, imported while the worker holds the book it loaded at the month's start.
      await importRateFile(
        running.store,
        { kind: 'rates', text: RATES.replace('0.0080', '0.0100'), effectiveFrom: '2025-07-05', fileName: 'r2.csv' },
        1,
      );
      setSlot(gate, GATE_REPRICE_HOLD_FROM, 0);
      await pass;
      // The import marked July from its first day with usage on or after the 5th (the 10th), touched since the claim:
      // the pass wrote the 10th at the old 0.0080 but left it dirty.
      expect((await running.store.pricingDirty()).map((m) => [m.wabaId, m.month, m.fromDay])).toEqual([['W1', '2025-07', '2025-07-10']]);
      expect(await days()).toEqual([
        ['2025-07-03', 8_000n],
        ['2025-07-10', 8_000n],
      ]);
      // The next pass loads the stored files again in the worker: the 10th at 0.0100 = 10000 micro-USD, the 3rd as before.
      await repricer.runOnce();
      expect(await running.store.pricingDirty()).toEqual([]);
      expect(await days()).toEqual([
        ['2025-07-03', 8_000n],
        ['2025-07-10', 10_000n],
      ]);
    });

    it('a worker crash while re-pricing fails that pass and shows on /health; the next pass finishes the month on the restarted worker', async () => {
      const gateBuffer = new SharedArrayBuffer(48);
      const gate = new Int32Array(gateBuffer);
      const running = await start(await fresh(), HAND, gateBuffer);
      const repricer = running.repricer as Repricer;
      await importRateFile(running.store, { kind: 'rates', text: RATES, effectiveFrom: '2025-07-01', fileName: 'r.csv' }, 0);
      expect(await postWebhook(running.url, delivered('wamid.c03', '2025-07-03'))).toBe(200);
      expect(await postWebhook(running.url, delivered('wamid.c25', '2025-07-25'))).toBe(200);

      setSlot(gate, GATE_REPRICE_CRASH_FROM, gateDay('2025-07-20'));
      await expect(repricer.runOnce()).rejects.toThrow('re-pricing worker crashed while re-pricing (test gate)');
      const health = (await (await fetch(`${running.url}/health`)).json()) as HealthResponse;
      // The re-pricing worker's crash, not the query worker's: queries were never at risk.
      expect(health.status).toBe('degraded');
      expect(health.repricingWorker?.restarts).toBe(1);
      expect(health.repricingWorker?.lastError).toContain('re-pricing worker crashed while re-pricing (test gate)');
      expect(health.repricingWorker?.lastCrashAt).not.toBeNull();
      expect(health.queryWorker).toEqual({ status: 'ok', restarts: 0, lastCrashAt: null, lastError: null });
      // Days 3 to 19 were written before the crash: the month is dirty from the 20th, the 25th unpriced.
      expect((await running.store.pricingDirty()).map((m) => [m.wabaId, m.month, m.fromDay])).toEqual([['W1', '2025-07', '2025-07-20']]);
      expect((await running.store.pricedUsage({ fromDay: '2025-07-01', toDay: '2025-07-31' })).map((r) => [r.day, r.costMicros])).toEqual([
        ['2025-07-03', 8_000n],
      ]);

      setSlot(gate, GATE_REPRICE_CRASH_FROM, 0);
      expect(await repricer.runOnce()).toBe(1);
      expect(await running.store.pricingDirty()).toEqual([]);
      expect((await running.store.pricedUsage({ fromDay: '2025-07-01', toDay: '2025-07-31' })).map((r) => [r.day, r.costMicros])).toEqual([
        ['2025-07-03', 8_000n],
        ['2025-07-25', 8_000n],
      ]);
      const healthy = (await (await fetch(`${running.url}/health`)).json()) as HealthResponse;
      expect(healthy.repricingWorker).toMatchObject({ status: 'ok', restarts: 1 });
      expect(healthy.status).toBe('ok');
    });

    it("query.repricingWorker: false prices in the query worker (a crash there is that worker's); WASPEND_REPRICING_WORKER overrides the config", async () => {
      const gateBuffer = new SharedArrayBuffer(48);
      const gate = new Int32Array(gateBuffer);
      const running = await start(await fresh(), { ...HAND, query: { repricingWorker: false } }, gateBuffer);
      expect(running.repricingWorker).toBeNull();
      expect(((await (await fetch(`${running.url}/health`)).json()) as HealthResponse).repricingWorker).toBeUndefined();
      const repricer = running.repricer as Repricer;
      await importRateFile(running.store, { kind: 'rates', text: RATES, effectiveFrom: '2025-07-01', fileName: 'r.csv' }, 0);
      expect(await postWebhook(running.url, delivered('wamid.s03', '2025-07-03'))).toBe(200);
      setSlot(gate, GATE_REPRICE_CRASH_FROM, gateDay('2025-07-01'));
      await expect(repricer.runOnce()).rejects.toThrow('query worker crashed while re-pricing (test gate)');
      const health = (await (await fetch(`${running.url}/health`)).json()) as HealthResponse;
      expect(health.queryWorker?.restarts).toBe(1);
      setSlot(gate, GATE_REPRICE_CRASH_FROM, 0);
      expect(await repricer.runOnce()).toBe(1);
      expect((await running.store.pricedUsage({ fromDay: '2025-07-01', toDay: '2025-07-31' })).map((r) => [r.day, r.costMicros])).toEqual([
        ['2025-07-03', 8_000n],
      ]);

      const db = await fresh();
      const off = await start(db, HAND, undefined, { env: { WASPEND_REPRICING_WORKER: 'false' } });
      expect(off.repricingWorker).toBeNull();
      const on = await start(await fresh(), { ...HAND, query: { repricingWorker: false } }, undefined, {
        env: { WASPEND_REPRICING_WORKER: 'true' },
      });
      expect(on.repricingWorker).not.toBeNull();
      await expect(start(await fresh(), HAND, undefined, { env: { WASPEND_REPRICING_WORKER: 'sometimes' } })).rejects.toThrow(
        'WASPEND_REPRICING_WORKER must be true or false, got "sometimes"',
      );
    });
  });
