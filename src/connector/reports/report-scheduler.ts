import { Cron } from 'croner';
import type { HealthResponse } from '@contract';
import type { ReportConfig } from '../config';
import { systemClock, type PullClock, type PullLogger } from '../pull';
import { attemptDelivery, retryOf, type AttemptOutcome, type DeliveryDeps } from './report-delivery';
import { periodKey, reportPeriod, type PeriodDays } from './report-period';

export type ReportHealth = NonNullable<HealthResponse['reports']>[number];

export interface ReportSchedulerDeps extends Omit<DeliveryDeps, 'now'> {
  reports: Readonly<Record<string, ReportConfig>>;
  /** Injectable for tests: `now()` drives everything; `sleep` is only used by the background loop. */
  clock?: PullClock;
  logger: PullLogger;
  onOutcome?(name: string, outcome: AttemptOutcome): void;
}

export interface ReportScheduler {
  /** Starts the background loop (idempotent). */
  start(): void;
  stop(): Promise<void>;
  /** Fires every schedule that is due at clock.now() and retries what waits; resolves when all of it is done. */
  tick(): Promise<void>;
  /** Per report, as /health shows it (from the store, so every replica agrees). */
  health(): Promise<ReportHealth[]>;
}

interface ReportState {
  name: string;
  cfg: ReportConfig;
  cron: Cron;
  nextFireMs: number | null;
  /** Periods this replica still has to see delivered, with the earliest time to try again. */
  due: Map<string, Due>;
  /** The next run as last written to (or read from) the store, to write only when it changes. */
  storedNextMs: number | null | undefined;
}

interface Due {
  period: PeriodDays;
  atMs: number;
  /** The earliest firing that gave this period: the store's next run stays at or before it until the period is settled. */
  fireMs: number;
}

/** Longest single sleep of the loop (setTimeout cannot wait a month; a changed clock is noticed within this). */
const MAX_SLEEP_MS = 60_000;
const ERROR_PAUSE_MS = 5_000;
/**
 * Missed periods sent at most per report after an outage (docs/reports.md): a week of a daily report,
 * seven months of a monthly one. Older ones are logged and left to `waspend report send --as-of`.
 */
export const MAX_CATCH_UP_PERIODS = 7;
const CATCH_UP_BATCH = 64;

/**
 * Runs the `reports:` schedules. Every replica fires the same cron times; the store's lease per
 * (report, period) lets one of them send and the others see it sent. A period is the one the range
 * gives at the scheduled instant (not when the attempt runs), so retries after midnight send the same days.
 */
export function createReportScheduler(deps: ReportSchedulerDeps): ReportScheduler {
  const clock = deps.clock ?? systemClock;
  const delivery: DeliveryDeps = { ...deps, now: () => clock.now() };
  const states: ReportState[] = Object.entries(deps.reports).map(([name, cfg]) => ({
    name,
    cfg,
    cron: new Cron(cfg.schedule.cron, { timezone: cfg.schedule.timezone, paused: true }),
    nextFireMs: null,
    due: new Map(),
    storedNextMs: undefined,
  }));
  let initialised: Promise<void> | null = null;
  let running: Promise<void> | null = null;
  const controller = new AbortController();
  let loop: Promise<void> | null = null;

  const nextAfter = (s: ReportState, ms: number) => s.cron.nextRun(new Date(ms))?.getTime() ?? null;

  /**
   * Queues the periods of every firing from `firstMs` (a fire time that has passed) to `now`, oldest
   * first, at most MAX_CATCH_UP_PERIODS distinct ones: normally one firing; after an outage (or a
   * suspended host) each missed period is sent once, and the lease keeps replicas from sending twice.
   */
  const addDueSince = (s: ReportState, firstMs: number, now: number) => {
    const { range } = s.cfg.report;
    const tz = s.cfg.schedule.timezone;
    // Walk back from now: a minutely cron after a long outage must not enumerate every minute.
    const newestFirst: { period: PeriodDays; fireMs: number }[] = [];
    let reference = new Date(now + 1); // previousRuns is strictly before its reference: include a firing at now
    search: while (newestFirst.length <= MAX_CATCH_UP_PERIODS) {
      const fires = s.cron.previousRuns(CATCH_UP_BATCH, reference);
      for (const fire of fires) {
        if (fire.getTime() < firstMs) break search;
        const period = reportPeriod(range, fire.getTime(), tz);
        const last = newestFirst[newestFirst.length - 1];
        if (last && periodKey(last.period) === periodKey(period)) last.fireMs = fire.getTime();
        else newestFirst.push({ period, fireMs: fire.getTime() });
        if (newestFirst.length > MAX_CATCH_UP_PERIODS) break search;
        reference = fire;
      }
      if (fires.length < CATCH_UP_BATCH) break;
    }
    if (newestFirst.length > MAX_CATCH_UP_PERIODS) {
      newestFirst.pop();
      deps.logger.warn(
        { report: s.name, oldestCaughtUp: periodKey(newestFirst[newestFirst.length - 1]!.period), maxPeriods: MAX_CATCH_UP_PERIODS },
        'report firings missed before the oldest period caught up are not sent; send them with `waspend report send NAME --as-of`',
      );
    }
    for (const { period, fireMs } of newestFirst.reverse())
      if (!s.due.has(periodKey(period))) s.due.set(periodKey(period), { period, atMs: now, fireMs });
  };

  /**
   * The store's next run is where the next start resumes: the earliest firing whose period this
   * replica has not yet seen settled, else the next firing. So a replica that dies halfway through a
   * catch-up leaves the rest to the next one to start (what was sent is skipped by its lease).
   */
  const storeResumePoint = async (s: ReportState) => {
    const pending = Math.min(...[...s.due.values()].map((d) => d.fireMs));
    const next = Number.isFinite(pending) && (s.nextFireMs === null || pending < s.nextFireMs) ? pending : s.nextFireMs;
    if (next === s.storedNextMs) return;
    await deps.store.recordReportRun(s.name, { nextRunAtMs: next });
    s.storedNextMs = next;
  };

  // A fire time recorded in the store that passed while no replica ran is caught up at the next start.
  const init = () =>
    (initialised ??= (async () => {
      const now = clock.now();
      const runs = new Map((await deps.store.reportRuns()).map((r) => [r.report, r]));
      for (const s of states) {
        const missed = runs.get(s.name)?.nextRunAtMs;
        s.storedNextMs = missed;
        if (missed !== null && missed !== undefined && missed <= now) addDueSince(s, missed, now);
        s.nextFireMs = nextAfter(s, now);
        await storeResumePoint(s);
      }
    })().catch((err: unknown) => {
      // A store that fails here is asked again on the next tick, not remembered as failed.
      initialised = null;
      throw err;
    }));

  async function attempt(s: ReportState, key: string, due: Due): Promise<void> {
    const { period } = due;
    const outcome = await attemptDelivery(delivery, s.name, s.cfg, period);
    deps.onOutcome?.(s.name, outcome);
    const { maxAttempts } = retryOf(s.cfg);
    if (outcome.kind === 'sent') {
      s.due.delete(key);
      deps.logger.info({ report: s.name, period: key, attempts: outcome.delivery.attempts }, 'report delivered');
    } else if (outcome.kind === 'failed') {
      deps.logger.warn({ report: s.name, period: key, attempts: outcome.attempts, error: outcome.error }, 'report delivery failed');
      if (outcome.retryAtMs === null) s.due.delete(key);
      else s.due.set(key, { ...due, atMs: outcome.retryAtMs });
    } else {
      const row = outcome.row;
      if (!row || row.state === 'sent' || (row.state === 'failed' && row.attempts >= maxAttempts)) s.due.delete(key);
      else s.due.set(key, { ...due, atMs: row.leaseUntilMs });
    }
  }

  async function runTick(): Promise<void> {
    await init();
    const now = clock.now();
    for (const s of states) {
      if (s.nextFireMs !== null && s.nextFireMs <= now) {
        addDueSince(s, s.nextFireMs, now);
        s.nextFireMs = nextAfter(s, now);
      }
      for (const [key, d] of [...s.due]) if (d.atMs <= now) await attempt(s, key, d);
      await storeResumePoint(s);
    }
  }

  const tick = () => {
    // Concurrent callers share one run: the loop and a test never attempt the same period twice at once.
    running ??= runTick().finally(() => {
      running = null;
    });
    return running;
  };

  const wakeAt = () => {
    const times = states.flatMap((s) => [s.nextFireMs ?? Infinity, ...[...s.due.values()].map((d) => d.atMs)]);
    return Math.min(Infinity, ...times);
  };

  return {
    start() {
      if (loop || states.length === 0) return;
      loop = (async () => {
        while (!controller.signal.aborted) {
          const ok = await tick().then(
            () => true,
            (err: Error) => {
              deps.logger.error({ err: err.message }, 'report scheduler tick failed');
              return false;
            },
          );
          // After a failed tick (store unreachable) try again shortly: not at once (work still due would spin),
          // not at the next firing (a failed start knows no firing yet).
          const wait = ok ? Math.max(0, Math.min(MAX_SLEEP_MS, wakeAt() - clock.now())) : ERROR_PAUSE_MS;
          await clock.sleep(wait, controller.signal).catch(() => undefined);
        }
      })();
    },
    async stop() {
      controller.abort();
      await loop;
      await running?.catch(() => undefined);
    },
    tick,
    async health() {
      const runs = new Map((await deps.store.reportRuns()).map((r) => [r.report, r]));
      return states.map((s): ReportHealth => {
        const r = runs.get(s.name);
        const lastSuccessAt = r?.lastSuccessAtMs ?? null;
        const lastErrorAt = r?.lastErrorAtMs ?? null;
        const failing = lastErrorAt !== null && (lastSuccessAt === null || lastErrorAt > lastSuccessAt);
        return {
          name: s.name,
          delivery: s.cfg.smtp ? 'smtp' : 'webhook',
          status: failing ? 'failing' : lastSuccessAt !== null ? 'ok' : 'idle',
          lastRunAt: r?.lastRunAtMs ?? null,
          lastSuccessAt,
          lastPeriod: r?.lastPeriod ?? null,
          nextRunAt: s.nextFireMs ?? r?.nextRunAtMs ?? null,
          lastError: r?.lastError ?? null,
        };
      });
    },
  };
}
