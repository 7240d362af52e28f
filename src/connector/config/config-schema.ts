import { isDay } from '@core';
import { z } from 'zod';
import { reportsSchema } from './reports-schema';
import { metaId, nonEmpty, timeZone } from './schema-parts';

/**
 * The connector's YAML configuration. Every key is documented in README "Configuration"; unknown
 * keys are rejected so that a typo (`appSecert`) fails loudly instead of silently disabling a check.
 */

const isoCode = nonEmpty.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');

/**
 * `currency: USD`, or the dated list Meta's currency migration calls for:
 * `[{ from: 2025-01-01, code: USD }, { from: 2026-12-01, code: INR }]` (WABA-local days, sorted).
 */
const currencyPeriods = z
  .array(
    z.strictObject({
      from: nonEmpty.refine(isDay, 'must be a day in YYYY-MM-DD form'),
      code: isoCode,
    }),
  )
  .min(1, 'must list at least one { from, code }')
  .superRefine((list, ctx) => {
    for (let i = 1; i < list.length; i++) {
      const prev = (list[i - 1] as { from: string }).from;
      if ((list[i] as { from: string }).from <= prev)
        ctx.addIssue({ code: 'custom', path: [i, 'from'], message: `must be after ${prev} (entries sorted by day, one per day)` });
    }
  });

/**
 * Where a zod issue points in the config and what it says. A misspelt key is named itself, not the
 * object holding it, so the user sees the typo; both the whole-config check (load-config.ts) and the
 * nested currency check report problems this way.
 */
export function configProblem(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code === 'unrecognized_keys')
    return { path: [...issue.path, issue.keys[0] ?? ''], message: 'unknown key (see README "Configuration")' };
  return { path: issue.path, message: issue.message };
}

// Chosen by the value's type rather than z.union, so an error inside the list names its entry and key.
const currencySchema = z.unknown().transform((value, ctx): string | { from: string; code: string }[] => {
  const schema = typeof value === 'string' ? isoCode : Array.isArray(value) ? currencyPeriods : null;
  if (!schema) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 4217 code or a list of { from: YYYY-MM-DD, code }' });
    return z.NEVER;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  // A misspelt key first: the missing key it was meant to be is the consequence.
  const issues = [...parsed.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  for (const issue of issues) ctx.addIssue({ code: 'custom', ...configProblem(issue) });
  return z.NEVER;
});

const wabaSchema = z.strictObject({
  id: metaId,
  name: nonEmpty,
  timezone: timeZone,
  currency: currencySchema,
  /** Business portfolio id: volume tiers are counted across all of its WABAs. */
  portfolio: metaId,
  /** Budget per WABA-local month in the currency in force today (see `currency`), for waspend_monthly_budget and the alert rule. */
  monthlyBudget: z.number().positive().optional(),
  meta: z.strictObject({ token: nonEmpty, apiVersion: nonEmpty.optional() }).optional(),
  d360: z
    .strictObject({
      partnerId: nonEmpty,
      clientId: nonEmpty,
      apiKey: nonEmpty,
      channels: z.array(z.strictObject({ id: nonEmpty, phoneNumberId: nonEmpty.optional() })).min(1),
    })
    .optional(),
});

const retrySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(20).optional(),
  baseDelayMs: z.number().int().min(0).optional(),
  maxDelayMs: z.number().int().min(0).optional(),
  timeoutMs: z.number().int().min(100).optional(),
});

export const configSchema = z.strictObject({
  /** Bearer token for /api/v1 and /metrics. Without it the query API refuses every request. */
  apiToken: nonEmpty.min(16, 'must be at least 16 characters').optional(),
  /** Token Prometheus sends for /metrics; defaults to no auth on /metrics (it holds no secrets). */
  metricsToken: nonEmpty.optional(),
  db: nonEmpty.optional(),
  server: z
    .strictObject({
      host: nonEmpty.optional(),
      port: z.number().int().min(0).max(65535).optional(),
      bodyLimitBytes: z
        .number()
        .int()
        .min(1024)
        .max(100 * 1024 * 1024)
        .optional(),
      requestTimeoutMs: z.number().int().min(100).optional(),
      logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
      /**
       * How far each V8 heap of `serve` may grow past its live objects before a full collection, in
       * percent (default 30; 0 leaves V8 its own, up to 300 %); WASPEND_HEAP_GROWTH_PERCENT overrides
       * it (runtime/heap-growth.ts, docs/performance.md "Heap growth").
       */
      heapGrowthPercent: z.number().int().min(0).max(1000).optional(),
    })
    .optional(),
  webhooks: z
    .strictObject({
      appSecret: nonEmpty.optional(),
      verifyToken: nonEmpty.optional(),
      sharedSecret: z.strictObject({ header: nonEmpty, value: nonEmpty }).optional(),
    })
    .optional(),
  pulls: z
    .strictObject({
      graphBaseUrl: z.url().optional(),
      d360BaseUrl: z.url().optional(),
      backfillDays: z.number().int().min(1).max(366).optional(),
      repullDays: z.number().int().min(0).max(60).optional(),
      intervalMs: z.number().int().min(1000).optional(),
      failureBackoffMs: z.number().int().min(0).optional(),
      maxFailureBackoffMs: z.number().int().min(0).optional(),
      retry: retrySchema.optional(),
    })
    .optional(),
  query: z
    .strictObject({
      /**
       * Answer /api/v1 queries in a worker thread with its own read connection, so they never hold a
       * webhook's 200 (default true; an in-memory SQLite store always answers in the HTTP thread).
       */
      worker: z.boolean().optional(),
      /**
       * With the query worker on: price the background re-pricer's months in a worker thread of its own
       * (default true), so no query waits behind a month's pricing; false prices them in the query worker
       * (one thread, read connection and heap fewer: 150–300 MB at 10M messages under steady webhooks,
       * docs/performance.md "The re-pricer in a worker of its own").
       */
      repricingWorker: z.boolean().optional(),
    })
    .optional(),
  wabas: z.array(wabaSchema).min(1, 'must list at least one WABA'),
  /** Finance reports delivered on a schedule by e-mail or webhook (reports-schema.ts). */
  reports: reportsSchema.optional(),
});

export type ConnectorConfig = z.infer<typeof configSchema>;
export type WabaConfig = ConnectorConfig['wabas'][number];
