import { dayStartMs, monthOf, monthStartMs } from '@core';
import type { Interval } from '@contract';

const memo = new Map<string, { bucket: string; time: number }>();

/**
 * The bucket label and start instant of a WABA-local day under `interval` (day or month), memoised:
 * a 90-day panel asks for the same few hundred (day, zone) pairs once per row.
 */
export function bucketOf(day: string, interval: Interval, timeZone: string): { bucket: string; time: number } {
  const key = `${day}|${interval}|${timeZone}`;
  let hit = memo.get(key);
  if (!hit) {
    if (memo.size > 50_000) memo.clear();
    hit = computeBucket(day, interval, timeZone);
    memo.set(key, hit);
  }
  return hit;
}

function computeBucket(day: string, interval: Interval, timeZone: string): { bucket: string; time: number } {
  if (interval === 'month') {
    const month = monthOf(day);
    return { bucket: month, time: monthStartMs(month, timeZone) };
  }
  return { bucket: day, time: dayStartMs(day, timeZone) };
}
