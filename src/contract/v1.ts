import { z } from 'zod';
import { CATEGORIES, PRICING_TYPES, DIRECTIONS } from '@core';

/**
 * Wire format of the connector's query API (/api/v1). The connector validates requests with these
 * schemas and the plugin validates responses with them, so a change here breaks both builds.
 *
 * Conventions:
 * - Multi-value filters are comma-separated (`waba=1,2`). An empty or missing filter means "all".
 * - `from`/`to` are either epoch milliseconds (range [from, to): a local day, hour or month bucket is
 *   included when it overlaps the range) or WABA-local dates `YYYY-MM-DD` (both days inclusive).
 * - Money is a decimal string in the row's currency (`cost`), never a float.
 * - Field names are camelCase; `snake_case` never leaves the store.
 */

export const API_PREFIX = '/api/v1';

export const INTERVALS = ['hour', 'day', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

export const SOURCES = ['estimate', 'meta'] as const;
export type Source = (typeof SOURCES)[number];

/** Dimensions a usage series can be grouped by. */
export const USAGE_DIMENSIONS = ['waba', 'phone', 'country', 'market', 'category', 'pricing_type', 'direction', 'group'] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

export const CALL_DIMENSIONS = ['waba', 'phone', 'country', 'market', 'direction'] as const;
export type CallDimension = (typeof CALL_DIMENSIONS)[number];

const timeParam = z
  .string()
  .trim()
  // Grafana sends a range before 1970 (e.g. 1900..2999) as negative epoch milliseconds.
  .regex(/^(\d{4}-\d{2}-\d{2}|-?\d{1,15})$/, 'must be epoch milliseconds or a date YYYY-MM-DD');

function csvOf<T extends string>(allowed: readonly T[]) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return [] as T[];
      const parts = v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      for (const p of parts) {
        if (!(allowed as readonly string[]).includes(p)) {
          ctx.addIssue({ code: 'custom', message: `"${p}" is not one of ${allowed.join(', ')}` });
          return z.NEVER;
        }
      }
      return parts as T[];
    });
}

const csvFree = z
  .string()
  .max(10_000)
  .optional()
  .transform((v) =>
    v
      ? v
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
      : [],
  );

/** Filters shared by every series endpoint. */
export const filterParams = z.object({
  from: timeParam,
  to: timeParam,
  waba: csvFree,
  phone: csvFree,
  country: csvFree,
  category: csvOf(CATEGORIES),
  pricingType: csvOf(PRICING_TYPES),
  direction: csvOf(DIRECTIONS),
  group: csvFree,
});

export const usageQuery = filterParams.extend({
  interval: z.enum(INTERVALS).default('day'),
  by: csvOf(USAGE_DIMENSIONS),
  source: z.enum(SOURCES).default('estimate'),
});
export type UsageQuery = z.infer<typeof usageQuery>;

/** One bucket of the usage series. Dimension fields are present only when grouped by them. */
export const usageRow = z.object({
  /** Bucket start, epoch ms (WABA-local midnight / hour / first of month). */
  time: z.number(),
  /** The bucket as a WABA-local label: YYYY-MM-DD, YYYY-MM-DDTHH or YYYY-MM. */
  bucket: z.string(),
  currency: z.string(),
  wabaId: z.string().optional(),
  phoneNumberId: z.string().optional(),
  country: z.string().nullable().optional(),
  market: z.string().optional(),
  /** One of CATEGORIES, or a category Meta sent that waspend does not know yet (lower snake case; see `problems`). */
  category: z.union([z.enum(CATEGORIES), z.string().regex(/^[a-z0-9_]+$/)]).optional(),
  /** One of PRICING_TYPES, or a pricing type Meta sent that waspend does not know yet (lower snake case). */
  pricingType: z.union([z.enum(PRICING_TYPES), z.string().regex(/^[a-z0-9_]+$/)]).optional(),
  direction: z.enum(DIRECTIONS).optional(),
  group: z.string().nullable().optional(),
  /** Delivered messages. */
  messages: z.number(),
  /** Charged units (messages under PMP, conversations under CBP). */
  billable: z.number(),
  /** Cost in `currency`, decimal string; null when no rate is known (see `problems`). */
  cost: z.string().nullable(),
});
export type UsageRowDto = z.infer<typeof usageRow>;

/**
 * A non-fatal gap in an answer. Usage answers add one entry per code and category for delivered
 * messages counted but not priced (`unknown_category`, `unknown_pricing_type`, `unpriced_per_token`):
 * `category` names it and `count` is the delivered messages behind it within the query's range and filters.
 */
export const problem = z.object({
  code: z.string(),
  message: z.string(),
  category: z.string().optional(),
  count: z.number().optional(),
});

export const usageResponse = z.object({
  source: z.enum(SOURCES),
  interval: z.enum(INTERVALS),
  rows: z.array(usageRow),
  problems: z.array(problem),
});
export type UsageResponse = z.infer<typeof usageResponse>;

/**
 * Raw pricing input for the plugin's query layer: the counts it prices itself with the price book,
 * plus the units already charged in the month before `from` (tier state), so a window that starts
 * mid-month lands on the right tier.
 */
export const PRICING_INPUT_FORMATS = ['rows', 'columns'] as const;
export const pricingInputQuery = filterParams.extend({
  by: csvOf(USAGE_DIMENSIONS),
  format: z.enum(PRICING_INPUT_FORMATS).default('rows'),
});
export const pricingInputRow = z.object({
  day: z.string(),
  time: z.number(),
  wabaId: z.string(),
  portfolioId: z.string(),
  currency: z.string(),
  market: z.string(),
  category: z.enum(CATEGORIES),
  pricingType: z.enum(PRICING_TYPES),
  pricingModel: z.enum(['CBP', 'PMP']),
  units: z.number(),
  dims: z.record(z.string(), z.string().nullable()),
});
export const priorUnitsRow = z.object({
  portfolioId: z.string(),
  market: z.string(),
  category: z.enum(CATEGORIES),
  month: z.string(),
  units: z.number(),
});
export const pricingInputResponse = z.object({
  rows: z.array(pricingInputRow),
  priorUnits: z.array(priorUnitsRow),
});
export type PricingInputResponse = z.infer<typeof pricingInputResponse>;

/**
 * The fields of a `pricingInputRow` in the order `format=columns` gives them; a row's `dims` follow
 * as `dims.<name>` columns (`dims.direction` first, then the fine dimensions asked for in `by`).
 */
export const PRICING_INPUT_COLUMNS = [
  'day',
  'time',
  'wabaId',
  'portfolioId',
  'currency',
  'market',
  'category',
  'pricingType',
  'pricingModel',
  'units',
] as const;
/** The columns of `format=columns` that hold numbers as they are; every other column holds text. */
export const PRICING_INPUT_NUMBER_COLUMNS: readonly string[] = ['time', 'units'];

/**
 * `GET /pricing-input?format=columns`: the same rows as arrays under one list of `columns`, each
 * text held once in `values` and a row's text cells its index there (a `dims.*` cell is null where
 * the row's dimension is null). For a large sender's month this is a fifth of the objects' bytes,
 * and the client's parse shrinks with it (docs/api.md, docs/performance.md).
 */
export const pricingInputColumnsResponse = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(z.number().nullable())),
  values: z.array(z.string()),
  priorUnits: z.array(priorUnitsRow),
});
export type PricingInputColumnsResponse = z.infer<typeof pricingInputColumnsResponse>;

export const callsQuery = filterParams.extend({
  interval: z.enum(INTERVALS).default('day'),
  by: csvOf(CALL_DIMENSIONS),
  source: z.enum(SOURCES).default('estimate'),
});
export type CallsQuery = z.infer<typeof callsQuery>;

export const callsRow = z.object({
  time: z.number(),
  bucket: z.string(),
  currency: z.string(),
  wabaId: z.string().optional(),
  phoneNumberId: z.string().optional(),
  country: z.string().nullable().optional(),
  market: z.string().optional(),
  direction: z.enum(DIRECTIONS).optional(),
  calls: z.number(),
  /** Total talk time in seconds. */
  durationSec: z.number(),
  /** Billed 6-second pulses (business-initiated only). */
  pulses: z.number(),
  cost: z.string().nullable(),
});
export const callsResponse = z.object({
  source: z.enum(SOURCES),
  interval: z.enum(INTERVALS),
  rows: z.array(callsRow),
  problems: z.array(problem),
});
export type CallsResponse = z.infer<typeof callsResponse>;

export const contactsQuery = filterParams.extend({ interval: z.enum(INTERVALS).default('day') });
export const contactsResponse = z.object({
  interval: z.enum(INTERVALS),
  /** Unique contacts per bucket (approximate, HyperLogLog, ~1.6% standard error). */
  rows: z.array(z.object({ time: z.number(), bucket: z.string(), contacts: z.number() })),
  /** Unique contacts over the whole range (not the sum of the buckets). */
  total: z.number(),
});
export type ContactsResponse = z.infer<typeof contactsResponse>;

export const RECONCILIATION_INTERVALS = ['day', 'month'] as const;
/**
 * `interval=day` (default): our estimate against Meta's analytics per WABA-local day (`reconciliationResponse`).
 * `interval=month`: per WABA and whole WABA-local month, estimate, Meta and the entered invoice side by
 * side (`reconciliationMonthResponse`); only the `waba` filter applies, because an invoice is one total per WABA.
 */
export const reconciliationQuery = filterParams.extend({
  by: csvOf(['category', 'waba'] as const),
  interval: z.enum(RECONCILIATION_INTERVALS).default('day'),
});
export const reconciliationRow = z.object({
  time: z.number(),
  day: z.string(),
  currency: z.string(),
  wabaId: z.string().optional(),
  category: z.enum(CATEGORIES).optional(),
  estimateUnits: z.number(),
  metaUnits: z.number().nullable(),
  estimateCost: z.string().nullable(),
  metaCost: z.string().nullable(),
});
export const reconciliationResponse = z.object({ rows: z.array(reconciliationRow), problems: z.array(problem) });
export type ReconciliationResponse = z.infer<typeof reconciliationResponse>;

/** A month `YYYY-MM`. */
export const monthParam = z
  .string()
  .trim()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM');

/**
 * One WABA-local month of one WABA in one currency. Money never mixes currencies: an invoice (or a
 * Meta figure) in another currency than the WABA's gets a row of its own, without differences.
 * Each difference is `figure - reference` (decimal string) and `...Pct` is it as a percentage of
 * the reference, rounded half away from zero to 2 decimals; null when either side is missing or the
 * reference is zero. The reference is Meta's analytics for `estimateVsMeta` and the invoice otherwise.
 */
export const reconciliationMonthRow = z.object({
  /** Start of the WABA-local month, epoch ms. */
  time: z.number(),
  month: z.string(),
  wabaId: z.string(),
  currency: z.string(),
  /** Our estimate: delivered messages and finished calls priced on the imported rate cards. */
  estimateCost: z.string().nullable(),
  /** Meta's pricing_analytics plus call_analytics cost, as pulled; null when Meta reported no cost. */
  metaCost: z.string().nullable(),
  /** The invoice entered for this WABA, month and currency (`waspend invoice import`, `PUT /invoices`). */
  invoiceAmount: z.string().nullable(),
  estimateVsMeta: z.string().nullable(),
  estimateVsMetaPct: z.number().nullable(),
  estimateVsInvoice: z.string().nullable(),
  estimateVsInvoicePct: z.number().nullable(),
  metaVsInvoice: z.string().nullable(),
  metaVsInvoicePct: z.number().nullable(),
  /** Meta's figures for the month may still change (see `consolidationDays` and docs/api.md). */
  consolidating: z.boolean(),
});
export type ReconciliationMonthRow = z.infer<typeof reconciliationMonthRow>;
export const reconciliationMonthResponse = z.object({
  interval: z.literal('month'),
  /** Days after the WABA-local month end during which a month without an invoice counts as consolidating. */
  consolidationDays: z.number(),
  rows: z.array(reconciliationMonthRow),
  problems: z.array(problem),
});
export type ReconciliationMonthResponse = z.infer<typeof reconciliationMonthResponse>;

/** Meta's monthly invoice for one WABA, as entered. `amount` is an exact decimal string. */
export const invoiceItem = z.object({
  wabaId: z.string(),
  month: z.string(),
  currency: z.string(),
  amount: z.string(),
  /** How it was entered: `cli` (`waspend invoice import`) or `api` (`PUT /api/v1/invoices/{waba}/{month}`). */
  source: z.enum(['cli', 'api']),
  /** When it was entered, epoch ms. */
  enteredAt: z.number(),
});
export type InvoiceItem = z.infer<typeof invoiceItem>;

/** GET /api/v1/invoices: `from`/`to` months, both inclusive. */
export const invoicesQuery = z.object({ from: monthParam, to: monthParam, waba: csvFree });
export const invoicesResponse = z.object({ items: z.array(invoiceItem) });
export type InvoicesResponse = z.infer<typeof invoicesResponse>;

/** PUT /api/v1/invoices/{waba}/{month}: a JSON number would lose cents, so the amount is a decimal string. */
export const invoicePutBody = z.strictObject({
  currency: z
    .string({ error: 'must be an ISO 4217 currency code such as "EUR"' })
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code such as "EUR"'),
  amount: z
    .string({ error: 'must be a decimal string such as "1234.56" (not a JSON number)' })
    .regex(/^\d+(\.\d{1,6})?$/, 'must be a non-negative decimal string with at most 6 decimals, such as "1234.56"'),
});
export const invoicePutResponse = z.object({ item: invoiceItem, replaced: z.boolean() });
export type InvoicePutResponse = z.infer<typeof invoicePutResponse>;

export const tiersQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-\d{2}$/)
    .optional(),
  waba: csvFree,
});
export const tierStateRow = z.object({
  portfolioId: z.string(),
  market: z.string(),
  category: z.enum(CATEGORIES),
  month: z.string(),
  /** Charged units so far this month (our count). */
  units: z.number(),
  tierLower: z.number(),
  tierUpper: z.number().nullable(),
  /** Units left before the next (cheaper) tier; null on the last tier. */
  remaining: z.number().nullable(),
  /** Tier Meta announced through the account_update webhook, when it did. */
  metaTier: z.string().nullable(),
});
export const tiersResponse = z.object({ rows: z.array(tierStateRow) });
export type TiersResponse = z.infer<typeof tiersResponse>;

export const LIST_KINDS = ['wabas', 'phones', 'countries', 'categories', 'groups', 'markets'] as const;
export type ListKind = (typeof LIST_KINDS)[number];
export const listQuery = z.object({ waba: csvFree });
export const listResponse = z.object({
  items: z.array(z.object({ value: z.string(), text: z.string() })),
});
export type ListResponse = z.infer<typeof listResponse>;

export const ANNOTATION_KINDS = ['rate_card', 'pricing_model', 'tier', 'template_category', 'market_change'] as const;
export const annotationsQuery = z.object({ from: timeParam, to: timeParam, waba: csvFree, kind: csvOf(ANNOTATION_KINDS) });
export const annotation = z.object({
  time: z.number(),
  kind: z.enum(ANNOTATION_KINDS),
  title: z.string(),
  text: z.string(),
  wabaId: z.string().nullable(),
  tags: z.array(z.string()),
});
export const annotationsResponse = z.object({ items: z.array(annotation) });
export type AnnotationsResponse = z.infer<typeof annotationsResponse>;

/** The price book as JSON (decimal strings): see `priceBookFromJson` in core. */
export const priceBookResponse = z.object({ priceBook: z.unknown() });

/** A stored price file (`waspend rates|tiers|call-rates import`), by the file name it was imported from. */
export const priceFileItem = z.object({
  name: z.string(),
  kind: z.enum(['rates', 'tiers', 'call_rates']),
  currency: z.string(),
  /** First WABA-local day it prices (`--effective`); may be in the future. */
  effectiveFrom: z.string(),
  /** When it was imported, epoch ms. */
  importedAt: z.number(),
});
export type PriceFileItem = z.infer<typeof priceFileItem>;
/** GET /api/v1/price-files: every stored file, by effective day then kind and currency. */
export const priceFilesResponse = z.object({ items: z.array(priceFileItem) });
export type PriceFilesResponse = z.infer<typeof priceFilesResponse>;
/**
 * GET /api/v1/price-files/{name}: the stored files of that name (one per kind, currency and effective
 * day) and what they parse to, as a price book in JSON (`priceBookFromJson`). 404 when none has it.
 */
export const priceFileResponse = z.object({ items: z.array(priceFileItem), priceBook: z.unknown() });
export type PriceFileResponse = z.infer<typeof priceFileResponse>;

export const wabaInfo = z.object({
  id: z.string(),
  name: z.string(),
  timezone: z.string(),
  /** The billing currency in force today (WABA-local). */
  currency: z.string(),
  /** Every billing period: `from` is the first WABA-local day (null: since the beginning). */
  currencies: z.array(z.object({ from: z.string().nullable(), code: z.string() })).optional(),
  portfolio: z.string(),
});
export const wabasResponse = z.object({ items: z.array(wabaInfo) });
export type WabaInfo = z.infer<typeof wabaInfo>;

/** A worker thread's state on /health: restarting after a crash, or failed when it could not be started again. */
const workerHealth = z.object({
  status: z.enum(['ok', 'restarting', 'failed']),
  restarts: z.number(),
  lastCrashAt: z.number().nullable(),
  lastError: z.string().nullable(),
});

export const healthResponse = z.object({
  status: z.enum(['ok', 'degraded', 'error']),
  version: z.string(),
  store: z.object({
    ok: z.boolean(),
    kind: z.enum(['sqlite', 'postgres']),
    events: z.number(),
    lastEventAt: z.number().nullable(),
    error: z.string().optional(),
  }),
  pulls: z.array(
    z.object({
      wabaId: z.string(),
      source: z.string(),
      status: z.enum(['ok', 'failing', 'idle', 'disabled']),
      lastSuccessAt: z.number().nullable(),
      lastError: z.string().nullable(),
      nextAttemptAt: z.number().nullable(),
    }),
  ),
  /** Scheduled finance reports (config `reports:`); absent from connectors older than issue 14. */
  reports: z
    .array(
      z.object({
        name: z.string(),
        delivery: z.enum(['smtp', 'webhook']),
        /** failing: the last attempt failed after the last success; idle: never delivered yet. */
        status: z.enum(['ok', 'failing', 'idle']),
        lastRunAt: z.number().nullable(),
        lastSuccessAt: z.number().nullable(),
        /** The last period delivered, `YYYY-MM-DD..YYYY-MM-DD`. */
        lastPeriod: z.string().nullable(),
        nextRunAt: z.number().nullable(),
        /** The last failure (`period: error`), secrets replaced by [redacted]; kept after a later success. */
        lastError: z.string().nullable(),
      }),
    )
    .optional(),
  /**
   * The thread that answers /api/v1 queries (config `query.worker`); absent from connectors older than
   * issue 13 item 6 and when the queries run in the HTTP thread. restarting: it crashed and is being
   * started again (requests in flight got 503); failed: it could not be started again.
   */
  queryWorker: workerHealth.optional(),
  /**
   * The thread the background re-pricer prices in (config `query.repricingWorker`); absent from
   * connectors older than it and when the re-pricer prices in the query worker or the HTTP thread.
   * Its states are the query worker's; a crash fails that re-pricing pass (the months stay dirty).
   */
  repricingWorker: workerHealth.optional(),
  /**
   * PostgreSQL only (absent on SQLite and from connectors older than issue 13 item 7): the connection
   * that hears the other replicas' commits. reconnecting: it is down (since `downSince`) and this
   * replica's caches are refreshed every second instead; `degraded` meanwhile.
   */
  changeListener: z
    .object({
      status: z.enum(['listening', 'reconnecting']),
      reconnects: z.number(),
      downSince: z.number().nullable(),
      lastError: z.string().nullable(),
    })
    .optional(),
});
export type HealthResponse = z.infer<typeof healthResponse>;

/** Error body for every 4xx/5xx: `field` names the offending input when there is one. */
export const errorResponse = z.object({ error: z.string(), message: z.string(), field: z.string().optional() });
export type ErrorResponse = z.infer<typeof errorResponse>;
