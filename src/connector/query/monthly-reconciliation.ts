import {
  addDays,
  addMonths,
  dayStartMs,
  divRound,
  firstDayOf,
  InputError,
  monthOf,
  monthStartMs,
  parseMicros,
  toDecimalString,
  type Micros,
} from '@core';
import type { ReconciliationMonthResponse, ReconciliationMonthRow } from '@contract';
import type { z } from 'zod';
import type { reconciliationQuery } from '@contract';
import { callsSeries } from './calls-series';
import { localDays } from './day-range';
import { currenciesInMonth, selectedWabas, type QueryContext, type WabaInfo } from './query-context';
import { usageSeries } from './usage-series';

/**
 * A month without an invoice counts as consolidating until this many days after its WABA-local end.
 * 360Dialog issues the Month Closing Invoice on the 1st of the next month; Meta calls its analytics
 * approximate; the pullers re-read the last `repullDays` (3 by default) days on every run, so the last
 * days of a month are still re-pulled early in the next. Five days covers that with two to spare.
 */
export const CONSOLIDATION_DAYS = 5;

const NOT_PER_MONTH = ['phone', 'country', 'category', 'pricingType', 'direction', 'group'] as const;

interface Sides {
  estimate: Micros | null;
  meta: Micros | null;
  invoice: Micros | null;
}

const add = (a: Micros | null, b: Micros): Micros => (a ?? 0n) + b;

/** `figure - reference` and its share of the reference in percent, rounded half away from zero to 2 decimals. */
function difference(figure: Micros | null, reference: Micros | null): { diff: string | null; pct: number | null } {
  if (figure === null || reference === null) return { diff: null, pct: null };
  const diff = figure - reference;
  if (reference === 0n) return { diff: toDecimalString(diff), pct: null };
  const hundredths = reference > 0n ? divRound(diff * 10_000n, reference) : divRound(-diff * 10_000n, -reference);
  return { diff: toDecimalString(diff), pct: Number(hundredths) / 100 };
}

/** Whether Meta's figures for a WABA-local month may still change (rule in CONSOLIDATION_DAYS and docs/api.md). */
export function isConsolidating(month: string, timeZone: string, hasInvoice: boolean, nowMs: number): boolean {
  const next = firstDayOf(addMonths(month, 1));
  if (nowMs < dayStartMs(next, timeZone)) return true;
  return !hasInvoice && nowMs < dayStartMs(addDays(next, CONSOLIDATION_DAYS), timeZone);
}

async function monthsOfWaba(
  ctx: QueryContext,
  w: WabaInfo,
  from: string,
  to: string,
  problems: ReconciliationMonthResponse['problems'],
): Promise<ReconciliationMonthRow[]> {
  const range = localDays(from, to, w.timezone);
  const firstMonth = monthOf(range.fromDay);
  const lastMonth = monthOf(range.toDay);
  // Whole months, whatever part of them the range covers: an invoice is for the whole month.
  const fromDay = firstDayOf(firstMonth);
  const toDay = addDays(firstDayOf(addMonths(lastMonth, 1)), -1);
  const sides = new Map<string, Sides>();
  const slot = (month: string, currency: string) => {
    const key = `${month}\u0000${currency}`;
    let s = sides.get(key);
    if (!s) sides.set(key, (s = { estimate: null, meta: null, invoice: null }));
    return s;
  };

  const none = { phone: [], country: [], category: [], pricingType: [], direction: [], group: [] };
  const q = { from: fromDay, to: toDay, waba: [w.id], ...none, by: [], interval: 'month' as const, source: 'estimate' as const };
  const usage = await usageSeries(ctx, q);
  const calls = await callsSeries(ctx, q);
  for (const r of [...usage.rows, ...calls.rows]) {
    const s = slot(r.bucket, r.currency);
    if (r.cost !== null) s.estimate = add(s.estimate, parseMicros(r.cost, 'estimate.cost'));
  }
  for (const p of usage.problems) problems.push({ code: p.code, message: `WABA ${w.id}: ${p.message}` });

  const pulled = [
    ...(await ctx.store.pulledPricing('meta_pricing', { fromDay, toDay, wabaId: w.id })),
    ...(await ctx.store.pulledCalls('meta_calls', { fromDay, toDay, wabaId: w.id })),
  ];
  const withheld = new Set<string>();
  for (const r of pulled) {
    const month = monthOf(r.day);
    const s = slot(month, r.currency);
    if (r.costMicros === null) withheld.add(month);
    else s.meta = add(s.meta, r.costMicros);
  }
  for (const month of [...withheld].sort())
    problems.push({
      code: 'meta_cost_withheld',
      message: `WABA ${w.id} ${month}: Meta reported some rows without COST (partner credit line); Meta's figure covers the others only`,
    });

  const invoiced = new Set<string>();
  for (const i of await ctx.store.invoices({ fromMonth: firstMonth, toMonth: lastMonth, wabaIds: [w.id] })) {
    slot(i.month, i.currency).invoice = i.amountMicros;
    invoiced.add(i.month);
  }

  const now = ctx.now();
  const rows: ReconciliationMonthRow[] = [];
  for (const [key, s] of sides) {
    const [month = '', currency = ''] = key.split('\u0000');
    if (s.estimate === null && s.meta === null && s.invoice === null) continue;
    const billed = currenciesInMonth(w, month);
    if (!billed.includes(currency))
      problems.push({
        code: 'currency_mismatch',
        message: `WABA ${w.id} ${month}: a figure in ${currency} for a WABA priced in ${billed.join(' and ')} is shown on its own row, never compared across currencies`,
      });
    const em = difference(s.estimate, s.meta);
    const ei = difference(s.estimate, s.invoice);
    const mi = difference(s.meta, s.invoice);
    rows.push({
      time: monthStartMs(month, w.timezone),
      month,
      wabaId: w.id,
      currency,
      estimateCost: s.estimate === null ? null : toDecimalString(s.estimate),
      metaCost: s.meta === null ? null : toDecimalString(s.meta),
      invoiceAmount: s.invoice === null ? null : toDecimalString(s.invoice),
      estimateVsMeta: em.diff,
      estimateVsMetaPct: em.pct,
      estimateVsInvoice: ei.diff,
      estimateVsInvoicePct: ei.pct,
      metaVsInvoice: mi.diff,
      metaVsInvoicePct: mi.pct,
      consolidating: isConsolidating(month, w.timezone, invoiced.has(month), now),
    });
  }
  return rows;
}

/**
 * GET /api/v1/reconciliation?interval=month: per WABA and whole WABA-local month touched by the
 * range, our estimate (messages and calls), Meta's analytics (pricing and calls) and the entered
 * invoice side by side, with each difference and whether the month is still consolidating.
 */
export async function monthlyReconciliation(
  ctx: QueryContext,
  q: z.infer<typeof reconciliationQuery>,
): Promise<ReconciliationMonthResponse> {
  for (const k of NOT_PER_MONTH) {
    if (q[k].length)
      throw new InputError(
        k,
        q[k].join(','),
        'cannot filter interval=month: an invoice is one total per WABA and month (only waba applies)',
      );
  }
  if (q.by.includes('category'))
    throw new InputError('by', 'category', 'is not available with interval=month: an invoice has no category split');
  const problems: ReconciliationMonthResponse['problems'] = [];
  const rows: ReconciliationMonthRow[] = [];
  for (const w of selectedWabas(ctx, q.waba)) rows.push(...(await monthsOfWaba(ctx, w, q.from, q.to, problems)));
  // Within a WABA and month: the currencies it is billed in first (in order of use), then any other.
  const rank = (r: ReconciliationMonthRow) => {
    const w = ctx.wabas.get(r.wabaId);
    const i = w ? currenciesInMonth(w, r.month).indexOf(r.currency) : -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  rows.sort(
    (a, b) =>
      a.month.localeCompare(b.month) || a.wabaId.localeCompare(b.wabaId) || rank(a) - rank(b) || a.currency.localeCompare(b.currency),
  );
  return { interval: 'month', consolidationDays: CONSOLIDATION_DAYS, rows, problems };
}
