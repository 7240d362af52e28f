import { addDays, dayStartMs, daysBetween } from '@core';
import type { MetaCallRow, MetaPricingRow, PullCursor, PullSink, PullSource } from '../../src/connector/pull/pull-sink';
import type { PullClock, PullLogger } from '../../src/connector/pull/pull-types';
import type { FakePoint } from './fake-analytics';

/** An in-memory PullSink that keeps rows per (WABA, source, day) exactly as the store contract says. */
export class MemorySink implements PullSink {
  readonly pricing = new Map<string, MetaPricingRow[]>();
  readonly calls = new Map<string, MetaCallRow[]>();
  readonly cursors = new Map<string, PullCursor>();
  readonly replaceCalls: { wabaId: string; source: PullSource; days: string[]; cursor: PullCursor }[] = [];
  /** Make the next N replaceDays calls throw (a store outage). */
  failNext = 0;

  async getCursor(wabaId: string, source: PullSource): Promise<PullCursor> {
    return this.cursors.get(`${wabaId}|${source}`) ?? { lastCompleteDay: null };
  }

  async replaceDays(
    wabaId: string,
    source: PullSource,
    days: string[],
    rows: { pricing?: MetaPricingRow[]; calls?: MetaCallRow[] },
    cursor: PullCursor,
  ): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('disk full');
    }
    for (const day of days) {
      const key = `${wabaId}|${source}|${day}`;
      this.pricing.set(
        key,
        (rows.pricing ?? []).filter((r) => r.day === day),
      );
      this.calls.set(
        key,
        (rows.calls ?? []).filter((r) => r.day === day),
      );
    }
    this.cursors.set(`${wabaId}|${source}`, cursor);
    this.replaceCalls.push({ wabaId, source, days, cursor });
  }

  /** Stored days of a source, sorted. */
  days(wabaId: string, source: PullSource): string[] {
    const prefix = `${wabaId}|${source}|`;
    const keys = [...this.pricing.keys(), ...this.calls.keys()].filter((k) => k.startsWith(prefix));
    return [...new Set(keys.map((k) => k.slice(prefix.length)))].sort();
  }

  pricingRows(wabaId: string, source: PullSource, day: string): MetaPricingRow[] {
    return this.pricing.get(`${wabaId}|${source}|${day}`) ?? [];
  }

  callRows(wabaId: string, source: PullSource, day: string): MetaCallRow[] {
    return this.calls.get(`${wabaId}|${source}|${day}`) ?? [];
  }
}

/** A clock whose sleeps return at once and move time forward; the delays asked for are recorded. */
export function autoClock(startMs: number): PullClock & { sleeps: number[]; set(ms: number): void; advance(ms: number): void } {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
  };
}

/** A clock whose sleeps wait until the test releases them (for the scheduler loop). */
export function gatedClock(startMs: number): PullClock & { waiting(): number; release(): void } {
  const now = startMs;
  let waiters: { resolve(): void }[] = [];
  return {
    now: () => now,
    waiting: () => waiters.length,
    release: () => {
      const all = waiters;
      waiters = [];
      for (const w of all) w.resolve();
    },
    sleep: (_ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const entry = { resolve };
        waiters.push(entry);
        signal?.addEventListener(
          'abort',
          () => {
            waiters = waiters.filter((w) => w !== entry);
            reject(signal.reason);
          },
          { once: true },
        );
      }),
  };
}

export interface LogLine {
  level: string;
  obj: object;
  msg: string;
}

export function recordingLogger(): PullLogger & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const log = (level: string) => (obj: object, msg: string) => lines.push({ level, obj, msg });
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), text: () => JSON.stringify(lines) };
}

/** Polls `check` until it returns true, or fails after `deadlineMs` (no fixed sleeps). */
export async function waitFor(check: () => boolean, deadlineMs = 5000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met before the deadline');
    await new Promise((r) => setImmediate(r));
  }
}

export interface SeriesOptions {
  timezone: string;
  from: string;
  to: string;
  phones: string[];
}

/**
 * Meta-shaped DAILY pricing points for every day in [from, to], buckets at WABA-local midnight.
 * Each point carries `_day` (dropped by the fake) so tests can total the expected figures per day.
 */
export function pricingSeries(opts: SeriesOptions, scale = 1): FakePoint[] {
  const points: FakePoint[] = [];
  for (let i = 0; i <= daysBetween(opts.from, opts.to); i++) {
    const day = addDays(opts.from, i);
    const start = dayStartMs(day, opts.timezone) / 1000;
    const end = dayStartMs(addDays(day, 1), opts.timezone) / 1000;
    opts.phones.forEach((phone, p) => {
      const base = (i % 7) + 3 * p + 1;
      points.push(
        {
          _day: day,
          start,
          end,
          phone_number: phone,
          country: 'BR',
          tier: '0:MAX',
          pricing_type: 'REGULAR',
          pricing_category: 'MARKETING',
          volume: base * 10 * scale,
          cost: base * 10 * scale * 0.0625,
        },
        {
          _day: day,
          start,
          end,
          phone_number: phone,
          country: 'US',
          tier: '0:100000',
          pricing_type: 'REGULAR',
          pricing_category: 'UTILITY',
          volume: base * 4 * scale,
          cost: base * 4 * scale * 0.0034,
        },
        {
          _day: day,
          start,
          end,
          phone_number: phone,
          country: 'BR',
          pricing_type: 'FREE_CUSTOMER_SERVICE',
          pricing_category: 'SERVICE',
          volume: base * 7 * scale,
          cost: 0,
        },
      );
    });
  }
  return points;
}

export function callSeries(opts: SeriesOptions): FakePoint[] {
  const points: FakePoint[] = [];
  for (let i = 0; i <= daysBetween(opts.from, opts.to); i++) {
    const day = addDays(opts.from, i);
    const start = dayStartMs(day, opts.timezone) / 1000;
    const end = dayStartMs(addDays(day, 1), opts.timezone) / 1000;
    for (const phone of opts.phones) {
      points.push(
        {
          _day: day,
          start,
          end,
          phone_number: phone,
          country: 'BR',
          direction: 'USER_INITIATED',
          count: 5 + (i % 3),
          cost: 0,
          average_duration: 100,
        },
        {
          _day: day,
          start,
          end,
          phone_number: phone,
          country: 'IN',
          direction: 'BUSINESS_INITIATED',
          count: 2 + (i % 2),
          cost: 0.25 * (2 + (i % 2)),
          average_duration: 60,
        },
      );
    }
  }
  return points;
}

export function totalVolume(points: readonly FakePoint[], day: string, metric = 'volume'): number {
  return points.filter((p) => p._day === day).reduce((n, p) => n + Number(p[metric] ?? 0), 0);
}
