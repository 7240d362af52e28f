import { Counter, Gauge, type Registry } from 'prom-client';
import type { PullSource } from './pull-sink';
import type { PullFailureReason, PullStatus } from './pull-types';

export interface PullMetrics {
  /** Pass as the scheduler's onStatus. */
  onStatus(status: PullStatus): void;
  /** Pass as the scheduler's onFailure. */
  onFailure(failure: { wabaId: string; source: PullSource; reason: PullFailureReason }): void;
}

/**
 * Registers the pull metrics on a prom-client registry:
 * - waspend_pull_up{waba,source}: 1 when the last run succeeded (or nothing was due), 0 when failing;
 *   disabled sources are not exported.
 * - waspend_pull_last_success_timestamp_seconds{waba,source}
 * - waspend_pull_failures_total{waba,source,reason}: every failed request attempt and failed run.
 * No label carries a token: only WABA ids, source names and reason words.
 */
export function registerPullMetrics(registry: Registry): PullMetrics {
  const latest = new Map<string, PullStatus>();
  new Gauge({
    name: 'waspend_pull_up',
    help: 'Whether the last analytics pull of this WABA and source succeeded (1) or failed (0)',
    labelNames: ['waba', 'source'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of latest.values()) {
        if (s.status !== 'disabled') this.set({ waba: s.wabaId, source: s.source }, s.status === 'failing' ? 0 : 1);
      }
    },
  });
  new Gauge({
    name: 'waspend_pull_last_success_timestamp_seconds',
    help: 'Unix time of the last successful analytics pull of this WABA and source',
    labelNames: ['waba', 'source'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of latest.values()) {
        if (s.lastSuccessAt !== null) this.set({ waba: s.wabaId, source: s.source }, Math.floor(s.lastSuccessAt / 1000));
      }
    },
  });
  const failures = new Counter({
    name: 'waspend_pull_failures_total',
    help: 'Failed analytics pull attempts by WABA, source and reason',
    labelNames: ['waba', 'source', 'reason'],
    registers: [registry],
  });
  return {
    onStatus(status) {
      latest.set(`${status.wabaId}\u0000${status.source}`, status);
    },
    onFailure({ wabaId, source, reason }) {
      failures.inc({ waba: wabaId, source, reason });
    },
  };
}
