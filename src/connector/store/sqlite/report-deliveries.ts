import type Database from 'better-sqlite3';
import {
  claimCondition,
  deliveryOf,
  runOf,
  RUN_COLUMNS,
  type ReportClaimRequest,
  type ReportDelivery,
  type ReportDeliveryStore,
  type ReportPeriod,
  type ReportRun,
  type ReportRunPatch,
} from '../report-deliveries';

const claimSql = (force: boolean) =>
  `INSERT INTO report_deliveries (report, period, state, claim_id, claimed_at_ms, lease_until_ms, attempts)
   VALUES (@report, @period, 'claimed', @claimId, @nowMs, @leaseUntilMs, 1)
   ON CONFLICT (report, period) DO UPDATE SET state = 'claimed', claim_id = excluded.claim_id, claimed_at_ms = excluded.claimed_at_ms,
     lease_until_ms = excluded.lease_until_ms, attempts = report_deliveries.attempts + 1
   WHERE ${claimCondition(force)}
   RETURNING *`;

/** report_deliveries and report_runs in the embedded store (migration 012). */
export class SqliteReportDeliveries implements ReportDeliveryStore {
  constructor(private readonly db: Database.Database) {}

  async claimReportPeriod(req: ReportClaimRequest): Promise<ReportDelivery | null> {
    const row = this.db.prepare(claimSql(req.force ?? false)).get({
      report: req.report,
      period: req.period,
      claimId: req.claimId,
      nowMs: req.nowMs,
      leaseUntilMs: req.nowMs + req.leaseMs,
    }) as Record<string, unknown> | undefined;
    return row ? deliveryOf(row) : null;
  }

  async completeReportPeriod(q: { report: string; period: ReportPeriod; claimId: string; nowMs: number }): Promise<boolean> {
    const res = this.db
      .prepare(
        `UPDATE report_deliveries SET state = 'sent', sent_at_ms = ?, lease_until_ms = ?, last_error = NULL
         WHERE report = ? AND period = ? AND claim_id = ? AND state = 'claimed'`,
      )
      .run(q.nowMs, q.nowMs, q.report, q.period, q.claimId);
    return res.changes === 1;
  }

  async failReportPeriod(q: { report: string; period: ReportPeriod; claimId: string; retryAtMs: number; error: string }): Promise<boolean> {
    const res = this.db
      .prepare(
        `UPDATE report_deliveries SET state = 'failed', lease_until_ms = ?, last_error = ?
         WHERE report = ? AND period = ? AND claim_id = ? AND state = 'claimed'`,
      )
      .run(q.retryAtMs, q.error, q.report, q.period, q.claimId);
    return res.changes === 1;
  }

  async reportDelivery(report: string, period: ReportPeriod): Promise<ReportDelivery | null> {
    const row = this.db.prepare('SELECT * FROM report_deliveries WHERE report = ? AND period = ?').get(report, period) as
      Record<string, unknown> | undefined;
    return row ? deliveryOf(row) : null;
  }

  async recordReportRun(report: string, patch: ReportRunPatch): Promise<void> {
    const keys = (Object.keys(patch) as (keyof ReportRunPatch)[]).filter((k) => patch[k] !== undefined);
    const cols = keys.map((k) => RUN_COLUMNS[k]);
    const set = cols.length ? cols.map((c) => `${c} = excluded.${c}`).join(', ') : 'report = excluded.report';
    this.db
      .prepare(
        `INSERT INTO report_runs (report${cols.map((c) => `, ${c}`).join('')}) VALUES (?${cols.map(() => ', ?').join('')})
         ON CONFLICT (report) DO UPDATE SET ${set}`,
      )
      .run(report, ...keys.map((k) => patch[k] ?? null));
  }

  async reportRuns(): Promise<ReportRun[]> {
    return (this.db.prepare('SELECT * FROM report_runs ORDER BY report').all() as Record<string, unknown>[]).map(runOf);
  }
}
