import { addDays, addMonths, firstDayOf, monthOf, roundToMinor, type Micros } from '@core';
import type { MetaCallRow, MetaPricingRow } from '../pull/pull-sink';
import type { Demo } from './generate-demo';

/** An invoice as the demo enters it (the store's `saveInvoices` takes it with source and time). */
export interface DemoInvoice {
  wabaId: string;
  month: string;
  currency: string;
  amountMicros: Micros;
}

/**
 * INVENTED invoices, so the reconciliation dashboard's invoice table has figures in the demo: for
 * every WABA-local month that ended inside the demo's complete days, Meta's cost of that month
 * (pricing and calls, in the WABA's currency) rounded to the currency's minor unit, the way an
 * invoice states it. A real invoice may also carry taxes and credit-line adjustments.
 */
export function demoInvoices(demo: Demo, pricing: readonly MetaPricingRow[], calls: readonly MetaCallRow[]): DemoInvoice[] {
  const out: DemoInvoice[] = [];
  for (const waba of demo.wabas) {
    const range = demo.completeDays(waba.id);
    if (range.from > range.to) continue;
    for (let month = monthOf(range.from); month <= monthOf(range.to); month = addMonths(month, 1)) {
      if (addDays(firstDayOf(addMonths(month, 1)), -1) > range.to) continue;
      let total: Micros | null = null;
      for (const r of [...pricing, ...calls]) {
        if (r.wabaId !== waba.id || r.currency !== waba.currency || !r.day.startsWith(`${month}-`) || r.costMicros === null) continue;
        total = (total ?? 0n) + r.costMicros;
      }
      if (total !== null) out.push({ wabaId: waba.id, month, currency: waba.currency, amountMicros: roundToMinor(total, waba.currency) });
    }
  }
  return out;
}
