import type { FineUsageColumn, UsageDailyRow } from './store';

/** '' (the "none" of a key column) and absent columns (usage_pricing has no phone, country or group) read as null. */
const orNull = (v: unknown): string | null => (v === undefined || v === null || v === '' ? null : String(v));

/** A usage_daily or usage_pricing row, as SQLite and PostgreSQL return it, in the store's shape. */
export function usageRowOf(r: Record<string, unknown>): UsageDailyRow {
  return {
    day: String(r.day),
    wabaId: String(r.waba_id),
    phoneNumberId: orNull(r.phone_number_id),
    country: orNull(r.country),
    market: String(r.market),
    category: String(r.category),
    pricingType: orNull(r.pricing_type),
    pricingModel: String(r.pricing_model),
    group: orNull(r.grp),
    messages: Number(r.messages),
    units: Number(r.units),
  };
}

/**
 * A usage_pricing row read as an array (`PRICING_KEY_COLUMNS`, then messages and units), in the
 * store's shape: SQLite hands a month of a large sender's rows over as arrays in about half the time
 * it takes as objects keyed by column (docs/performance.md, "/pricing-input for the what-if panels").
 */
export function pricingRowOf(r: readonly unknown[]): UsageDailyRow {
  return {
    day: String(r[0]),
    wabaId: String(r[1]),
    phoneNumberId: null,
    country: null,
    market: String(r[2]),
    category: String(r[3]),
    pricingType: orNull(r[4]),
    pricingModel: String(r[5]),
    group: null,
    messages: Number(r[6]),
    units: Number(r[7]),
  };
}

const FINE_COLUMN: Record<FineUsageColumn, string> = { phone: 'phone_number_id', country: 'country', group: 'grp' };

/**
 * The read behind `usageDaily`, for both engines, after its WHERE (`where`, the day range and WABA):
 * the rows as stored, or with `keep` summed to the pricing grain plus the kept columns (the others
 * read '', which `usageRowOf` gives as null), in the same order with the columns summed away left out.
 */
export function usageDailySql(where: string, keep: readonly FineUsageColumn[] | undefined): string {
  const order = (kept: (c: string) => boolean) =>
    ['day', 'waba_id', 'phone_number_id', 'country', 'category', 'pricing_type', 'grp'].filter(kept).join(', ');
  if (keep === undefined) return `SELECT * FROM usage_daily WHERE ${where} ORDER BY ${order(() => true)}`;
  const columns = new Set(keep.map((k) => FINE_COLUMN[k]));
  const fine = (c: string) => !Object.values(FINE_COLUMN).includes(c) || columns.has(c);
  const select = ['day', 'waba_id', 'phone_number_id', 'country', 'market', 'category', 'pricing_type', 'pricing_model', 'grp'].map((c) =>
    fine(c) ? c : `'' AS ${c}`,
  );
  const keys = ['day', 'waba_id', ...[...columns], 'market', 'category', 'pricing_type', 'pricing_model'].join(', ');
  return `SELECT ${select.join(', ')}, SUM(messages) AS messages, SUM(units) AS units FROM usage_daily WHERE ${where}
    GROUP BY ${keys} ORDER BY ${order(fine)}, market, pricing_model`;
}
