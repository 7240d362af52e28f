import type { Category } from '../model/category';
import type { Micros } from '../model/money';
import { allocate } from './allocate';

/** A billed total for one market and category (an invoice line, Meta's analytics, or our estimate). */
export interface MarketCategoryTotal {
  currency: string;
  market: string;
  category: Category;
  costMicros: Micros;
}

/** One group's (campaign, team, phone number...) billed units in a market and category. */
export interface GroupUsage {
  group: string;
  currency: string;
  market: string;
  category: Category;
  units: number;
}

export interface GroupCost {
  /** null = the part of a total no group has billed units for (kept, never dropped). */
  group: string | null;
  currency: string;
  market: string;
  category: Category;
  units: number;
  costMicros: Micros;
}

const keyOf = (x: { currency: string; market: string; category: string }) => `${x.currency}\u0000${x.market}\u0000${x.category}`;

/**
 * Splits each market x category total over the groups in proportion to their billed units there
 * (largest remainder, so each total is matched exactly). A total without any billed units is
 * returned with group null rather than spread arbitrarily.
 */
export function allocateByMarketCategory(totals: readonly MarketCategoryTotal[], usage: readonly GroupUsage[]): GroupCost[] {
  const unitsBy = new Map<string, Map<string, number>>();
  for (const u of usage) {
    const groups = unitsBy.get(keyOf(u)) ?? new Map<string, number>();
    groups.set(u.group, (groups.get(u.group) ?? 0) + u.units);
    unitsBy.set(keyOf(u), groups);
  }
  const out: GroupCost[] = [];
  for (const total of totals) {
    const groups = [...(unitsBy.get(keyOf(total)) ?? new Map<string, number>())].filter(([, units]) => units > 0);
    const base = { currency: total.currency, market: total.market, category: total.category };
    if (groups.length === 0) {
      out.push({ ...base, group: null, units: 0, costMicros: total.costMicros });
      continue;
    }
    const parts = allocate(
      total.costMicros,
      groups.map(([key, units]) => ({ key, weight: units })),
    );
    parts.forEach((p, i) => out.push({ ...base, group: p.key, units: (groups[i] as [string, number])[1], costMicros: p.micros }));
  }
  return out;
}
