import { addDays, daysInMonth, firstDayOf } from '@core';
import { monthOfDay, narrowPanel, readsWithoutMarket, sqlWhere, type PricedDimension, type PricedDimQuery } from './priced-rollups';

/**
 * A grain's month totals (migration 021): the pricing grain, and the country and group with the
 * market. Each row is the sum of one WABA-local month's day rows of one key (and `unpriced`), kept
 * equal to it by the day writes (`monthChangeSql`).
 */
export interface MonthTable {
  grain: PricedDimension | null;
  day: string;
  month: string;
  column: string | null;
}
export const MONTH_TABLES: readonly MonthTable[] = [
  { grain: null, day: 'priced_usage', month: 'priced_usage_month', column: null },
  { grain: 'country', day: 'priced_usage_country', month: 'priced_usage_country_month', column: 'country' },
  { grain: 'group', day: 'priced_usage_group', month: 'priced_usage_group_month', column: 'grp' },
];
const UNPRICED = 'CASE WHEN cost_micros IS NULL THEN 1 ELSE 0 END';
const monthKeys = (t: MonthTable) => [
  'waba_id',
  ...(t.column === null ? [] : [t.column]),
  'market',
  'category',
  'pricing_type',
  'currency',
];

/**
 * Adds to (`sign` 1) or takes from (-1) a grain's month totals the day rows `where` selects: a day's
 * old rows are taken away before the day is deleted, its new rows added once written. A key that gets
 * no day row any more keeps `day_rows` 0 until `monthPruneSql` deletes it.
 */
export function monthChangeSql(t: MonthTable, sign: 1 | -1, where: string): string {
  const keys = monthKeys(t).join(', ');
  const s = sign < 0 ? '-' : '';
  const sums = ['day_rows', 'messages', 'units', 'billable', 'cost_micros'];
  return `INSERT INTO ${t.month} (month, ${keys}, unpriced, ${sums.join(', ')})
    SELECT substr(day, 1, 7), ${keys}, ${UNPRICED}, ${s}COUNT(*), ${s}SUM(messages), ${s}SUM(units), ${s}SUM(billable), ${s}SUM(cost_micros)
    FROM ${t.day} WHERE ${where} GROUP BY substr(day, 1, 7), ${keys}, ${UNPRICED}
    ON CONFLICT (month, ${keys}, unpriced) DO UPDATE SET ${sums.map((c) => `${c} = ${t.month}.${c} + excluded.${c}`).join(', ')}`;
}

/** Deletes the month keys `where` selects that no day row adds to any more. */
export const monthPruneSql = (t: MonthTable, where: string): string => `DELETE FROM ${t.month} WHERE ${where} AND day_rows = 0`;

/**
 * A month read for `pricedUsageTotals`, or null when the query is not one (not summed over days, not
 * within one month, a grain without month totals, or read without the market): `sql` reads the month
 * totals, narrowed as the day read is, in its order; they answer only when `probe` (absent when the
 * range is the whole month) finds no day row of the range's WABAs in the month outside the range, for
 * a month total sums every day of the month.
 */
export function monthTotalsSql(
  dimension: PricedDimension | null,
  q: PricedDimQuery,
  ph: (i: number) => string,
): { sql: string; args: unknown[]; probe?: { sql: string; args: unknown[] } } | null {
  const t = MONTH_TABLES.find((m) => m.grain === dimension);
  const month = monthOfDay(q.fromDay);
  if (!q.sumDays || t === undefined || monthOfDay(q.toDay) !== month || readsWithoutMarket(dimension, q)) return null;
  const wabaIds = q.wabaId === undefined ? q.wabaIds : [q.wabaId];
  const { args, where, narrow } = sqlWhere([['month =', month]], ph);
  narrowPanel(narrow, q, t.column);
  const keys = monthKeys(t).join(', ');
  const sql = `SELECT ${keys}, messages, units, billable, cost_micros FROM ${t.month} WHERE ${where.join(' AND ')} ORDER BY ${keys}, unpriced`;
  const first = firstDayOf(month);
  const last = addDays(first, daysInMonth(month) - 1);
  if (q.fromDay === first && q.toDay === last) return { sql, args };
  // Two seeks on the day-first key (a day range with an OR inside would read the whole month); the
  // placeholders in text order, as SQLite numbers its '?'.
  const probeArgs: unknown[] = [];
  const outside = (fromOp: string, from: string, toOp: string, to: string) => {
    probeArgs.push(from);
    const a = ph(probeArgs.length);
    probeArgs.push(to);
    const b = ph(probeArgs.length);
    const ofWabas = (wabaIds ?? []).map((w) => (probeArgs.push(w), ph(probeArgs.length)));
    return `EXISTS (SELECT 1 FROM ${t.day} WHERE day ${fromOp} ${a} AND day ${toOp} ${b}${ofWabas.length > 0 ? ` AND waba_id IN (${ofWabas.join(', ')})` : ''})`;
  };
  const before = outside('>=', first, '<', q.fromDay);
  const after = outside('>', q.toDay, '<=', last);
  return { sql, args, probe: { sql: `SELECT CASE WHEN ${before} OR ${after} THEN 1 ELSE 0 END AS outside`, args: probeArgs } };
}
