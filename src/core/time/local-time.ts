import { InputError } from '../errors';
import { dayNumberOf, formatDayNumber, MS_PER_DAY, parseMonth } from './calendar';
import { MS_PER_HOUR, offsetAt } from './zone-offset';

/**
 * WABA-local days and hours. Meta resets tiers and switches rate cards and pricing models at
 * midnight in each WABA's time zone, so every bucket in waspend is computed here.
 */

const HOUR_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2})$/;
const SEARCH_SPAN_MS = 30 * MS_PER_HOUR; // wider than any UTC offset (-12h..+14h)
const dayText = new Map<number, string>();

function dayTextOf(n: number): string {
  let text = dayText.get(n);
  if (text === undefined) {
    if (dayText.size > 100_000) dayText.clear();
    text = formatDayNumber(n);
    dayText.set(n, text);
  }
  return text;
}

function localMsOf(atMs: number, timeZone: string): number {
  return atMs + offsetAt(atMs, timeZone);
}

/** Days since 1970-01-01 of the local calendar day at `atMs`. */
export function localDayNumber(atMs: number, timeZone: string): number {
  return Math.floor(localMsOf(atMs, timeZone) / MS_PER_DAY);
}

/** The local calendar day `YYYY-MM-DD` at instant `atMs` in `timeZone`. */
export function localDay(atMs: number, timeZone: string): string {
  return dayTextOf(localDayNumber(atMs, timeZone));
}

/** The local hour `YYYY-MM-DDTHH` (00-23) at instant `atMs` in `timeZone`. */
export function localHour(atMs: number, timeZone: string): string {
  const local = localMsOf(atMs, timeZone);
  const n = Math.floor(local / MS_PER_DAY);
  const h = Math.floor((local - n * MS_PER_DAY) / MS_PER_HOUR);
  return `${dayTextOf(n)}T${h < 10 ? '0' : ''}${h}`;
}

/**
 * The first instant whose local wall-clock bucket index (`Math.floor(local / size)`) reaches
 * `targetLocalMs / size`. The two-step offset guess settles almost always; DST gaps at the boundary
 * (e.g. Sao Paulo's old midnight switch, when 00:00 did not exist) fall back to a binary search.
 */
function firstInstantOf(targetLocalMs: number, size: number, timeZone: string): number {
  const target = targetLocalMs / size;
  const indexAt = (t: number) => Math.floor(localMsOf(t, timeZone) / size);
  let t = targetLocalMs - offsetAt(targetLocalMs, timeZone);
  t = targetLocalMs - offsetAt(t, timeZone);
  if (localMsOf(t, timeZone) === targetLocalMs && indexAt(t - 1) < target) return t;
  let lo = targetLocalMs - SEARCH_SPAN_MS;
  let hi = targetLocalMs + SEARCH_SPAN_MS;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (indexAt(mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The instant (epoch ms) at which local day `day` starts in `timeZone`. */
export function dayStartMs(day: string, timeZone: string): number {
  return firstInstantOf(dayNumberOf(day) * MS_PER_DAY, MS_PER_DAY, timeZone);
}

/**
 * The instant local hour `YYYY-MM-DDTHH` starts. A repeated hour (DST fall-back) gives its first
 * occurrence; a skipped hour (spring-forward) gives the instant the clock jumped, i.e. where it
 * would have started.
 */
export function hourStartMs(hour: string, timeZone: string): number {
  const m = typeof hour === 'string' ? HOUR_RE.exec(hour) : null;
  const h = m ? Number(m[2]) : -1;
  if (!m || h > 23) throw new InputError('hour', hour, 'is not an hour in YYYY-MM-DDTHH form (00-23)');
  const day = dayNumberOf(m[1] as string, 'hour');
  return firstInstantOf(day * MS_PER_DAY + h * MS_PER_HOUR, MS_PER_HOUR, timeZone);
}

/** The instant local month `YYYY-MM` starts (its first day's start). */
export function monthStartMs(month: string, timeZone: string): number {
  parseMonth(month);
  return dayStartMs(`${month}-01`, timeZone);
}
