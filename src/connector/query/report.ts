import { InputError, toDecimalString } from '@core';
import type { UsageDimension } from '@contract';
import { usageFacts } from './usage-series';
import type { QueryContext } from './query-context';

/** `--by` values of `waspend report` (a contract: other tools parse the output; `market` was added later). */
export const REPORT_DIMENSIONS = ['day', 'category', 'country', 'market', 'phone', 'pricing_type', 'waba'] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

export interface ReportRow {
  day: string | null;
  waba: string | null;
  phone_number_id: string | null;
  country: string | null;
  market: string | null;
  category: string | null;
  pricing_type: string | null;
  /** Delivered messages. */
  messages: number;
  /** Charged units. */
  billable: number;
  /** In `currency`, decimal string; null when no rate is known. */
  cost: string | null;
  currency: string;
}

export function parseReportDimensions(value: string): ReportDimension[] {
  const parts = value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of parts) {
    if (!(REPORT_DIMENSIONS as readonly string[]).includes(p))
      throw new InputError('--by', p, `is not one of ${REPORT_DIMENSIONS.join(', ')}`);
  }
  return parts as ReportDimension[];
}

/**
 * The report goes through the same facts as GET /api/v1/usage, so its totals equal the API's series
 * for the same range. Rows are per currency; the market goes with the country (it is derived from it).
 */
export async function buildReport(
  ctx: QueryContext,
  q: { from: string; to: string; by: ReportDimension[]; source: 'estimate' | 'meta'; waba?: string[] },
): Promise<ReportRow[]> {
  // Every dimension but the day goes to the facts query: phone and country exist only in the fine rollup,
  // and a query that does not name them is answered from the pricing grain, where they are null.
  const apiBy = q.by.filter((d): d is Exclude<ReportDimension, 'day'> => d !== 'day') as UsageDimension[];
  const { facts } = await usageFacts(ctx, {
    from: q.from,
    to: q.to,
    waba: q.waba ?? [],
    phone: [],
    country: [],
    category: [],
    pricingType: [],
    direction: [],
    group: [],
    interval: 'day',
    by: apiBy,
    source: q.source,
  });
  const has = (d: ReportDimension) => q.by.includes(d);
  const groups = new Map<string, { row: ReportRow; cost: bigint; priced: boolean }>();
  for (const f of facts) {
    const row: ReportRow = {
      day: has('day') ? f.day : null,
      waba: has('waba') ? f.waba.id : null,
      phone_number_id: has('phone') ? f.phone : null,
      country: has('country') ? f.country : null,
      market: has('country') || has('market') ? f.market : null,
      category: has('category') ? f.category : null,
      pricing_type: has('pricing_type') ? f.pricingType : null,
      messages: 0,
      billable: 0,
      cost: null,
      currency: f.currency,
    };
    const key = [row.day, row.waba, row.phone_number_id, row.country, row.market, row.category, row.pricing_type, row.currency].join(
      '\u0000',
    );
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { row, cost: 0n, priced: false }));
    g.row.messages += f.messages;
    g.row.billable += f.billable;
    if (f.costMicros !== null) {
      g.cost += f.costMicros;
      g.priced = true;
    }
  }
  const rows = [...groups.values()].map((g) => ({ ...g.row, cost: g.priced ? toDecimalString(g.cost) : null }));
  // Column by column, a missing value first: one joined string would let a value run into the next
  // column (phone "P1" then country "ZZ" after phone "P10"), and localeCompare ignores the separator.
  const order = (r: ReportRow) => [r.day, r.waba, r.phone_number_id, r.country, r.market, r.category, r.pricing_type, r.currency];
  return rows.sort((a, b) => {
    const [ka, kb] = [order(a), order(b)];
    for (let i = 0; i < ka.length; i++) {
      const c = (ka[i] ?? '').localeCompare(kb[i] ?? '');
      if (c !== 0) return c;
    }
    return 0;
  });
}

export const REPORT_COLUMNS: (keyof ReportRow)[] = [
  'day',
  'waba',
  'phone_number_id',
  'country',
  'market',
  'category',
  'pricing_type',
  'messages',
  'billable',
  'cost',
  'currency',
];

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * `waspend report`'s output: CSV with REPORT_COLUMNS (fields quoted as RFC 4180 asks) or JSON. Costs are
 * the exact decimals of the micro-unit sums, never rounded. `eol` is '\n' on stdout; delivered reports
 * use RFC 4180's '\r\n' with otherwise the same bytes.
 */
export function formatReport(rows: readonly ReportRow[], format: 'csv' | 'json', eol: '\n' | '\r\n' = '\n'): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const lines = [REPORT_COLUMNS.join(',')];
  for (const r of rows) lines.push(REPORT_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return `${lines.join(eol)}${eol}`;
}
