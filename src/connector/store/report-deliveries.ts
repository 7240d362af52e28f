/**
 * The store's side of scheduled finance reports (migration 012): a lease per report and period so
 * that several connector replicas send each period once, and a status row per report that every
 * replica's /health and /metrics read.
 */

/** A period is its first and last WABA-local day: `2026-10-01..2026-10-31`. */
export type ReportPeriod = string;

export interface ReportClaimRequest {
  report: string;
  period: ReportPeriod;
  /** Unique per attempt: only the holder of this id can mark the period sent or failed. */
  claimId: string;
  nowMs: number;
  /** How long the claim holds: longer than a send can take, so a live sender is never overtaken. */
  leaseMs: number;
  /** Also re-claim a period already sent (`waspend report send NAME --force`). */
  force?: boolean;
}

export interface ReportDelivery {
  report: string;
  period: ReportPeriod;
  state: 'claimed' | 'sent' | 'failed';
  /** Attempts so far, this one included when just claimed. */
  attempts: number;
  /** Claimed: the lease ends; failed: the next retry may claim; sent: when it was sent. */
  leaseUntilMs: number;
  sentAtMs: number | null;
  lastError: string | null;
}

export interface ReportRun {
  report: string;
  lastRunAtMs: number | null;
  lastSuccessAtMs: number | null;
  /** The last period delivered. */
  lastPeriod: string | null;
  nextRunAtMs: number | null;
  lastError: string | null;
  lastErrorAtMs: number | null;
}

export type ReportRunPatch = Partial<Omit<ReportRun, 'report'>>;

export interface ReportDeliveryStore {
  /**
   * Takes (report, period) atomically unless it was sent (and not `force`) or another claim or a
   * retry wait runs until later. Returns the claimed row, or null when this replica must not send.
   */
  claimReportPeriod(req: ReportClaimRequest): Promise<ReportDelivery | null>;
  /** Marks a claimed period sent; false when the claim was lost (expired and taken by another). */
  completeReportPeriod(q: { report: string; period: ReportPeriod; claimId: string; nowMs: number }): Promise<boolean>;
  /** Marks a claimed period failed; it may be claimed again from `retryAtMs`. */
  failReportPeriod(q: { report: string; period: ReportPeriod; claimId: string; retryAtMs: number; error: string }): Promise<boolean>;
  reportDelivery(report: string, period: ReportPeriod): Promise<ReportDelivery | null>;
  /** Sets the given fields of a report's status row (creating it). */
  recordReportRun(report: string, patch: ReportRunPatch): Promise<void>;
  /** Every report's status row, by name. */
  reportRuns(): Promise<ReportRun[]>;
}

export const RUN_COLUMNS = {
  lastRunAtMs: 'last_run_at_ms',
  lastSuccessAtMs: 'last_success_at_ms',
  lastPeriod: 'last_period',
  nextRunAtMs: 'next_run_at_ms',
  lastError: 'last_error',
  lastErrorAtMs: 'last_error_at_ms',
} as const satisfies Record<keyof ReportRunPatch, string>;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

export const deliveryOf = (r: Record<string, unknown>): ReportDelivery => ({
  report: String(r.report),
  period: String(r.period),
  state: r.state as ReportDelivery['state'],
  attempts: Number(r.attempts),
  leaseUntilMs: Number(r.lease_until_ms),
  sentAtMs: num(r.sent_at_ms),
  lastError: str(r.last_error),
});

export const runOf = (r: Record<string, unknown>): ReportRun => ({
  report: String(r.report),
  lastRunAtMs: num(r.last_run_at_ms),
  lastSuccessAtMs: num(r.last_success_at_ms),
  lastPeriod: str(r.last_period),
  nextRunAtMs: num(r.next_run_at_ms),
  lastError: str(r.last_error),
  lastErrorAtMs: num(r.last_error_at_ms),
});

/** The claim's condition, the same text in both dialects (`excluded` and the table name are standard upsert syntax). */
export const claimCondition = (force: boolean) =>
  force
    ? 'report_deliveries.lease_until_ms <= excluded.claimed_at_ms'
    : `report_deliveries.state <> 'sent' AND report_deliveries.lease_until_ms <= excluded.claimed_at_ms`;
