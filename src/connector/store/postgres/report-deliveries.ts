import type { Pool } from 'pg';
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

/**
 * report_deliveries and report_runs in PostgreSQL (migration 012); same behaviour as
 * SqliteReportDeliveries. The claim is one upsert: PostgreSQL locks the conflicting row and evaluates
 * the WHERE on its latest version, so of two replicas claiming at once exactly one gets a row back.
 */
export class PgReportDeliveries implements ReportDeliveryStore {
  constructor(private readonly pool: Pool) {}

  async claimReportPeriod(req: ReportClaimRequest): Promise<ReportDelivery | null> {
    const res = await this.pool.query(
      `INSERT INTO report_deliveries (report, period, state, claim_id, claimed_at_ms, lease_until_ms, attempts)
       VALUES ($1, $2, 'claimed', $3, $4, $5, 1)
       ON CONFLICT (report, period) DO UPDATE SET state = 'claimed', claim_id = excluded.claim_id, claimed_at_ms = excluded.claimed_at_ms,
         lease_until_ms = excluded.lease_until_ms, attempts = report_deliveries.attempts + 1
       WHERE ${claimCondition(req.force ?? false)}
       RETURNING *`,
      [req.report, req.period, req.claimId, req.nowMs, req.nowMs + req.leaseMs],
    );
    const row = res.rows[0] as Record<string, unknown> | undefined;
    return row ? deliveryOf(row) : null;
  }

  async completeReportPeriod(q: { report: string; period: ReportPeriod; claimId: string; nowMs: number }): Promise<boolean> {
    const res = await this.pool.query(
      `UPDATE report_deliveries SET state = 'sent', sent_at_ms = $1, lease_until_ms = $1, last_error = NULL
       WHERE report = $2 AND period = $3 AND claim_id = $4 AND state = 'claimed'`,
      [q.nowMs, q.report, q.period, q.claimId],
    );
    return res.rowCount === 1;
  }

  async failReportPeriod(q: { report: string; period: ReportPeriod; claimId: string; retryAtMs: number; error: string }): Promise<boolean> {
    const res = await this.pool.query(
      `UPDATE report_deliveries SET state = 'failed', lease_until_ms = $1, last_error = $2
       WHERE report = $3 AND period = $4 AND claim_id = $5 AND state = 'claimed'`,
      [q.retryAtMs, q.error, q.report, q.period, q.claimId],
    );
    return res.rowCount === 1;
  }

  async reportDelivery(report: string, period: ReportPeriod): Promise<ReportDelivery | null> {
    const res = await this.pool.query('SELECT * FROM report_deliveries WHERE report = $1 AND period = $2', [report, period]);
    const row = res.rows[0] as Record<string, unknown> | undefined;
    return row ? deliveryOf(row) : null;
  }

  async recordReportRun(report: string, patch: ReportRunPatch): Promise<void> {
    const keys = (Object.keys(patch) as (keyof ReportRunPatch)[]).filter((k) => patch[k] !== undefined);
    const cols = keys.map((k) => RUN_COLUMNS[k]);
    const set = cols.length ? cols.map((c) => `${c} = excluded.${c}`).join(', ') : 'report = excluded.report';
    await this.pool.query(
      `INSERT INTO report_runs (report${cols.map((c) => `, ${c}`).join('')}) VALUES ($1${cols.map((_, i) => `, $${i + 2}`).join('')})
       ON CONFLICT (report) DO UPDATE SET ${set}`,
      [report, ...keys.map((k) => patch[k] ?? null)],
    );
  }

  async reportRuns(): Promise<ReportRun[]> {
    const res = await this.pool.query('SELECT * FROM report_runs ORDER BY report');
    return (res.rows as Record<string, unknown>[]).map(runOf);
  }
}
