import { Cron } from 'croner';
import { z } from 'zod';
import { REPORT_DIMENSIONS, type ReportDimension } from '../query/report';
import { metaId, nonEmpty, timeZone } from './schema-parts';

/**
 * `reports:` — finance reports the connector delivers on a schedule (README "Configuration",
 * docs/reports.md). Keyed by report name, which `waspend report send NAME`, /health and the metrics use.
 */

export const REPORT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** `last_month`, `month_to_date` or `last_N_days` (N complete WABA-local days up to yesterday). */
export type ReportRange = { kind: 'last_month' } | { kind: 'month_to_date' } | { kind: 'last_days'; days: number };

const rangeSchema = nonEmpty.transform((value, ctx): ReportRange => {
  if (value === 'last_month' || value === 'month_to_date') return { kind: value };
  const m = /^last_(\d{1,3})_days$/.exec(value);
  const days = m ? Number(m[1]) : 0;
  if (days >= 1 && days <= 366) return { kind: 'last_days', days };
  ctx.addIssue({ code: 'custom', message: `must be last_month, month_to_date or last_N_days with N from 1 to 366, got "${value}"` });
  return z.NEVER;
});

// The CLI's `--by` as a comma-separated string or as a YAML list; empty means totals only, as `--by ''`.
const bySchema = z.union([z.string().transform((s) => s.split(',')), z.array(nonEmpty)]).transform((parts, ctx): ReportDimension[] => {
  const dims = parts.map((p) => p.trim()).filter(Boolean);
  const bad = dims.filter((p) => !(REPORT_DIMENSIONS as readonly string[]).includes(p));
  if (bad.length) ctx.addIssue({ code: 'custom', message: `"${bad[0]}" is not one of ${REPORT_DIMENSIONS.join(', ')}` });
  return dims as ReportDimension[];
});

const scheduleSchema = z
  .strictObject({
    /** Five fields (minute hour day-of-month month day-of-week), read in `timezone`. */
    cron: nonEmpty,
    timezone: timeZone,
  })
  .superRefine((s, ctx) => {
    try {
      new Cron(s.cron, { timezone: s.timezone, paused: true });
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        path: ['cron'],
        message: `is not a cron expression: ${(err as Error).message.replace(/^CronPattern: /, '')}`,
      });
    }
  });

const webhookUrl = z.url().refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

export const reportSchema = z
  .strictObject({
    schedule: scheduleSchema,
    report: z.strictObject({
      by: bySchema.default(['day', 'category']),
      range: rangeSchema,
      source: z.enum(['estimate', 'meta']).default('estimate'),
      /** Only these WABA ids; all configured WABAs when absent. */
      waba: z.array(metaId).min(1).optional(),
    }),
    format: z.literal('csv', { message: 'must be csv' }).default('csv'),
    /** E-mail addresses (SMTP delivery). */
    recipients: z.array(z.email('must be an e-mail address')).min(1, 'must list at least one address').optional(),
    /** SMTP delivery: the server and its credentials come from WASPEND_SMTP_* (docs/reports.md). */
    smtp: z.strictObject({ from: nonEmpty, subject: nonEmpty.optional() }).optional(),
    /** Slack/Teams-style incoming webhook: one JSON POST with a summary and the CSV. */
    webhook: z.strictObject({ url: webhookUrl }).optional(),
    retry: z
      .strictObject({
        maxAttempts: z.number().int().min(1).max(50).optional(),
        baseDelayMs: z.number().int().min(0).optional(),
        maxDelayMs: z.number().int().min(0).optional(),
      })
      .optional(),
  })
  .superRefine((r, ctx) => {
    if (!r.smtp === !r.webhook) ctx.addIssue({ code: 'custom', path: ['smtp'], message: 'give exactly one delivery: smtp or webhook' });
    if (r.smtp && !r.recipients) ctx.addIssue({ code: 'custom', path: ['recipients'], message: 'required with smtp delivery' });
    if (r.webhook && r.recipients)
      ctx.addIssue({ code: 'custom', path: ['recipients'], message: 'is for smtp delivery; a webhook posts to its url' });
  });

export const reportsSchema = z.record(z.string(), reportSchema).superRefine((reports, ctx) => {
  for (const name of Object.keys(reports))
    if (!REPORT_NAME.test(name))
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'report names are letters, digits, _ . - (at most 64, starting with a letter or digit)',
      });
});

export type ReportConfig = z.infer<typeof reportSchema>;
