import type { ReportConfig } from '../config';
import type { ReportSend } from './report-delivery';
import { createSmtpSender, smtpSettingsFromEnv } from './smtp-sender';
import { postReportWebhook } from './webhook-sender';

/**
 * The send function for a set of reports, and the secrets to keep out of errors. SMTP settings are read
 * (and checked) only when a report is delivered by smtp, so a webhook-only config needs no WASPEND_SMTP_*.
 */
export function createReportSenders(
  reports: Readonly<Record<string, ReportConfig>>,
  env: NodeJS.ProcessEnv,
): { send: ReportSend; secrets: string[]; close(): void } {
  const all = Object.values(reports);
  const smtp = all.some((r) => r.smtp) ? createSmtpSender(smtpSettingsFromEnv(env)) : null;
  const secrets = [...(smtp?.secrets ?? []), ...all.flatMap((r) => (r.webhook ? [r.webhook.url] : []))];
  return {
    secrets,
    async send(_name, cfg, content) {
      if (cfg.smtp && smtp) return smtp.send({ from: cfg.smtp.from, to: cfg.recipients ?? [], content });
      if (cfg.webhook) return postReportWebhook(cfg.webhook.url, content);
      throw new Error('report has no delivery');
    },
    close: () => smtp?.close(),
  };
}
