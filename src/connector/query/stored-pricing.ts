import { addDays, daysInMonth, firstDayOf, monthOf, type Micros, type PricingProblem } from '@core';
import { monthReads, type LocalDays } from './day-range';
import type { PricedDimension, PricedDimQuery, PricedDimTotal } from '../store';
import { allocatedUsage, pricedUsage } from './priced-usage';
import type { QueryContext, WabaInfo } from './query-context';
import { pricingVersion } from './re-pricer';

/** A pricing-grain row as the usage facts read it: stored (priced_usage) or priced at query time. */
export interface PricingGrainRow {
  day: string;
  wabaId: string;
  market: string;
  category: string;
  pricingType: string;
  /** Absent on rows summed over pricing models (the stored finer grains as panels read them). */
  pricingModel?: string;
  units: number;
  messages?: number;
  billable: number;
  costMicros: Micros | null;
  currency: string;
  dims?: Readonly<Record<string, string | null>>;
}

/**
 * A stored total as a pricing-grain row, built field by field in one order: the facts loop reads
 * thousands of these per panel, and rows made by spreading or by rest (`{ ...r, dims }`) each got a
 * hidden class of their own in V8 (2,695 for 2,733 rows of a country panel), which made every field
 * read in that loop a slow lookup (docs/performance.md, "One shape per row").
 */
function grainRowOf(r: PricedDimTotal, dims: PricingGrainRow['dims']): PricingGrainRow {
  return {
    day: r.day,
    wabaId: r.wabaId,
    market: r.market,
    category: r.category,
    pricingType: r.pricingType,
    units: r.units,
    messages: r.messages,
    billable: r.billable,
    costMicros: r.costMicros,
    currency: r.currency,
    dims,
  };
}

// The version is a hash of the configured WABAs and core's rules: computed once per configuration.
const versions = new WeakMap<ReadonlyMap<string, WabaInfo>, string>();
function versionOf(wabas: ReadonlyMap<string, WabaInfo>): string {
  let v = versions.get(wabas);
  if (v === undefined) versions.set(wabas, (v = pricingVersion(wabas)));
  return v;
}

/** What a panel keeps of the finer grain it reads (narrowed in SQL; the caller still checks every row). */
export interface GrainFilter {
  wabaIds: readonly string[];
  values: readonly string[];
  categories: readonly string[];
  pricingTypes: readonly string[];
  /** Phone and group read summed over markets (their rows' market ''): the panel does not use the market. */
  withoutMarket?: boolean;
}

/**
 * The usage of `span` at the pricing grain (`dim` undefined) or at one finer grain: read from the
 * stored priced rollups for every month no configured WABA has a dirty mark in, and priced at query
 * time for the months that have one (from the month's first day, exactly as `pricedUsage` and
 * `allocatedUsage` do; a finer grain allocated by the same rule the re-pricer stores). Months are
 * independent: tiers and allowances count per month. null, and the caller prices the whole span at
 * query time as before, when a clean month holds a pricing-grain row written under another pricing
 * version.
 *
 * A clean month whose pricing-grain rows carry pricing problems (a market without a rate, a stale
 * tier table: common in real data, and in every month of the full-scale bench store) still answers
 * a finer grain from the tables; its problems are reported in core's words, which only a pricing
 * gives, so they come from one query-time pricing of the span's pricing grain (`pricedUsage`: the
 * rollup's few thousand rows a month, cached and shared by the panels over the span), the pricing the
 * query-time allocation reports too. The pricing grain by day is then that pricing (null): its rows
 * are the answer, and reading the tables as well would only add to it. By month the tables answer
 * all the same: a month of the pricing grain is one read of its month totals (migration 021), a few
 * hundred rows, where the pricing holds ~9,000 a month at full scale, which cost ~35 ms a request to
 * turn into a panel's facts whatever the store's size.
 *
 * `monthTotals` (each WABA's own days) is for a caller that buckets by month: a clean month then
 * comes back summed in SQL, one row per WABA and key dated the first of that WABA's days in the
 * month, read within them (the caller's day cut would come too late for a sum): from the month totals
 * where the WABA has no data in the month outside its days, else from the day rows. A dirty month's
 * stored days before its mark come summed the same way, and its days from the mark by day.
 */
export async function storedPricingGrain(
  ctx: QueryContext,
  span: LocalDays,
  dim?: PricedDimension,
  filter?: GrainFilter,
  monthTotals?: ReadonlyMap<string, LocalDays>,
): Promise<{ rows: PricingGrainRow[]; problems: PricingProblem[] } | null> {
  const version = versionOf(ctx.wabas);
  // A dirty month's stored days before its earliest mark are exact (marks only ever move back when
  // ingest or an import marks a day: `from_day = MIN(...)`); tiers count per portfolio, so the
  // earliest mark of any WABA bounds them all. A mark for the calls alone leaves the usage exact.
  const dirtyFrom = new Map<string, string>();
  for (const m of await ctx.store.pricingDirty()) {
    if (!ctx.wabas.has(m.wabaId) || !m.kinds.includes('usage')) continue;
    const from = dirtyFrom.get(m.month);
    if (from === undefined || m.fromDay < from) dirtyFrom.set(m.month, m.fromDay);
  }
  const rows: PricingGrainRow[] = [];
  const problems: PricingProblem[] = [];
  const readStored = async (reads: readonly PricedDimQuery[]) => {
    for (const read of reads)
      for (const r of await ctx.store.pricedUsageTotals(dim ?? null, { ...filter, ...read })) {
        let dims: PricingGrainRow['dims'];
        if (dim !== undefined) {
          const value = r.value === '' ? null : r.value;
          dims = {
            phone: dim === 'phone' ? value : null,
            country: dim === 'country' ? value : null,
            group: dim === 'group' ? value : null,
          };
        }
        rows.push(grainRowOf(r, dims));
      }
  };
  let spanPricing: ReturnType<typeof pricedUsage> | undefined;
  for (let month = monthOf(span.fromDay); month <= monthOf(span.toDay); month = monthOf(addDays(firstDayOf(month), daysInMonth(month)))) {
    const monthEnd = addDays(firstDayOf(month), daysInMonth(month) - 1);
    const toDay = monthEnd < span.toDay ? monthEnd : span.toDay;
    const fromDay = firstDayOf(month) > span.fromDay ? firstDayOf(month) : span.fromDay;
    const dirtyDay = dirtyFrom.get(month);
    if (dirtyDay !== undefined) {
      if (dim === undefined) {
        const priced = await pricedUsage(ctx, { fromDay: firstDayOf(month), toDay });
        rows.push(...priced.rows);
        problems.push(...priced.problems);
        continue;
      }
      // A finer grain: the stored days before the first dirty one (a month under steady webhooks is
      // dirty from today only), and only the days from it allocated at query time, whose pricing
      // starts from the month's first day as ever (priced-usage.ts).
      const exactTo = addDays(dirtyDay, -1) < toDay ? addDays(dirtyDay, -1) : toDay;
      const storedPart = exactTo >= fromDay && (await ctx.store.pricedUsageUnfit({ fromDay, toDay: exactTo }, version)).stale === 0;
      // By month, the stored days come summed as a clean month's do; the days from the mark stay days,
      // which the caller adds to the same month's bucket.
      if (storedPart) await readStored(monthTotals ? summedReads(monthTotals, fromDay, exactTo) : [{ fromDay, toDay: exactTo }]);
      if (!storedPart || exactTo < toDay) {
        const priced = await allocatedUsage(ctx, { fromDay: storedPart ? dirtyDay : fromDay, toDay }, [dim]);
        rows.push(...priced.rows);
        problems.push(...priced.problems);
      } else {
        spanPricing ??= pricedUsage(ctx, span);
        const from = firstDayOf(month);
        problems.push(...(await spanPricing).problems.filter((p) => p.day >= from && p.day <= toDay));
      }
      continue;
    }
    if (dim === undefined && !monthTotals) {
      // The pricing grain by day, in a month with a problem, is priced whole at query time: that one
      // pricing (cached, shared by every panel over the span) is what its problems need anyway, and
      // its rows are the answer.
      const unfit = await ctx.store.pricedUsageUnfit({ fromDay, toDay }, version);
      if (unfit.problems > 0 || unfit.stale > 0) return null;
      rows.push(...(await ctx.store.pricedUsage({ fromDay, toDay })));
      continue;
    }
    const unfit = await ctx.store.pricedUsageUnfit({ fromDay, toDay }, version);
    if (unfit.stale > 0) return null;
    if (unfit.problems > 0) {
      spanPricing ??= pricedUsage(ctx, span);
      const from = firstDayOf(month);
      problems.push(...(await spanPricing).problems.filter((p) => p.day >= from && p.day <= toDay));
    }
    await readStored(monthTotals ? summedReads(monthTotals, fromDay, toDay) : [{ fromDay, toDay }]);
  }
  return { rows, problems };
}

/** `monthReads` as priced-grain reads summed over their days. */
const summedReads = (ranges: ReadonlyMap<string, LocalDays>, fromDay: string, toDay: string): PricedDimQuery[] =>
  monthReads(ranges, fromDay, toDay).map((r) => ({ ...r, sumDays: true }));
