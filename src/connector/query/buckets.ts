import { dayStartMs, monthOf, monthStartMs } from '@core';
import type { Interval } from '@contract';

type Bucket = { bucket: string; time: number };

/** Per interval, per zone, per day: no key string is built per call (a panel calls this per row). */
const memo: Record<Interval, Map<string, Map<string, Bucket>>> = { day: new Map(), month: new Map(), hour: new Map() };
let memoSize = 0;

/**
 * The bucket label and start instant of a WABA-local day under `interval` (day or month), memoised:
 * a 90-day panel asks for the same few hundred (day, zone) pairs once per row.
 */
export function bucketOf(day: string, interval: Interval, timeZone: string): Bucket {
  const byZone = memo[interval];
  let byDay = byZone.get(timeZone);
  let hit = byDay?.get(day);
  if (hit === undefined) {
    if (memoSize > 50_000) {
      memo.day.clear();
      memo.month.clear();
      memo.hour.clear();
      memoSize = 0;
      byDay = undefined;
    }
    if (byDay === undefined) byZone.set(timeZone, (byDay = new Map()));
    hit = computeBucket(day, interval, timeZone);
    byDay.set(day, hit);
    memoSize++;
  }
  return hit;
}

function computeBucket(day: string, interval: Interval, timeZone: string): Bucket {
  if (interval === 'month') {
    const month = monthOf(day);
    return { bucket: month, time: monthStartMs(month, timeZone) };
  }
  return { bucket: day, time: dayStartMs(day, timeZone) };
}
