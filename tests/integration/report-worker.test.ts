/**
 * Scheduled reports built in the query worker (docs/performance.md, "Queries off the HTTP thread") deliver
 * the same bytes as reports built in the HTTP thread (`query.worker: false`), on SQLite and PostgreSQL.
 * Two stores seeded alike with the demo (three WABAs, three currencies, tiers), one connector on each;
 * both fire the same reports at the same instant of a fake clock, to one local webhook receiver, and
 * every body is compared byte for byte. Two stores because the lease (report, period) lets only one
 * connector per store send a period. The webhook bodies carry the CSV, the summary with its totals,
 * the rows and the file name; the mail subject, which they do not, is compared from `ReportContent`.
 * The tests of the worker holding or crashing during a build are in report-delivery.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../src/connector/config';
import { DEMO_WABAS } from '../../src/connector/demo';
import type { PullClock } from '../../src/connector/pull';
import { buildReportContent, reportPeriod } from '../../src/connector/reports';
import type { RunningConnector } from '../../src/connector/runtime/connector';
import { BOTH_STORES, type EmptyDatabase } from '../helpers/both-stores';
import { seedDemoStore, startInProcess } from '../helpers/in-process-connector';

jest.setTimeout(240_000);

const AS_OF = Date.parse('2026-09-12T15:00:00Z');
/** 12:00 UTC on 09-12: the firing of every report below. */
const FIRE = Date.parse('2026-09-12T12:00:00Z');
const WABA_A = DEMO_WABAS[0]!.id;

class FakeClock implements PullClock {
  constructor(public ms: number) {}
  now = () => this.ms;
  sleep = (_ms: number, signal?: AbortSignal) =>
    new Promise<void>((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
}

/** Every dimension, a Meta-sourced one, one WABA, and totals only; each daily at 12:00 UTC, read in three zones. */
const reportsYaml = (url: string) => `
wabas:
${DEMO_WABAS.map((w) => `  - ${JSON.stringify({ id: w.id, name: w.name, timezone: w.timezone, currency: w.currency, portfolio: w.portfolio })}`).join('\n')}
reports:
  every-dimension:
    schedule: { cron: "0 12 * * *", timezone: UTC }
    report: { by: "day,waba,phone,country,market,category,pricing_type", range: last_7_days }
    webhook: { url: "${url}/every-dimension" }
  meta-month:
    schedule: { cron: "30 17 * * *", timezone: Asia/Kolkata }
    report: { by: [category, pricing_type], range: month_to_date, source: meta }
    webhook: { url: "${url}/meta-month" }
  one-waba:
    schedule: { cron: "0 9 * * *", timezone: America/Sao_Paulo }
    report: { by: "day,country", range: last_3_days, waba: ["${WABA_A}"] }
    webhook: { url: "${url}/one-waba" }
  totals:
    schedule: { cron: "0 12 * * *", timezone: UTC }
    report: { by: "", range: last_7_days }
    webhook: { url: "${url}/totals" }
`;

for (const engine of BOTH_STORES)
  engine.describe(`scheduled reports built in the query worker, on ${engine.scheme}`, () => {
    const dbs: EmptyDatabase[] = [];
    const started: RunningConnector[] = [];
    /** Raw bodies by receiver path, per connector (the path's first part). */
    const bodies = new Map<string, string>();
    let receiver: http.Server;
    let url: string;

    beforeAll(async () => {
      receiver = http.createServer((req, res) => {
        let text = '';
        req.on('data', (d: Buffer) => (text += d.toString()));
        req.on('end', () => {
          bodies.set(req.url ?? '', text);
          res.writeHead(200).end('ok');
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      for (const tag of ['worker', 'thread']) {
        const made = await engine.createDatabase(`report-worker-${tag}`);
        dbs.push(made);
        await seedDemoStore(made.url, { seed: `report-worker-${engine.scheme}`, asOfMs: AS_OF, days: 6, scale: 0.05 });
      }
    });
    afterAll(async () => {
      for (const c of started) await c.close();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
      for (const d of dbs) await d.remove();
    });

    it('delivers byte for byte what the HTTP thread builds, and the same ReportContent', async () => {
      const fire = async (db: string, tag: string, queryWorker: boolean) => {
        const clock = new FakeClock(FIRE - 1000);
        const c = await startInProcess({
          config: parseConfig(reportsYaml(`${url}/${tag}`), {}),
          db,
          // Both stores stay as seeded: no background re-pricing between the two builds.
          repricing: false,
          asOfMs: AS_OF,
          reportClock: clock,
          env: {},
          queryWorker,
        });
        started.push(c);
        await c.reports!.tick();
        clock.ms = FIRE;
        await c.reports!.tick();
        return c;
      };
      const worker = await fire(dbs[0]!.url, 'worker', true);
      const thread = await fire(dbs[1]!.url, 'thread', false);
      expect(worker.queryWorker).not.toBeNull();
      expect(thread.queryWorker).toBeNull();

      const names = ['every-dimension', 'meta-month', 'one-waba', 'totals'];
      expect([...bodies.keys()].sort()).toEqual([...names.map((n) => `/thread/${n}`), ...names.map((n) => `/worker/${n}`)].sort());
      for (const n of names) expect({ n, body: bodies.get(`/worker/${n}`) }).toEqual({ n, body: bodies.get(`/thread/${n}`) });

      // What is compared carries figures: many priced rows in more than one currency, and a totals line.
      const csvOf = (n: string) => (JSON.parse(bodies.get(`/worker/${n}`)!) as { waspend: { csv: string } }).waspend.csv;
      const everyRows = csvOf('every-dimension').split('\r\n').slice(1, -1);
      expect(everyRows.length).toBeGreaterThan(50);
      expect(new Set(everyRows.map((r) => r.split(',').pop())).size).toBeGreaterThan(1);
      expect(everyRows.some((r) => /,0\.\d*[1-9]\d*,[A-Z]{3}$/.test(r))).toBe(true);
      expect(csvOf('meta-month').split('\r\n').length).toBeGreaterThan(3);
      expect(csvOf('one-waba').split('\r\n').length).toBeGreaterThan(3);
      expect(csvOf('totals').split('\r\n').slice(1, -1).length).toBe(new Set(everyRows.map((r) => r.split(',').pop())).size);

      // The mail subject is not in a webhook body: compare whole ReportContent, worker against this thread, one store.
      const mailed = parseConfig(
        `${reportsYaml(url)}
  mailed:
    schedule: { cron: "0 12 * * *", timezone: UTC }
    report: { by: "day,market,category", range: last_7_days }
    recipients: [finance@example.test]
    smtp: { from: "waspend <reports@example.test>", subject: "Finance, September" }
`,
        {},
      ).reports!.mailed!;
      const period = reportPeriod(mailed.report.range, FIRE, mailed.schedule.timezone);
      const inWorker = await worker.queryWorker!.report('mailed', mailed, period);
      expect(inWorker.subject).toBe('Finance, September: 2026-09-05 to 2026-09-11');
      expect(inWorker.rows).toBeGreaterThan(10);
      expect(inWorker).toEqual(await buildReportContent(worker.query, 'mailed', mailed, period));
    });
  });
