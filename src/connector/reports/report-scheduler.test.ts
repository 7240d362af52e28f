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
import { createReportScheduler } from './report-scheduler';

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
    expect((await s.health())[0]).toMatchObject({ name: 'hourly', delivery: 'webhook', status: 'idle', nextRunAt: Date.UTC(2026, 10, 3, 10) });
    await s.stop();
  });
});
