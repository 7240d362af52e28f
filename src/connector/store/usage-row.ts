import type { UsageDailyRow } from './store';

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
