import { localDay } from '@core';
import { readWabaFacts } from './graph-client';
import { ALL_SOURCES } from './sources';
import { PullError } from './pull-error';
import type { PullSink } from './pull-sink';
import { runSource } from './run-source';
import type { SourceContext, SourceDefinition, WabaFacts } from './source-context';
import { TaskState } from './task-state';
import {
  resolvePullOptions,
  systemClock,
  type FetchLike,
  type PullClock,
  type PullFailureReason,
  type PullLogger,
  type PullOptions,
  type PullStatus,
  type PullWabaConfig,
  type RetryPolicy,
} from './pull-types';

export interface PullSchedulerDeps {
  sink: PullSink;
  wabas: readonly PullWabaConfig[];
  logger: PullLogger;
  fetch?: FetchLike;
  clock?: PullClock;
  options?: Partial<Omit<PullOptions, 'retry'>> & { retry?: Partial<RetryPolicy> };
  onStatus?(status: PullStatus): void;
  onFailure?(failure: { wabaId: string; source: PullStatus['source']; reason: PullFailureReason }): void;
  /** Jitter source; inject for deterministic tests. */
  random?: () => number;
  /** Defaults to every source; tests may pass a subset. */
  sources?: readonly SourceDefinition[];
}

export interface PullScheduler {
  /** Starts the background loop (idempotent). */
  start(): void;
  /** Stops the loop, aborts in-flight requests and waits for them to settle. */
  stop(): Promise<void>;
  /** Runs every task that is due now (all enabled tasks on the first call); concurrent calls share one run. */
  runOnce(): Promise<void>;
  statuses(): PullStatus[];
}

/**
 * Pulls Meta's and 360Dialog's figures for every configured WABA, one (WABA, source) task at a
 * time: on success every `intervalMs`, after a failure with growing backoff, never again after an
 * auth failure (the token must be fixed in the config and the connector restarted).
 */
export function createPullScheduler(deps: PullSchedulerDeps): PullScheduler {
  const options = resolvePullOptions(deps.options);
  const clock = deps.clock ?? systemClock;
  const fetchFn: FetchLike = deps.fetch ?? ((input, init) => fetch(input, init));
  const random = deps.random ?? Math.random;
  const sources = deps.sources ?? ALL_SOURCES;
  const controller = new AbortController();
  const tasks: TaskState[] = [];
  for (const waba of deps.wabas) {
    for (const def of sources) tasks.push(new TaskState(waba, def, def.enabled(waba), deps.onStatus));
  }
  let running: Promise<void> | null = null;
  let loop: Promise<void> | null = null;

  function failureDelayMs(task: TaskState, error: unknown): number {
    const base = Math.min(options.maxFailureBackoffMs, options.failureBackoffMs * 2 ** Math.max(0, task.failures - 1));
    const jittered = Math.round(base / 2 + (random() * base) / 2);
    const asked = error instanceof PullError && error.retryAfterMs !== null ? error.retryAfterMs : 0;
    return Math.max(jittered, asked);
  }

  // Errors already counted in waspend_pull_failures_total (per attempt), so a failed run does not count them again.
  const counted = new WeakSet<object>();
  const reportFor = (task: TaskState, reason: PullFailureReason) =>
    deps.onFailure?.({ wabaId: task.waba.id, source: task.def.source, reason });

  async function runTask(task: TaskState, facts: () => Promise<WabaFacts>): Promise<void> {
    const report = (reason: PullFailureReason) => reportFor(task, reason);
    const ctx: SourceContext = {
      waba: task.waba,
      options,
      logger: deps.logger,
      wabaFacts: facts,
      http: {
        fetch: fetchFn,
        clock,
        retry: options.retry,
        random,
        logger: deps.logger,
        signal: controller.signal,
        onAttemptFailure: (error) => {
          counted.add(error);
          report(error.reason);
        },
      },
    };
    try {
      const outcome = await runSource(task.def, ctx, deps.sink, localDay(clock.now(), task.waba.timezone));
      task.succeeded(clock.now(), outcome.chunks > 0, clock.now() + options.intervalMs);
    } catch (error) {
      if (controller.signal.aborted) return;
      const pullError = error instanceof PullError ? error : null;
      if (!pullError || !counted.has(pullError)) report(pullError?.reason ?? 'bad_response');
      const message = pullError?.message ?? `unexpected error: ${(error as Error)?.message ?? String(error)}`;
      const parked = pullError?.reason === 'auth';
      task.failed(message, parked ? null : clock.now() + failureDelayMs(task, error));
      deps.logger.error(
        { wabaId: task.waba.id, source: task.def.source, reason: pullError?.reason ?? 'unexpected', nextAttemptAt: task.nextAttemptAt },
        message,
      );
    }
  }

  async function runDue(): Promise<void> {
    const now = clock.now();
    const byWaba = new Map<string, TaskState[]>();
    for (const task of tasks) {
      if (!task.isDue(now)) continue;
      const list = byWaba.get(task.waba.id) ?? [];
      list.push(task);
      byWaba.set(task.waba.id, list);
    }
    for (const list of byWaba.values()) {
      let memo: Promise<WabaFacts> | null = null;
      let current = list[0] as TaskState;
      // The WABA's currency and numbers are read once per run, on behalf of the first Meta task that needs them.
      const onAttemptFailure = (error: PullError) => {
        counted.add(error);
        reportFor(current, error.reason);
      };
      const facts = () => {
        memo ??= readWabaFacts({
          waba: current.waba,
          options,
          logger: deps.logger,
          http: { fetch: fetchFn, clock, retry: options.retry, random, logger: deps.logger, signal: controller.signal, onAttemptFailure },
        });
        return memo;
      };
      for (const task of list) {
        if (controller.signal.aborted) return;
        current = task;
        await runTask(task, facts);
      }
    }
  }

  function runOnce(): Promise<void> {
    running ??= runDue().finally(() => {
      running = null;
    });
    return running;
  }

  function nextWakeMs(): number {
    const times = tasks.map((t) => t.nextAttemptAt).filter((t): t is number => t !== null && t !== undefined);
    const now = clock.now();
    return times.length ? Math.max(1000, Math.min(...times) - now) : options.intervalMs;
  }

  return {
    start() {
      if (loop || controller.signal.aborted) return;
      for (const task of tasks) task.publish();
      loop = (async () => {
        while (!controller.signal.aborted) {
          await runOnce();
          try {
            await clock.sleep(nextWakeMs(), controller.signal);
          } catch {
            break;
          }
        }
      })();
    },
    async stop() {
      controller.abort(new Error('pull scheduler stopped'));
      await Promise.allSettled([loop, running].filter(Boolean) as Promise<void>[]);
    },
    runOnce,
    statuses: () => tasks.map((t) => t.snapshot()),
  };
}
