import { addDays, addMonths, daysInMonth, localDay } from '@core';
import type { ReportRange } from '../config';

export interface PeriodDays {
  /** First and last WABA-local day, both inclusive (what `waspend report --from --to` takes). */
  from: string;
  to: string;
}

/**
 * The days a report covers when it runs at `atMs`, read in the schedule's time zone:
 * `last_month` the whole previous calendar month, `month_to_date` the first of this month to today,
 * `last_N_days` the N complete days before today (today is still filling up).
 */
export function reportPeriod(range: ReportRange, atMs: number, timeZone: string): PeriodDays {
  const today = localDay(atMs, timeZone);
  const month = today.slice(0, 7);
  switch (range.kind) {
    case 'last_month': {
      const prev = addMonths(month, -1);
      return { from: `${prev}-01`, to: `${prev}-${String(daysInMonth(prev)).padStart(2, '0')}` };
    }
    case 'month_to_date':
      return { from: `${month}-01`, to: today };
    case 'last_days':
      return { from: addDays(today, -range.days), to: addDays(today, -1) };
  }
}

/** The period's key in the store and on /health: `2026-10-01..2026-10-31`. */
export const periodKey = (p: PeriodDays) => `${p.from}..${p.to}`;

export const rangeName = (range: ReportRange) => (range.kind === 'last_days' ? `last_${range.days}_days` : range.kind);
