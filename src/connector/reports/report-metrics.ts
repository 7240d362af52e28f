import { Counter, Gauge, type Registry } from 'prom-client';
import type { AttemptOutcome } from './report-delivery';
import type { ReportHealth } from './report-scheduler';

/**
 * Report delivery metrics. The timestamps come from the store at scrape time (every replica shows
 * the same last success, whoever sent it); the counters count this process's attempts.
 */
export function registerReportMetrics(
  registry: Registry,
  names: readonly string[],
  health: () => Promise<ReportHealth[]>,
): { onOutcome(name: string, outcome: AttemptOutcome): void } {
  const failures = new Counter({
    name: 'waspend_report_failures_total',
    help: 'Failed report delivery attempts by this process (each retry counts)',
    labelNames: ['report'],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'waspend_report_deliveries_total',
    help: 'Reports delivered by this process',
    labelNames: ['report'],
    registers: [registry],
  });
  for (const report of names) {
    failures.inc({ report }, 0);
    deliveries.inc({ report }, 0);
  }
  const fromHealth = (pick: (h: ReportHealth) => number | null) =>
    async function collect(this: Gauge) {
      this.reset();
      // An unreachable store leaves the gauges empty for this scrape (/health says why) instead of failing /metrics.
      const rows = await health().catch(() => []);
      for (const h of rows) {
        const v = pick(h);
        if (v !== null) this.set({ report: h.name }, v);
      }
    };
  new Gauge({
    name: 'waspend_report_last_success_timestamp_seconds',
    help: 'When the report was last delivered (any replica), Unix seconds',
    labelNames: ['report'],
    registers: [registry],
    collect: fromHealth((h) => (h.lastSuccessAt === null ? null : h.lastSuccessAt / 1000)),
  });
  new Gauge({
    name: 'waspend_report_next_run_timestamp_seconds',
    help: 'When the report is next scheduled, Unix seconds',
    labelNames: ['report'],
    registers: [registry],
    collect: fromHealth((h) => (h.nextRunAt === null ? null : h.nextRunAt / 1000)),
  });
  new Gauge({
    name: 'waspend_report_failing',
    help: '1 when the last delivery attempt of the report failed after its last success',
    labelNames: ['report'],
    registers: [registry],
    collect: fromHealth((h) => (h.status === 'failing' ? 1 : 0)),
  });
  return {
    onOutcome(name, outcome) {
      if (outcome.kind === 'failed') failures.inc({ report: name });
      if (outcome.kind === 'sent') deliveries.inc({ report: name });
    },
  };
}
