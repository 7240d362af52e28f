import { randomUUID } from 'node:crypto';
import type { ReportConfig } from '../config';
import { backoffDelayMs } from '../pull/backoff';
import { redactText } from '../pull';
import type { QueryContext } from '../query';
import type { ReportDelivery, ReportDeliveryStore } from '../store';
import { buildReportContent, type ReportContent } from './report-content';
import { periodKey, type PeriodDays } from './report-period';

/** Sends one built report through the report's configured channel. */
export type ReportSend = (name: string, cfg: ReportConfig, content: ReportContent) => Promise<void>;

/** Builds a report's content somewhere else than on `ctx` in this thread (the connector's query worker). */
export type ReportBuild = (name: string, cfg: ReportConfig, period: PeriodDays) => Promise<ReportContent>;

export interface DeliveryDeps {
  store: ReportDeliveryStore;
  /** Where the report is built when `build` is not given (`waspend report send`, tests, `query.worker: false`). */
  ctx: QueryContext;
  build?: ReportBuild;
  send: ReportSend;
  now: () => number;
  /** Strings that must never reach the store, /health or logs (SMTP password, webhook URLs). */
  secrets: readonly string[];
  /** Longer than a send can take (SMTP timeouts total 2 min), so a live sender is never overtaken. */
  leaseMs?: number;
  random?: () => number;
}

export const DEFAULT_LEASE_MS = 10 * 60_000;
export const DEFAULT_RETRY = { maxAttempts: 6, baseDelayMs: 60_000, maxDelayMs: 3_600_000 };

export type AttemptOutcome =
  | { kind: 'sent'; delivery: ReportDelivery; content: ReportContent }
  | { kind: 'failed'; attempts: number; error: string; retryAtMs: number | null }
  /** Another replica holds the claim, waits out a failure, or the period was sent: nothing done here. */
  | { kind: 'skipped'; row: ReportDelivery | null };

export const retryOf = (cfg: ReportConfig) => ({ ...DEFAULT_RETRY, ...cfg.retry });

/**
 * One attempt at delivering (report, period): claim the lease, build the CSV with `waspend report`'s
 * code, send, then mark it sent or failed (with the next retry time after backoff). Errors are kept
 * with every secret replaced by [redacted].
 */
export async function attemptDelivery(
  deps: DeliveryDeps,
  name: string,
  cfg: ReportConfig,
  period: PeriodDays,
  opts: { force?: boolean } = {},
): Promise<AttemptOutcome> {
  const key = periodKey(period);
  const retry = retryOf(cfg);
  const claimId = randomUUID();
  const claimedAt = deps.now();
  const claim = await deps.store.claimReportPeriod({
    report: name,
    period: key,
    claimId,
    nowMs: claimedAt,
    leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
    ...(opts.force ? { force: true } : {}),
  });
  if (!claim) return { kind: 'skipped', row: await deps.store.reportDelivery(name, key) };
  await deps.store.recordReportRun(name, { lastRunAtMs: claimedAt });
  try {
    const content = await (deps.build ? deps.build(name, cfg, period) : buildReportContent(deps.ctx, name, cfg, period));
    await deps.send(name, cfg, content);
    const sentAt = deps.now();
    if (!(await deps.store.completeReportPeriod({ report: name, period: key, claimId, nowMs: sentAt })))
      throw new Error('the claim expired before the send finished (lease too short?)');
    await deps.store.recordReportRun(name, { lastSuccessAtMs: sentAt, lastPeriod: key });
    return { kind: 'sent', delivery: { ...claim, state: 'sent', sentAtMs: sentAt, leaseUntilMs: sentAt, lastError: null }, content };
  } catch (err) {
    const failedAt = deps.now();
    const error = redactText(String((err as Error).message ?? err), deps.secrets).slice(0, 500);
    const last = claim.attempts >= retry.maxAttempts;
    // After the last attempt the row stays failed for good (until `waspend report send NAME --force`).
    const retryAtMs = last ? null : failedAt + backoffDelayMs(claim.attempts, retry, deps.random ?? Math.random);
    await deps.store.failReportPeriod({ report: name, period: key, claimId, retryAtMs: retryAtMs ?? Number.MAX_SAFE_INTEGER, error });
    await deps.store.recordReportRun(name, { lastError: `${key}: ${error}`, lastErrorAtMs: failedAt });
    return { kind: 'failed', attempts: claim.attempts, error, retryAtMs };
  }
}
