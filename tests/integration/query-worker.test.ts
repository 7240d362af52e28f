/**
 * The query worker (issue 13 item 6, docs/performance.md "Queries off the HTTP thread"), on SQLite and PostgreSQL:
 * - its answers are byte for byte those of the in-thread path (a second connector on the same store with
 *   `queryWorker: false`), errors included;
 * - a webhook is acknowledged and committed while the worker is held inside a query (a test-only gate on a
 *   SharedArrayBuffer: the worker blocks in Atomics.wait until the test opens it), and the held query then
 *   answers with that webhook counted;
 * - a worker that crashes with a request in flight answers that request 503, /health reports the crash, and
 *   the next request is answered by the restarted worker.
 * No sleeps and no timings: the gate orders every step.
 */
import { DEMO_WABAS } from '../../src/connector/demo';
import type { RunningConnector } from '../../src/connector/runtime/connector';
import { demoConfig } from '../../src/connector/runtime/demo-config';
import { GATE_CRASH, GATE_HOLD, GATE_RUN } from '../../src/connector/runtime/query-worker';
import { BOTH_STORES, type EmptyDatabase } from '../helpers/both-stores';
import { seedDemoStore, startInProcess } from '../helpers/in-process-connector';
import { reached, setGate } from '../helpers/query-worker-gate';
import { envelopeWithStatuses } from '../helpers/webhook-envelopes';
import { postWebhook } from '../helpers/post-webhook';

jest.setTimeout(180_000);

const TOKEN = 'query-worker-token-0123456789abcdef';
const AS_OF = Date.parse('2026-09-12T15:00:00Z');
const [WABA_A, WABA_B] = DEMO_WABAS;

interface Answer {
  status: number;
  text: string;
}

async function get(url: string, q: string): Promise<Answer> {
  const res = await fetch(`${url}/api/v1${q}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, text: await res.text() };
}

/** One delivered, charged utility status for WABA B on a day inside the seeded data. */
function deliveredStatus(wamid: string, atSec: number) {
  const b = WABA_B as (typeof DEMO_WABAS)[number];
  const phone = b.phones[0]?.id as string;
  return envelopeWithStatuses({ waba: b.id, phone, display: `+${phone}` }, [
    {
      id: wamid,
      status: 'delivered',
      timestamp: String(atSec),
      recipient_id: '5511900000077',
      pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' },
    },
  ]);
}

for (const engine of BOTH_STORES)
  engine.describe(`query worker on ${engine.scheme}`, () => {
    let database: EmptyDatabase;
    const started: RunningConnector[] = [];
    const start = async (extra: { queryWorker?: boolean; queryWorkerGate?: SharedArrayBuffer; env?: NodeJS.ProcessEnv }) => {
      const running = await startInProcess({
        config: demoConfig(TOKEN),
        db: database.url,
        // Both connectors read the store as the webhooks left it: no background writes between the two answers.
        repricing: false,
        asOfMs: AS_OF,
        ...extra,
      });
      started.push(running);
      return running;
    };

    beforeAll(async () => {
      database = await engine.createDatabase('qworker');
      await seedDemoStore(database.url, { seed: `query-worker-${engine.scheme}`, asOfMs: AS_OF, days: 6, scale: 0.05 });
    });
    afterAll(async () => {
      for (const r of started) await r.close();
      await database?.remove();
    });

    it('answers every query kind exactly as the in-thread path does, errors included', async () => {
      const worker = await start({});
      const inThread = await start({ queryWorker: false });
      expect(worker.queryWorker).not.toBeNull();
      expect(inThread.queryWorker).toBeNull();
      const a = WABA_A?.id as string;
      const range = 'from=2026-09-01&to=2026-09-12';
      const files = JSON.parse((await get(inThread.url, '/price-files')).text) as { items: { name: string }[] };
      const priceFileName = files.items[0]?.name as string;
      expect(typeof priceFileName).toBe('string');
      const queries = [
        `/usage?${range}&interval=day&by=category,pricing_type`,
        `/usage?${range}&interval=day&by=country,category`,
        `/usage?${range}&interval=month&by=waba,phone,group`,
        `/usage?${range}&interval=hour&by=category&waba=${a}`,
        `/usage?${range}&interval=day&source=meta&by=category`,
        `/usage?from=1900-01-01&to=2999-12-31&by=category`,
        `/calls?${range}&interval=day&by=country,direction`,
        `/contacts?${range}&interval=day`,
        `/pricing-input?${range}&by=country`,
        `/reconciliation?${range}&by=category`,
        `/reconciliation?from=2026-08-01&to=2026-09-30&interval=month`,
        `/tiers?month=2026-09`,
        `/annotations?${range}`,
        `/lists/phones`,
        `/lists/countries?waba=${a}`,
        `/price-files`,
        `/price-files/${encodeURIComponent(priceFileName)}`,
        // Refused by validation in the HTTP thread, and inside the query (hourly over more than 31 days).
        `/usage?from=2026-09-01&to=nonsense`,
        `/usage?from=2026-01-01&to=2026-09-12&interval=hour`,
        `/lists/nothing`,
        `/price-files/no-such-file.csv`,
      ];
      let ok = 0;
      for (const q of queries) {
        const [w, t] = [await get(worker.url, q), await get(inThread.url, q)];
        expect({ q, ...w }).toEqual({ q, ...t });
        if (w.status === 200) ok++;
      }
      // The comparison is about figures, not only errors: most answers carry rows.
      expect(ok).toBe(queries.length - 4);
      const withRows = queries.filter((q) => q.startsWith('/usage?from=2026-09-01&to=2026-09-12&interval=day&by=category'))[0] as string;
      expect((JSON.parse((await get(worker.url, withRows)).text) as { rows: unknown[] }).rows.length).toBeGreaterThan(0);

      // The Prometheus spend gauges are priced by the worker too: the same series and values.
      const spend = async (url: string) =>
        (await (await fetch(`${url}/metrics`)).text())
          .split('\n')
          .filter((l) =>
            /^waspend_(month_to_date_cost|projected_month_end|cost_today|cost_daily_average_7d|billable_messages_total|messages_delivered_total)/.test(
              l,
            ),
          );
      const spendLines = await spend(worker.url);
      expect(spendLines.length).toBeGreaterThan(0);
      expect(spendLines.some((l) => /^waspend_month_to_date_cost\{.*\} [1-9]/.test(l) || /\} 0\.\d*[1-9]/.test(l))).toBe(true);
      expect(spendLines).toEqual(await spend(inThread.url));
      await worker.close();
      await inThread.close();
    });

    it('WASPEND_QUERY_WORKER overrides the default (the mutation runs use it); anything but true/false stops the start', async () => {
      const off = await start({ env: { WASPEND_QUERY_WORKER: 'false' } });
      expect(off.queryWorker).toBeNull();
      await off.close();
      const on = await start({ env: { WASPEND_QUERY_WORKER: 'true' } });
      expect(on.queryWorker).not.toBeNull();
      await on.close();
      await expect(start({ env: { WASPEND_QUERY_WORKER: 'yes please' } })).rejects.toThrow(
        'WASPEND_QUERY_WORKER must be true or false, got "yes please"',
      );
    });

    it('acknowledges and commits a webhook while the worker is held inside a query; the query then counts it', async () => {
      const gateBuffer = new SharedArrayBuffer(16);
      const gate = new Int32Array(gateBuffer);
      const running = await start({ queryWorkerGate: gateBuffer });
      const b = WABA_B?.id as string;
      const q = `/usage?from=2026-09-01&to=2026-09-12&interval=month&by=waba&waba=${b}`;
      // Before, from the HTTP thread's own context (its cache is not the worker's).
      const messagesOf = (text: string) => (JSON.parse(text) as { rows: { messages: number }[] }).rows.reduce((n, r) => n + r.messages, 0);
      const inThread = await start({ queryWorker: false });
      const before = await get(inThread.url, q);
      expect(before.status).toBe(200);
      await inThread.close();

      setGate(gate, GATE_HOLD);
      let answered = false;
      const query = get(running.url, q).then((a) => {
        answered = true;
        return a;
      });
      await reached(gate, 1);
      // The worker is blocked in Atomics.wait inside the query; the HTTP thread still takes and commits webhooks.
      const at = Math.floor(Date.parse('2026-09-10T12:00:00Z') / 1000);
      expect(await postWebhook(running.url, deliveredStatus('wamid.held-query-1', at))).toBe(200);
      expect(await running.store.messageVerdict('wamid.held-query-1')).toMatchObject({ category: 'utility', source: 'meta' });
      const health = (await (await fetch(`${running.url}/health`)).json()) as { queryWorker?: { status: string } };
      expect(health.queryWorker?.status).toBe('ok');
      expect(answered).toBe(false);

      setGate(gate, GATE_RUN);
      const after = await query;
      expect(after.status).toBe(200);
      // The held query read the store after the commit: one more delivered message for WABA B.
      expect(messagesOf(after.text)).toBe(messagesOf(before.text) + 1);
      await running.close();
    });

    it('a Prometheus scrape prices the spend gauges in the worker, not in the HTTP thread', async () => {
      const gate = new Int32Array(new SharedArrayBuffer(16));
      const running = await start({ queryWorkerGate: gate.buffer as SharedArrayBuffer });
      setGate(gate, GATE_HOLD);
      const scrape = fetch(`${running.url}/metrics`).then(async (r) => ({ status: r.status, text: await r.text() }));
      // The scrape's pricing is the worker's first query: it reaches the gate and waits there.
      await reached(gate, 1);
      setGate(gate, GATE_RUN);
      const { status, text } = await scrape;
      expect(status).toBe(200);
      expect(text).toMatch(/^waspend_month_to_date_cost\{/m);
      await running.close();
    });

    it('a crash answers the request in flight 503, shows on /health, and the restarted worker answers the next one', async () => {
      const gateBuffer = new SharedArrayBuffer(16);
      const gate = new Int32Array(gateBuffer);
      const running = await start({ queryWorkerGate: gateBuffer });
      const q = '/usage?from=2026-09-01&to=2026-09-12&interval=day&by=category';
      const expected = await get(running.url, q);
      expect(expected.status).toBe(200);

      setGate(gate, GATE_HOLD);
      const inFlight = get(running.url, q);
      await reached(gate, 1);
      setGate(gate, GATE_CRASH);
      const failed = await inFlight;
      expect(failed.status).toBe(503);
      expect(JSON.parse(failed.text)).toEqual({
        error: 'unavailable',
        message: expect.stringContaining('query worker crashed (test gate)') as unknown as string,
      });

      const health = (await (await fetch(`${running.url}/health`)).json()) as {
        queryWorker: { status: string; restarts: number; lastError: string | null; lastCrashAt: number | null };
      };
      expect(health.queryWorker.restarts).toBe(1);
      expect(health.queryWorker.lastError).toContain('query worker crashed (test gate)');
      expect(health.queryWorker.lastCrashAt).not.toBeNull();

      // The gate lets queries through again; the next request waits for the new worker and is answered by it.
      setGate(gate, GATE_RUN);
      expect(await get(running.url, q)).toEqual(expected);
      const healthy = (await (await fetch(`${running.url}/health`)).json()) as {
        status: string;
        queryWorker: { status: string; restarts: number };
      };
      expect(healthy.queryWorker).toMatchObject({ status: 'ok', restarts: 1 });
      expect(healthy.status).toBe('ok');
      await running.close();
    });
  });
