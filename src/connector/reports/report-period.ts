import { addDays, addMonths, daysInMonth, localDay } from '@core';
import type { ReportRange } from '../config';

export interface PeriodDays {
  /** First and last WABA-local day, both inclusive (what `waspend report --from --to` takes). */
  from: string;
  to: string;
}

/**
 * The days a report covers when it runs at `atMs`, read in the schedule's time zone. Only complete
 * days: today is still filling up, and a figure mailed at 08:00 that holds eight hours of today would
 * not match the same report read tomorrow.
 * `last_month` the whole previous calendar month; `month_to_date` the 1st of yesterday's month to
 * yesterday (so on the 1st it is the whole previous month, its final month-to-date figure, rather
 * than an empty report); `last_N_days` the N days before today.
 */
export function reportPeriod(range: ReportRange, atMs: number, timeZone: string): PeriodDays {
  const today = localDay(atMs, timeZone);
  const month = today.slice(0, 7);
  switch (range.kind) {
    case 'last_month': {
      const prev = addMonths(month, -1);
      return { from: `${prev}-01`, to: `${prev}-${String(daysInMonth(prev)).padStart(2, '0')}` };
    }
    case 'month_to_date': {
      const yesterday = addDays(today, -1);
      return { from: `${yesterday.slice(0, 7)}-01`, to: yesterday };
    }
    case 'last_days':
      return { from: addDays(today, -range.days), to: addDays(today, -1) };
  }
}

/** The period's key in the store and on /health: `2026-10-01..2026-10-31`. */
export const periodKey = (p: PeriodDays) => `${p.from}..${p.to}`;

export const rangeName = (range: ReportRange) => (range.kind === 'last_days' ? `last_${range.days}_days` : range.kind);
