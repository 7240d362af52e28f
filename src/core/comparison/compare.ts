import { InputError } from '../errors';
import { addDays, daysBetween } from '../time/calendar';

export interface TimeRange {
  fromMs: number;
  /** Exclusive end. */
  toMs: number;
}

/** The range of equal length that ends where `range` starts: [from - (to - from), from). */
export function previousPeriod(range: TimeRange): TimeRange {
  const { fromMs, toMs } = range ?? ({} as TimeRange);
  if (!Number.isFinite(fromMs)) throw new InputError('fromMs', fromMs, 'must be epoch milliseconds');
  if (!Number.isFinite(toMs)) throw new InputError('toMs', toMs, 'must be epoch milliseconds');
  if (toMs <= fromMs) throw new InputError('toMs', toMs, 'must be after fromMs');
  return { fromMs: fromMs - (toMs - fromMs), toMs: fromMs };
}

/** The previous period for an inclusive WABA-local day range: as many days, ending the day before. */
export function previousDays(fromDay: string, toDay: string): { fromDay: string; toDay: string } {
  const length = daysBetween(fromDay, toDay) + 1;
  if (length < 1) throw new InputError('toDay', toDay, 'must not be before fromDay');
  return { fromDay: addDays(fromDay, -length), toDay: addDays(fromDay, -1) };
}

export interface Comparison<T extends number | bigint> {
  current: T;
  previous: T;
  change: T;
  /** Percent change against the previous value; null when the previous value is 0. */
  changePct: number | null;
}

/** current vs previous: works on numbers and on bigint micro-units (change stays exact). */
export function compareValues<T extends number | bigint>(current: T, previous: T): Comparison<T> {
  if (typeof current !== typeof previous) throw new InputError('previous', String(previous), 'must be the same type as current');
  if (typeof current === 'number' && (!Number.isFinite(current) || !Number.isFinite(previous as number))) {
    throw new InputError('current', current, 'and previous must be finite numbers');
  }
  const change = ((current as bigint) - (previous as bigint)) as T;
  const prev = Number(previous);
  const changePct = prev === 0 ? null : (Number(change) / Math.abs(prev)) * 100;
  return { current, previous, change, changePct };
}
