import { InputError, isDay, localDay } from '@core';

/** A query range resolved to one WABA's local calendar: both days inclusive. */
export interface LocalDays {
  fromDay: string;
  toDay: string;
}

/**
 * `from`/`to` are WABA-local dates (both inclusive) or epoch ms (range [from, to): every local day
 * that overlaps it). The same instant range therefore maps to different days per WABA time zone.
 */
export function localDays(from: string, to: string, timeZone: string): LocalDays {
  const fromDay = isDay(from) ? from : localDay(Number(from), timeZone);
  const toDay = isDay(to) ? to : localDay(Math.max(Number(to) - 1, Number(isDay(from) ? 0 : from)), timeZone);
  if (fromDay > toDay) throw new InputError('to', to, 'must not be before from');
  return { fromDay, toDay };
}

/** The widest day span over several WABAs, for one store read covering them all. */
export function spanOf(ranges: readonly LocalDays[]): LocalDays | null {
  if (ranges.length === 0) return null;
  let fromDay = ranges[0]!.fromDay;
  let toDay = ranges[0]!.toDay;
  for (const r of ranges) {
    if (r.fromDay < fromDay) fromDay = r.fromDay;
    if (r.toDay > toDay) toDay = r.toDay;
  }
  return { fromDay, toDay };
}
