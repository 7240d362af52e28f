import { dayText, frameMonth, type DailyValue, type ProjectionInput } from './daily-series';

export interface Projection {
  month: string;
  /** Sum of the month's complete days so far. */
  mtd: number;
  /** Estimated month total. */
  projected: number;
  /** ~95% band of the month total (equal to projected for the average method, which has none). */
  lower: number;
  upper: number;
  method: 'average' | 'weekday';
  daysElapsed: number;
  daysRemaining: number;
  /** The estimate for each remaining day (for drawing the projection line). */
  forecast: DailyValue[];
}

const Z95 = 1.96;
const TRAINING_DAYS = 56; // eight weeks of day-of-week pattern
const LEVEL_DAYS = 14; // the recent level is judged on the last two weeks

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function weekdayOf(n: number): number {
  return (((n + 4) % 7) + 7) % 7;
}

/**
 * Atom's method: month-to-date plus the average of the elapsed days times the days left. Before
 * the month has a complete day it falls back to the average of the last 28 days of history.
 */
export function projectAverage(input: ProjectionInput): Projection {
  const f = frameMonth(input);
  let avg = f.elapsed > 0 ? f.mtd / f.elapsed : 0;
  if (f.elapsed === 0) {
    const recent = [...f.values].filter(([n]) => n > f.asOf - 28).map(([, v]) => v);
    avg = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : 0;
  }
  const projected = f.mtd + avg * f.remaining;
  const forecast = Array.from({ length: f.remaining }, (_, i) => ({ day: dayText(f.asOf + 1 + i), value: avg }));
  return {
    month: f.month,
    mtd: f.mtd,
    projected,
    lower: projected,
    upper: projected,
    method: 'average',
    daysElapsed: f.elapsed,
    daysRemaining: f.remaining,
    forecast,
  };
}

/**
 * Day-of-week method: a weekday profile (median per weekday over the last eight weeks, robust to
 * campaign spikes), scaled by the recent level (median ratio of the last two weeks to that
 * profile), summed over the days left. The band combines day-to-day noise (robust spread of the
 * residuals) and the uncertainty of the level; it does not foresee campaigns not yet sent.
 */
export function projectWeekday(input: ProjectionInput): Projection {
  const f = frameMonth(input);
  const training = [...f.values].filter(([n]) => n > f.asOf - TRAINING_DAYS);
  const byWeekday: number[][] = [[], [], [], [], [], [], []];
  for (const [n, v] of training) (byWeekday[weekdayOf(n)] as number[]).push(v);
  const overall = median(training.map(([, v]) => v));
  const profile = byWeekday.map((vs) => (vs.length ? median(vs) : overall));

  const ratios: number[] = [];
  for (const [n, v] of training) {
    const p = profile[weekdayOf(n)] as number;
    if (n > f.asOf - LEVEL_DAYS && p > 0) ratios.push(v / p);
  }
  const level = ratios.length ? median(ratios) : training.length ? 1 : 0;
  const residuals = training.map(([n, v]) => {
    const p = (profile[weekdayOf(n)] as number) * level;
    return p > 0 ? v / p - 1 : 0;
  });
  const spread = training.length > 1 ? 1.4826 * median(residuals.map((r) => Math.abs(r - median(residuals)))) : 0;

  const forecast: DailyValue[] = [];
  let rest = 0;
  let squares = 0;
  for (let n = f.asOf + 1; n <= f.lastDay; n += 1) {
    const value = Number.isFinite(level * (profile[weekdayOf(n)] as number)) ? level * (profile[weekdayOf(n)] as number) : 0;
    forecast.push({ day: dayText(n), value });
    rest += value;
    squares += value * value;
  }
  const noise = spread * Math.sqrt(squares);
  const levelError = ratios.length ? (spread / Math.sqrt(ratios.length)) * rest : 0;
  const half = Z95 * Math.sqrt(noise * noise + levelError * levelError);
  const projected = f.mtd + rest;
  return {
    month: f.month,
    mtd: f.mtd,
    projected,
    lower: Math.max(f.mtd, projected - half),
    upper: projected + half,
    method: 'weekday',
    daysElapsed: f.elapsed,
    daysRemaining: f.remaining,
    forecast,
  };
}
