import type { FineUsageColumn, UsageDailyRow } from './store';

/** '' (the "none" of a key column) and absent columns (usage_pricing has no phone, country or group) read as null. */
const orNull = (v: unknown): string | null => (v === undefined || v === null || v === '' ? null : String(v));

/** Gives equal strings of one read as one string (`interner`). */
export type Intern = (s: string) => string;

const asRead: Intern = (s) => s;

/**
 * An intern table for one read of the pricing grain: the driver makes a new string for every cell,
 * and a month of a large sender's rows repeats a few hundred days, WABAs, markets and categories
 * ~15,000 times. The query worker keeps months priced from these rows (priced-usage.ts); with their
 * dims shared too, its live heap after one pass over the dashboards at full scale went from 40.5 to
 * 28.6 MB (docs/performance.md, "Shared strings, summed reads and kept bodies").
 */
export function interner(): Intern {
  const seen = new Map<string, string>();
  return (s) => {
    const kept = seen.get(s);
    if (kept !== undefined) return kept;
    seen.set(s, s);
    return s;
  };
}

const internOrNull = (v: unknown, intern: Intern): string | null => {
  const s = orNull(v);
  return s === null ? null : intern(s);
};

/** A usage_daily or usage_pricing row, as SQLite and PostgreSQL return it, in the store's shape; `intern` shares its key strings with the read's other rows. */
export function usageRowOf(r: Record<string, unknown>, intern: Intern = asRead): UsageDailyRow {
  return {
    day: intern(String(r.day)),
    wabaId: intern(String(r.waba_id)),
    phoneNumberId: orNull(r.phone_number_id),
    country: orNull(r.country),
    market: intern(String(r.market)),
    category: intern(String(r.category)),
    pricingType: internOrNull(r.pricing_type, intern),
    pricingModel: intern(String(r.pricing_model)),
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
export function pricingRowOf(r: readonly unknown[], intern: Intern): UsageDailyRow {
  return {
    day: intern(String(r[0])),
    wabaId: intern(String(r[1])),
    phoneNumberId: null,
    country: null,
    market: intern(String(r[2])),
    category: intern(String(r[3])),
    pricingType: internOrNull(r[4], intern),
    pricingModel: intern(String(r[5])),
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
