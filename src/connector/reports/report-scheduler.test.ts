/**
 * The scheduler's loop and failure handling with a fake clock: the loop sleeps until the next firing
 * (at most 60 s at a time), pauses after a failed tick instead of spinning, and a store that fails at
 * start is asked again on the next tick.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../config';
import type { PullClock } from '../pull';
import type { QueryContext } from '../query';
import { loadPriceBook } from '../runtime/price-files';
import { SqliteStore } from '../store';
import { createReportScheduler, MAX_CATCH_UP_PERIODS } from './report-scheduler';

const config = parseConfig(
  `
wabas: [{ id: W1, name: W, timezone: UTC, currency: USD, portfolio: P }]
reports:
  hourly:
    schedule: { cron: "0 * * * *", timezone: UTC }
    report: { range: last_1_days }
    webhook: { url: "http://127.0.0.1:9/never-called" }
`,
  {},
);
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const T0 = Date.UTC(2026, 10, 3, 9, 59, 30);

/** A clock whose sleeps are recorded and released by the test. */
class StepClock implements PullClock {
  sleeps: { ms: number; wake: () => void }[] = [];
  constructor(public ms: number) {}
  now = () => this.ms;
  sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      this.sleeps.push({ ms, wake: resolve });
      signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  /** Resolves once the loop has asked to sleep `n` times. */
  async sleptTimes(n: number): Promise<void> {
    while (this.sleeps.length < n) await new Promise((r) => setImmediate(r));
  }
}

describe('report scheduler loop', () => {
  let dir: string;
  let store: SqliteStore;
  let ctx: QueryContext;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-report-scheduler-'));
    store = new SqliteStore(path.join(dir, 's.db'), { timezones: { W1: 'UTC' } });
    const { book } = await loadPriceBook(store);
    ctx = { store, wabas: new Map(), priceBook: () => book, generation: () => 0, now: () => T0 };
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sleeps until the next firing, sends when woken at it, and then sleeps at most 60 s at a time', async () => {
    const sent: string[] = [];
    const clock = new StepClock(T0);
    const s = createReportScheduler({
      reports: config.reports!,
      store,
      ctx,
      clock,
      logger: silent,
      secrets: [],
      send: async (name, _cfg, content) => void sent.push(`${name} ${content.period.from}..${content.period.to}`),
    });
    s.start();
    await clock.sleptTimes(1);
    expect(clock.sleeps[0]!.ms).toBe(30_000); // 09:59:30 -> 10:00:00
    clock.ms = T0 + 30_000;
    clock.sleeps[0]!.wake();
    await clock.sleptTimes(2);
    expect(sent).toEqual(['hourly 2026-11-02..2026-11-02']);
    expect(clock.sleeps[1]!.ms).toBe(60_000); // next firing 11:00, an hour away: capped
    await s.stop();
  });

  it('after a failed tick it pauses 5 s instead of spinning, and asks the store again', async () => {
    const clock = new StepClock(T0);
    let failures = 1;
    const flaky = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'reportRuns' && failures > 0) {
          failures--;
          return () => Promise.reject(new Error('database is locked'));
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const errors: string[] = [];
    const s = createReportScheduler({
      reports: config.reports!,
      store: flaky,
      ctx,
      clock,
      logger: { ...silent, error: (obj: object) => void errors.push((obj as { err: string }).err) },
      secrets: [],
      send: async () => undefined,
    });
    s.start();
    await clock.sleptTimes(1);
    expect(errors).toEqual(['database is locked']);
    expect(clock.sleeps[0]!.ms).toBe(5_000);
    clock.ms = T0 + 5_000;
    clock.sleeps[0]!.wake();
    await clock.sleptTimes(2);
    expect(errors).toHaveLength(1);
    expect(clock.sleeps[1]!.ms).toBe(25_000); // initialised now: until 10:00:00
    expect((await s.health())[0]).toMatchObject({
      name: 'hourly',
      delivery: 'webhook',
      status: 'idle',
      nextRunAt: Date.UTC(2026, 10, 3, 10),
    });
    await s.stop();
  });

  describe('firings missed while no replica ran', () => {
    // Daily at 08:00 UTC, yesterday's figures: the firing on day D sends D-1.
    const daily = parseConfig(
      `
wabas: [{ id: W1, name: W, timezone: UTC, currency: USD, portfolio: P }]
reports:
  daily:
    schedule: { cron: "0 8 * * *", timezone: UTC }
    report: { range: last_1_days }
    webhook: { url: "http://127.0.0.1:9/never-called" }
`,
      {},
    ).reports!;
    const at = (day: string, hhmm = '08:00') => Date.parse(`${day}T${hhmm}:00Z`);
    const pinned = (ms: number) => ({ now: () => ms, sleep: () => new Promise<void>(() => undefined) });

    /** A replica whose clock stands at `ms`; it records what it sends, and what each of its attempts came to. */
    const replica = (ms: number, sent: string[], warnings: object[] = [], outcomes: string[] = []) =>
      createReportScheduler({
        reports: daily,
        store,
        ctx,
        clock: pinned(ms),
        onOutcome: (_name, outcome) => void outcomes.push(outcome.kind),
        logger: { ...silent, warn: (obj: object, msg: string) => void (msg.includes('not sent') && warnings.push(obj)) },
        secrets: [],
        send: async (name, _cfg, content) => void sent.push(`${content.period.from}..${content.period.to}`),
      });

    it('sends each missed period once, oldest first, even when two replicas start at the same instant', async () => {
      const sent: string[] = [];
      // Last seen at 07:00 on 11-02: the next firing (11-02 08:00) is stored, then every replica stops.
      await replica(at('2026-11-02', '07:00'), sent).tick();
      expect(sent).toEqual([]);
      // Back at 09:00 on 11-05: the firings of 11-02, 11-03, 11-04 and 11-05 were missed; each covers the day before.
      const outcomesA: string[] = [];
      const outcomesB: string[] = [];
      const a = replica(at('2026-11-05', '09:00'), sent, [], outcomesA);
      const b = replica(at('2026-11-05', '09:00'), sent, [], outcomesB);
      await Promise.all([a.tick(), b.tick()]);
      expect(sent).toEqual(['2026-11-01..2026-11-01', '2026-11-02..2026-11-02', '2026-11-03..2026-11-03', '2026-11-04..2026-11-04']);
      // Both read the missed firing before either stored the next one, so both tried all four periods;
      // the lease let one send each and the other skip it.
      expect([...outcomesA, ...outcomesB].sort()).toEqual(['sent', 'sent', 'sent', 'sent', 'skipped', 'skipped', 'skipped', 'skipped']);
      for (const r of [a, b])
        expect((await r.health())[0]).toMatchObject({ lastPeriod: '2026-11-04..2026-11-04', nextRunAt: at('2026-11-06') });
      await replica(at('2026-11-05', '10:00'), sent).tick();
      expect(sent).toHaveLength(4);
    });

    it('a replica that dies halfway through a catch-up leaves the rest to the next one to start', async () => {
      const sent: string[] = [];
      await replica(at('2026-11-02', '07:00'), sent).tick();
      // A comes back at 09:00 on 11-05, sends 11-01 and hangs for good sending 11-02 (the process is gone).
      let hanging = false;
      const hung = createReportScheduler({
        reports: daily,
        store,
        ctx,
        clock: pinned(at('2026-11-05', '09:00')),
        logger: silent,
        secrets: [],
        send: (_name, _cfg, content) => {
          if (content.period.from === '2026-11-01') return Promise.resolve(void sent.push('2026-11-01..2026-11-01'));
          hanging = true;
          return new Promise<void>(() => undefined);
        },
      });
      void hung.tick();
      // Until A holds the claim on 11-02 and is stuck in its send.
      while (!hanging) await new Promise((r) => setImmediate(r));
      expect(sent).toEqual(['2026-11-01..2026-11-01']);
      // B starts at 09:20, after A's 10-minute claim on 11-02 has run out: it sends the three left, and 11-01 not again.
      await replica(at('2026-11-05', '09:20'), sent).tick();
      expect(sent).toEqual(['2026-11-01..2026-11-01', '2026-11-02..2026-11-02', '2026-11-03..2026-11-03', '2026-11-04..2026-11-04']);
      expect((await replica(at('2026-11-05', '09:30'), sent).health())[0]).toMatchObject({ nextRunAt: at('2026-11-06') });
      const stored = (await store.reportRuns()).find((r) => r.report === 'daily');
      expect(stored?.nextRunAtMs).toBe(at('2026-11-06'));
    });

    it(`sends at most the last ${MAX_CATCH_UP_PERIODS} missed periods and logs that older ones were left`, async () => {
      const sent: string[] = [];
      const warnings: object[] = [];
      await replica(at('2026-11-02', '07:00'), sent).tick();
      // Ten firings missed (11-02 .. 11-11, days 11-01 .. 11-10): the last seven days are sent.
      await replica(at('2026-11-11', '08:00'), sent, warnings).tick();
      expect(MAX_CATCH_UP_PERIODS).toBe(7);
      expect(sent).toEqual(['04', '05', '06', '07', '08', '09', '10'].map((d) => `2026-11-${d}..2026-11-${d}`));
      expect(warnings).toEqual([{ report: 'daily', oldestCaughtUp: '2026-11-04..2026-11-04', maxPeriods: 7 }]);
    });

    it('a firing that is late within the same process is sent with the period of its scheduled time, the missed ones too', async () => {
      const sent: string[] = [];
      let now = at('2026-11-02', '07:00');
      const s = createReportScheduler({
        reports: daily,
        store,
        ctx,
        clock: { now: () => now, sleep: () => new Promise<void>(() => undefined) },
        logger: silent,
        secrets: [],
        send: async (_name, _cfg, content) => void sent.push(`${content.period.from}..${content.period.to}`),
      });
      await s.tick();
      // The host was suspended from 07:00 on 11-02 to 08:00 on 11-03 (two firings, the second exactly now).
      now = at('2026-11-03');
      await s.tick();
      expect(sent).toEqual(['2026-11-01..2026-11-01', '2026-11-02..2026-11-02']);
      expect((await s.health())[0]).toMatchObject({ nextRunAt: at('2026-11-04') });
    });

    it('many firings of the same period are one send: an hourly report of yesterday after a 30-hour outage', async () => {
      const sent: string[] = [];
      const mk = (ms: number) =>
        createReportScheduler({
          reports: config.reports!,
          store,
          ctx,
          clock: pinned(ms),
          logger: silent,
          secrets: [],
          send: async (_name, _cfg, content) => void sent.push(`${content.period.from}..${content.period.to}`),
        });
      await mk(T0).tick(); // 09:59:30 on 11-03; next firing 10:00
      await mk(Date.UTC(2026, 10, 4, 16, 30)).tick(); // 30 firings, 10:00 on 11-03 to 16:00 on 11-04
      expect(sent).toEqual(['2026-11-02..2026-11-02', '2026-11-03..2026-11-03']);
    });
  });
});
