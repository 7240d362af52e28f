export { buildReportContent, summarise, type ReportContent } from './report-content';
export {
  attemptDelivery,
  DEFAULT_LEASE_MS,
  DEFAULT_RETRY,
  type AttemptOutcome,
  type DeliveryDeps,
  type ReportBuild,
  type ReportSend,
} from './report-delivery';
export { registerReportMetrics } from './report-metrics';
export { periodKey, rangeName, reportPeriod, type PeriodDays } from './report-period';
export { createReportScheduler, type ReportHealth, type ReportScheduler, type ReportSchedulerDeps } from './report-scheduler';
export { createReportSenders } from './report-senders';
export { createSmtpSender, smtpSettingsFromEnv, type SmtpSettings } from './smtp-sender';
export { INLINE_CSV_LIMIT, postReportWebhook, webhookBody } from './webhook-sender';
