import { addDays, daysInMonth, firstDayOf, monthOf, type Micros, type PricingProblem } from '@core';
import type { LocalDays } from './day-range';
import { pricedUsage } from './priced-usage';
import type { QueryContext, WabaInfo } from './query-context';
import { pricingVersion } from './re-pricer';

/** A pricing-grain row as the usage facts read it: stored (priced_usage) or priced at query time. */
export interface PricingGrainRow {
  day: string;
  wabaId: string;
  market: string;
  category: string;
  pricingType: string;
  units: number;
  messages?: number;
  billable: number;
  costMicros: Micros | null;
  currency: string;
  dims?: Readonly<Record<string, string | null>>;
}

// The version is a hash of the configured WABAs and core's rules: computed once per configuration.
const versions = new WeakMap<ReadonlyMap<string, WabaInfo>, string>();
function versionOf(wabas: ReadonlyMap<string, WabaInfo>): string {
  let v = versions.get(wabas);
  if (v === undefined) versions.set(wabas, (v = pricingVersion(wabas)));
  return v;
}

/**
 * The pricing grain of `span`: read from the stored priced rollups for every month no configured
 * WABA has a dirty mark in, and priced at query time (from the month's first day, exactly as
 * `pricedUsage` does) for the months that have one. Months are independent: tiers and allowances
 * count per month. null, and the caller prices the whole span at query time as before, when a
 * clean month holds a row with a pricing problem or one written under another pricing version:
 * problems are reported in core's words, which only a query-time pricing gives.
 */
export async function storedPricingGrain(
  ctx: QueryContext,
  span: LocalDays,
): Promise<{ rows: PricingGrainRow[]; problems: PricingProblem[] } | null> {
  const version = versionOf(ctx.wabas);
  const dirty = new Set((await ctx.store.pricingDirty()).filter((m) => ctx.wabas.has(m.wabaId)).map((m) => m.month));
  const rows: PricingGrainRow[] = [];
  const problems: PricingProblem[] = [];
  for (let month = monthOf(span.fromDay); month <= monthOf(span.toDay); month = monthOf(addDays(firstDayOf(month), daysInMonth(month)))) {
    const monthEnd = addDays(firstDayOf(month), daysInMonth(month) - 1);
    const toDay = monthEnd < span.toDay ? monthEnd : span.toDay;
    if (dirty.has(month)) {
      const priced = await pricedUsage(ctx, { fromDay: firstDayOf(month), toDay }, 'pricing');
      rows.push(...priced.rows);
      problems.push(...priced.problems);
      continue;
    }
    const fromDay = firstDayOf(month) > span.fromDay ? firstDayOf(month) : span.fromDay;
    for (const r of await ctx.store.pricedUsage({ fromDay, toDay })) {
      if (r.problem !== null || r.version !== version) return null;
      rows.push(r);
    }
  }
  return { rows, problems };
}
