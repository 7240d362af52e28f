import { InputError } from '../errors';

/**
 * Calendar arithmetic on plain `YYYY-MM-DD` / `YYYY-MM` strings. Days are civil dates with no time
 * zone: every WABA-local bucket in core is one of these, so most date logic never touches Date.
 */

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;
export const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days-from-civil). */
export function civilToDayNumber(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of civilToDayNumber. */
export function dayNumberToCivil(n: number): [number, number, number] {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function lastDayOf(y: number, m: number): number {
  return civilToDayNumber(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) - civilToDayNumber(y, m, 1);
}

/** `YYYY-MM-DD` of a day number. */
export function formatDayNumber(n: number): string {
  const [y, m, d] = dayNumberToCivil(n);
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

/** Day number of a `YYYY-MM-DD` string; rejects impossible dates such as 2025-02-30. */
export function dayNumberOf(day: string, field = 'day'): number {
  const m = typeof day === 'string' ? DAY_RE.exec(day) : null;
  if (!m) throw new InputError(field, day, 'is not a date in YYYY-MM-DD form');
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > lastDayOf(y, mo)) throw new InputError(field, day, 'is not a real calendar date');
  return civilToDayNumber(y, mo, d);
}

export function isDay(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    dayNumberOf(value);
    return true;
  } catch {
    return false;
  }
}

/** Throws InputError unless `day` is a real `YYYY-MM-DD` date; returns it for chaining. */
export function assertDay(day: string, field = 'day'): string {
  dayNumberOf(day, field);
  return day;
}

/** Throws InputError unless `month` is `YYYY-MM`; returns [year, month]. */
export function parseMonth(month: string, field = 'month'): [number, number] {
  const m = typeof month === 'string' ? MONTH_RE.exec(month) : null;
  const mo = m ? Number(m[2]) : 0;
  if (!m || mo < 1 || mo > 12) throw new InputError(field, month, 'is not a month in YYYY-MM form');
  return [Number(m[1]), mo];
}

/** The `YYYY-MM` month a day belongs to. */
export function monthOf(day: string, field = 'day'): string {
  dayNumberOf(day, field);
  return day.slice(0, 7);
}

export function addDays(day: string, n: number, field = 'day'): string {
  if (!Number.isInteger(n)) throw new InputError('n', n, 'must be a whole number of days');
  return formatDayNumber(dayNumberOf(day, field) + n);
}

/** Whole days from `from` to `to` (negative when `to` is earlier): daysBetween('2025-01-01','2025-01-03') = 2. */
export function daysBetween(from: string, to: string): number {
  return dayNumberOf(to, 'to') - dayNumberOf(from, 'from');
}

export function daysInMonth(month: string, field = 'month'): number {
  const [y, m] = parseMonth(month, field);
  return lastDayOf(y, m);
}

/** 0 = Sunday ... 6 = Saturday, like Date#getUTCDay. */
export function dayOfWeek(day: string, field = 'day'): number {
  return (((dayNumberOf(day, field) + 4) % 7) + 7) % 7;
}

/** `YYYY-MM-01` of a month. */
export function firstDayOf(month: string, field = 'month'): string {
  parseMonth(month, field);
  return `${month}-01`;
}

/** `YYYY-MM` shifted by n months. */
export function addMonths(month: string, n: number, field = 'month'): string {
  const [y, m] = parseMonth(month, field);
  const index = y * 12 + (m - 1) + n;
  const ny = Math.floor(index / 12);
  return `${String(ny).padStart(4, '0')}-${pad2(index - ny * 12 + 1)}`;
}
