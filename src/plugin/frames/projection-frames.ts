import { createDataFrame, FieldType, type DataFrame } from '@grafana/data';
import { addDays, dayStartMs, daysInMonth, firstDayOf, monthOf, projectWeekday, type DailyValue } from '@core';
import { usageResponse } from '@contract';
import { parseResponse } from './parse-response';
import { moneyFieldConfig, toAmount } from './series';

export interface ProjectionOptions {
  refId: string;
  /** WABA-local today; the last complete day is the day before. */
  today: string;
  timeZone: string;
  band: boolean;
}

/**
 * From a daily /usage response (history + month so far): per currency, a cumulative month frame
 * (actual month-to-date, then the projected path with its band) and a one-row month-end summary.
 */
export function buildProjectionFrames(body: unknown, options: ProjectionOptions): DataFrame[] {
  const response = parseResponse(usageResponse, body, 'projection');
  const month = monthOf(options.today, 'today');
  const first = firstDayOf(month);
  const asOfDay = addDays(options.today, -1);
  const byCurrency = new Map<string, { daily: DailyValue[]; history: DailyValue[]; unpriced: number }>();
  response.rows.forEach((r, i) => {
    const slot = byCurrency.get(r.currency) ?? { daily: [], history: [], unpriced: 0 };
    byCurrency.set(r.currency, slot);
    const amount = toAmount(r.cost, `projection.rows[${i}].cost`);
    if (amount === null) slot.unpriced += 1;
    const day = r.bucket.slice(0, 10);
    if (day > options.today) return;
    (day < first ? slot.history : slot.daily).push({ day, value: amount ?? 0 });
  });
  const frames: DataFrame[] = [];
  for (const [currency, slot] of [...byCurrency].sort(([a], [b]) => a.localeCompare(b))) {
    const p = projectWeekday({ month, daily: slot.daily.filter((d) => d.day <= asOfDay), asOfDay, history: slot.history });
    const money = moneyFieldConfig(currency);
    const suffix = byCurrency.size > 1 ? ` · ${currency}` : '';
    const days = Array.from({ length: daysInMonth(month) }, (_, i) => addDays(first, i));
    const actual = cumulative(days, slot.daily, asOfDay);
    const forecast = new Map(p.forecast.map((f) => [f.day, f.value]));
    // The core gives the band only at month end; widen it along the path in proportion to the
    // forecast so far, so the band starts at the actual figure and ends at [lower, upper].
    const ahead = p.projected - p.mtd;
    let run = 0;
    const none = { mid: null, lo: null, hi: null };
    const path: Array<{ mid: number | null; lo: number | null; hi: number | null }> = days.map((day) => {
      if (day < asOfDay) return none;
      if (day === asOfDay) return { mid: p.mtd, lo: p.mtd, hi: p.mtd };
      run += forecast.get(day) ?? 0;
      const share = ahead > 0 ? run / ahead : 0;
      return { mid: p.mtd + run, lo: p.mtd + share * (p.lower - p.mtd), hi: p.mtd + share * (p.upper - p.mtd) };
    });
    const num = (name: string, values: Array<number | null>) => ({
      name,
      type: FieldType.number,
      values,
      config: { ...money, displayNameFromDS: `${name}${suffix}` },
    });
    const fields = [
      { name: 'Time', type: FieldType.time, values: days.map((d) => dayStartMs(d, options.timeZone)) },
      num('Month to date', actual),
      num(
        'Projected',
        path.map((x) => x.mid),
      ),
    ];
    if (options.band)
      fields.push(
        num(
          'Lower',
          path.map((x) => x.lo),
        ),
        num(
          'Upper',
          path.map((x) => x.hi),
        ),
      );
    const notices = slot.unpriced
      ? [{ severity: 'warning' as const, text: `${slot.unpriced} day(s) without a known rate counted as 0` }]
      : undefined;
    frames.push(createDataFrame({ refId: options.refId, name: `Cost ${month}${suffix}`, fields, meta: notices ? { notices } : undefined }));
    frames.push(
      createDataFrame({
        refId: options.refId,
        name: `Month-end projection${suffix}`,
        meta: { custom: { method: p.method, daysElapsed: p.daysElapsed, daysRemaining: p.daysRemaining } },
        fields: [
          num('Month to date', [p.mtd]),
          num('Projected', [p.projected]),
          ...(options.band ? [num('Lower', [p.lower]), num('Upper', [p.upper])] : []),
        ],
      }),
    );
  }
  return frames;
}

/** Running total of the month's complete days; null after the last complete day. */
function cumulative(days: readonly string[], daily: readonly DailyValue[], asOfDay: string): Array<number | null> {
  const byDay = new Map<string, number>();
  for (const d of daily) byDay.set(d.day, (byDay.get(d.day) ?? 0) + d.value);
  let sum = 0;
  return days.map((day) => {
    if (day > asOfDay) return null;
    sum += byDay.get(day) ?? 0;
    return sum;
  });
}
