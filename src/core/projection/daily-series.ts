import { InputError } from '../errors';
import { dayNumberOf, daysInMonth, formatDayNumber, parseMonth } from '../time/calendar';

export interface DailyValue {
  /** WABA-local day YYYY-MM-DD. */
  day: string;
  /** Cost in major units or a count; the projection is an estimate, so plain numbers are fine here. */
  value: number;
}

export interface ProjectionInput {
  /** The month to project, YYYY-MM. */
  month: string;
  /** Values for days of `month`; days up to asOfDay that are missing count as 0. */
  daily: readonly DailyValue[];
  /** The last complete day (inclusive). Values after it are ignored. */
  asOfDay: string;
  /** Earlier days (previous months) to learn the day-of-week pattern from. */
  history?: readonly DailyValue[];
}

export interface MonthFrame {
  month: string;
  firstDay: number;
  lastDay: number;
  /** Day number of the last complete day inside the month (firstDay - 1 when none). */
  asOf: number;
  elapsed: number;
  remaining: number;
  /** value per day number, for the month's elapsed days and the history. */
  values: Map<number, number>;
  mtd: number;
}

function readValues(list: readonly DailyValue[] | undefined, field: string, into: Map<number, number>): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) throw new InputError(field, list, 'must be an array of { day, value }');
  list.forEach((d, i) => {
    const n = dayNumberOf(d?.day, `${field}[${i}].day`);
    if (typeof d.value !== 'number' || !Number.isFinite(d.value))
      throw new InputError(`${field}[${i}].value`, d.value, 'must be a finite number');
    into.set(n, (into.get(n) ?? 0) + d.value);
  });
}

/** Validates the input and lays the month out as day numbers (values of repeated days are added). */
export function frameMonth(input: ProjectionInput): MonthFrame {
  parseMonth(input.month, 'month');
  const firstDay = dayNumberOf(`${input.month}-01`, 'month');
  const lastDay = firstDay + daysInMonth(input.month) - 1;
  const asOfRaw = dayNumberOf(input.asOfDay, 'asOfDay');
  const asOf = Math.min(Math.max(asOfRaw, firstDay - 1), lastDay);
  const values = new Map<number, number>();
  readValues(input.history, 'history', values);
  const monthValues = new Map<number, number>();
  readValues(input.daily, 'daily', monthValues);
  let mtd = 0;
  for (const [n, v] of monthValues) {
    if (n < firstDay || n > lastDay) throw new InputError('daily', formatDayNumber(n), `is not a day of ${input.month}`);
    if (n > asOf) continue;
    values.set(n, v);
    mtd += v;
  }
  for (let n = firstDay; n <= asOf; n += 1) if (!values.has(n)) values.set(n, 0);
  for (const n of [...values.keys()]) if (n > asOf) values.delete(n);
  return { month: input.month, firstDay, lastDay, asOf, elapsed: asOf - firstDay + 1, remaining: lastDay - asOf, values, mtd };
}

export function dayText(n: number): string {
  return formatDayNumber(n);
}
