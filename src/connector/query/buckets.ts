import { dayStartMs, monthOf, monthStartMs } from '@core';
import type { Interval } from '@contract';

/** The bucket label and start instant of a WABA-local day under `interval` (day or month). */
export function bucketOf(day: string, interval: Interval, timeZone: string): { bucket: string; time: number } {
  if (interval === 'month') {
    const month = monthOf(day);
    return { bucket: month, time: monthStartMs(month, timeZone) };
  }
  return { bucket: day, time: dayStartMs(day, timeZone) };
}
