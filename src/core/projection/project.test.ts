import { InputError } from '../errors';
import { inputErrorOf } from '../test-fixtures/input-error-of';
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

describe('projection: mutation-testing gaps (exact values by hand)', () => {
  const days = (from: string, count: number, value: number) => Array.from({ length: count }, (_, i) => ({ day: addDays(from, i), value }));

  test('the average method ignores history and days after asOf once the month has a complete day', () => {
    const p = projectAverage({
      month: '2026-02',
      daily: [
        { day: '2026-02-01', value: 10 },
        { day: '2026-02-02', value: 30 },
        { day: '2026-02-05', value: 999 }, // after asOf: not complete yet
      ],
      asOfDay: '2026-02-04',
      history: [{ day: '2026-01-31', value: 1000 }],
    });
    // MTD 10 + 30 + 0 + 0 = 40 over 4 days: 10 a day for the 24 days 5..28 February: 40 + 240.
    expect([p.mtd, p.projected, p.daysElapsed, p.daysRemaining]).toEqual([40, 280, 4, 24]);
    expect([p.forecast[0], p.forecast[1], p.forecast[23]]).toEqual([
      { day: '2026-02-05', value: 10 },
      { day: '2026-02-06', value: 10 },
      { day: '2026-02-28', value: 10 },
    ]);
  });

  test('before the month starts, the average of the history days of the last 28 (later ones are dropped)', () => {
    // asOf 28 February: the 28 days are 1..28 February. 31 January (asOf - 28) and 2 March (after asOf) are left out.
    const p = projectAverage({
      month: '2026-03',
      daily: [],
      asOfDay: '2026-02-28',
      history: [
        { day: '2026-01-31', value: 1000 },
        { day: '2026-02-01', value: 20 },
        { day: '2026-02-28', value: 40 },
        { day: '2026-03-02', value: 5000 },
      ],
    });
    // (20 + 40) / 2 = 30 a day x 31 days.
    expect([p.mtd, p.projected, p.daysElapsed, p.daysRemaining, p.forecast[0]]).toEqual([0, 930, 0, 31, { day: '2026-03-01', value: 30 }]);
  });

  test('a value on the last day of a finished month counts; nothing left, no band', () => {
    const p = projectWeekday({ month: '2026-02', daily: [{ day: '2026-02-28', value: 7 }], asOfDay: '2026-03-05' });
    expect([p.mtd, p.projected, p.lower, p.upper, p.daysRemaining]).toEqual([7, 7, 7, 7, 0]);
  });

  test('no data at all: zero, with a zero band', () => {
    const p = projectWeekday({ month: '2026-03', daily: [], asOfDay: '2026-02-28' });
    expect([p.projected, p.lower, p.upper]).toEqual([0, 0, 0]);
  });

  test('the weekday method on a small month, by hand', () => {
    // February 2026 starts on a Sunday; asOf Saturday 14 February: 14 days done, 14 left (2 of each weekday).
    // Training = the 56 days after asOf - 56 (20 December, a Saturday at 1000, left out) = 18 January .. 14 February.
    const history = [
      { day: '2025-12-20', value: 1000 },
      ...days('2026-01-18', 1, 0),
      ...days('2026-01-19', 5, 50),
      { day: '2026-01-24', value: 20 },
      ...days('2026-01-25', 1, 0),
      ...days('2026-01-26', 5, 50),
      { day: '2026-01-31', value: 30 },
    ];
    // 8 February (a Sunday) and 14 February are missing: they count as 0.
    const daily = [
      ...days('2026-02-01', 1, 0),
      ...days('2026-02-02', 5, 100),
      { day: '2026-02-07', value: 40 },
      ...days('2026-02-09', 5, 140),
    ];
    const p = projectWeekday({ month: '2026-02', daily, asOfDay: '2026-02-14', history });
    // Profile (median per weekday over 4 weeks): Mon-Fri (50, 50, 100, 140) -> 75; Sat (20, 30, 40, 0) -> 25; Sun 0.
    // Level (last 14 days, Sundays skipped as their profile is 0): 100/75 = 4/3 x 5, 40/25 = 1.6, 140/75 = 28/15 x 5,
    // 0/25 = 0 -> 12 ratios, median (4/3 + 1.6) / 2 = 22/15. Forecast: Mon-Fri 75 x 22/15 = 110, Sat 25 x 22/15 = 110/3.
    const weekdays = [110, 110, 110, 110, 110];
    expect(p.forecast.map((d) => d.day)).toEqual(days('2026-02-15', 14, 0).map((d) => d.day));
    const expected = [0, ...weekdays, 110 / 3, 0, ...weekdays, 110 / 3];
    p.forecast.forEach((d, i) => expect(d.value).toBeCloseTo(expected[i] as number, 9));
    // Residuals v / (profile x level) - 1, in elevenths: Mon-Fri 50 -> -6 (x10), 100 -> -1 (x5), 140 -> 3 (x5);
    // Sat 20 -> -5, 30 -> -2, 40 -> 1, 0 -> -11; Sun 0 (profile 0) x4. Median of the 28: -1. Distances from it:
    // 0 x5, 1 x5, 2, 4 x6, 5 x10, 10 -> median 4: spread = 1.4826 x 4/11.
    const spread = 1.4826 * (4 / 11);
    const rest = 10 * 110 + 2 * (110 / 3);
    const squares = 10 * 110 ** 2 + 2 * (110 / 3) ** 2;
    const half = 1.96 * Math.sqrt((spread * Math.sqrt(squares)) ** 2 + ((spread / Math.sqrt(12)) * rest) ** 2);
    // MTD: 5 x 100 + 40 + 5 x 140 = 1240.
    expect([p.mtd, p.daysElapsed, p.daysRemaining]).toEqual([1240, 14, 14]);
    expect(p.projected).toBeCloseTo(1240 + rest, 9);
    expect(p.lower).toBeCloseTo(1240 + rest - half, 9);
    expect(p.upper).toBeCloseTo(1240 + rest + half, 9);
    // Rounded: 2413.33 +- 515.95.
    expect([p.projected, p.lower, p.upper].map((x) => x.toFixed(2))).toEqual(['2413.33', '1897.38', '2929.29']);
  });

  test('bad input: the exact field and reason', () => {
    const march = { month: '2026-03', asOfDay: '2026-03-10' };
    expect(inputErrorOf(() => projectAverage({ ...march, daily: 5 as never }))).toEqual({
      field: 'daily',
      reason: 'must be an array of { day, value }',
    });
    expect(inputErrorOf(() => projectAverage({ ...march, daily: [null as never] }))).toEqual({
      field: 'daily[0].day',
      reason: 'is not a date in YYYY-MM-DD form',
    });
    expect(
      inputErrorOf(() =>
        projectAverage({
          ...march,
          daily: [
            { day: '2026-03-01', value: 1 },
            { day: '2026-03-02', value: Number.NaN },
          ],
        }),
      ),
    ).toEqual({ field: 'daily[1].value', reason: 'must be a finite number' });
    expect(
      inputErrorOf(() => projectAverage({ ...march, daily: [], history: [{ day: '2026-02-01', value: Number.POSITIVE_INFINITY }] })),
    ).toEqual({
      field: 'history[0].value',
      reason: 'must be a finite number',
    });
    expect(inputErrorOf(() => projectAverage({ ...march, daily: [{ day: '2026-02-28', value: 1 }] }))).toEqual({
      field: 'daily',
      reason: 'is not a day of 2026-03',
    });
  });
});
