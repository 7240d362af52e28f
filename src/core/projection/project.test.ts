import { InputError } from '../errors';
import { addDays, dayOfWeek, daysInMonth } from '../time/calendar';
import type { DailyValue } from './daily-series';
import { projectAverage, projectWeekday } from './project';

/** Seeded PRNG (mulberry32) so the synthetic month is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A realistic spend pattern: weekdays ~1.25x, Saturday 0.6x, Sunday 0.45x a base of 400/day,
 * multiplicative noise (sd ~10%), and one marketing campaign day at 6x in the month.
 */
function syntheticDays(seed: number, from: string, count: number, campaignDay: string | null): DailyValue[] {
  const rand = prng(seed);
  const factor = [0.45, 1.25, 1.25, 1.25, 1.25, 1.25, 0.6];
  return Array.from({ length: count }, (_, i) => {
    const day = addDays(from, i);
    const gauss = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const spike = day === campaignDay ? 6 : 1;
    return { day, value: Math.round(400 * (factor[dayOfWeek(day)] as number) * (1 + 0.1 * gauss) * spike * 100) / 100 };
  });
}

function scenario(seed: number, asOfDay: string, month = '2026-03', campaignDay = '2026-03-05') {
  const history = syntheticDays(seed + 1000, addDays(`${month}-01`, -56), 56, null);
  const full = syntheticDays(seed, `${month}-01`, daysInMonth(month), campaignDay);
  const truth = full.reduce((s, d) => s + d.value, 0);
  const input = { month, daily: full.filter((d) => d.day <= asOfDay), asOfDay, history };
  return { truth, input, average: projectAverage(input), weekday: projectWeekday(input) };
}

describe('month-end projection on a synthetic month (weekday/weekend pattern, noise, a campaign spike)', () => {
  test('main case (seed 7, as of Friday 13 March): weekday method is closer and the truth is inside its band', () => {
    const { truth, average, weekday } = scenario(7, '2026-03-13');
    expect(Math.abs(weekday.projected - truth)).toBeLessThan(Math.abs(average.projected - truth));
    expect(weekday.lower).toBeLessThanOrEqual(truth);
    expect(weekday.upper).toBeGreaterThanOrEqual(truth);
    expect(weekday.lower).toBeLessThan(weekday.projected);
    expect(weekday.upper).toBeGreaterThan(weekday.projected);
  });

  test('across 10 seeds x 4 as-of days the weekday method is closer every time and its band holds the truth at least 90% of the time', () => {
    let closer = 0;
    let inside = 0;
    let cases = 0;
    for (let seed = 1; seed <= 10; seed += 1) {
      for (const asOf of ['2026-03-08', '2026-03-13', '2026-03-19', '2026-03-24']) {
        const { truth, average, weekday } = scenario(seed, asOf);
        cases += 1;
        if (Math.abs(weekday.projected - truth) < Math.abs(average.projected - truth)) closer += 1;
        if (weekday.lower <= truth && truth <= weekday.upper) inside += 1;
      }
    }
    expect(closer).toBe(cases);
    expect(inside / cases).toBeGreaterThanOrEqual(0.9);
  });

  test('the average method is the Atom formula: MTD + average daily so far x remaining days', () => {
    const p = projectAverage({
      month: '2026-02',
      daily: [
        { day: '2026-02-01', value: 10 },
        { day: '2026-02-02', value: 30 },
      ],
      asOfDay: '2026-02-04',
    });
    // 4 elapsed days (two missing = 0): MTD 40, average 10, 24 days left -> 40 + 240
    expect([p.mtd, p.projected, p.daysElapsed, p.daysRemaining, p.forecast.length]).toEqual([40, 280, 4, 24, 24]);
    expect(p.forecast[0]).toEqual({ day: '2026-02-05', value: 10 });
  });

  test('a finished month projects to its total; a month not yet started uses history', () => {
    const done = projectWeekday({ month: '2026-02', daily: [{ day: '2026-02-10', value: 5 }], asOfDay: '2026-03-02' });
    expect([done.projected, done.lower, done.upper, done.daysRemaining]).toEqual([5, 5, 5, 0]);
    const history = syntheticDays(3, '2026-02-01', 28, null);
    const early = projectAverage({ month: '2026-03', daily: [], asOfDay: '2026-02-28', history });
    expect(early.projected).toBeCloseTo((history.reduce((s, d) => s + d.value, 0) / 28) * 31, 6);
    expect(projectWeekday({ month: '2026-03', daily: [], asOfDay: '2026-02-28' }).projected).toBe(0);
  });

  test('bad input names the field', () => {
    expect(() => projectAverage({ month: '2026-3', daily: [], asOfDay: '2026-03-01' })).toThrow(/^month: /);
    expect(() => projectWeekday({ month: '2026-03', daily: [{ day: '2026-04-01', value: 1 }], asOfDay: '2026-03-10' })).toThrow(
      /^daily: "2026-04-01" is not a day of 2026-03/,
    );
    expect(() => projectWeekday({ month: '2026-03', daily: [{ day: '2026-03-01', value: Number.NaN }], asOfDay: '2026-03-10' })).toThrow(
      InputError,
    );
    expect(() => projectWeekday({ month: '2026-03', daily: [], asOfDay: 'now' })).toThrow(/^asOfDay: /);
  });
});
