import { addDays, dayOfWeek } from '@core';
import { buildProjectionFrames } from './projection-frames';

const TZ = 'America/Sao_Paulo';
// Weekdays cost 10, weekends 4: a clean weekly pattern the weekday method must reproduce exactly.
function days(from: string, count: number, wobble = 0) {
  return Array.from({ length: count }, (_, i) => {
    const day = addDays(from, i);
    const weekend = dayOfWeek(day) === 0 || dayOfWeek(day) === 6;
    const value = (weekend ? 4 : 10) * (1 + wobble * Math.sin(i * 1.7));
    return { time: Date.parse(`${day}T03:00:00Z`), bucket: day, currency: 'USD', messages: 1, billable: 1, cost: value.toFixed(2) };
  });
}
const body = (rows: unknown[]) => ({ source: 'estimate', interval: 'day', rows, problems: [] });

describe('buildProjectionFrames', () => {
  it('draws month-to-date, then the projected path ending at the month-end estimate', () => {
    // 2026-02-01 .. 2026-03-10 of data, today is 2026-03-11 (last complete day 03-10)
    const rows = days('2026-02-01', 39);
    const [month, summary] = buildProjectionFrames(body(rows), { refId: 'P', today: '2026-03-11', timeZone: TZ, band: true });
    expect(month!.name).toBe('Cost 2026-03');
    expect(month!.length).toBe(31);
    expect(month!.fields[0]!.values[0]).toBe(Date.parse('2026-03-01T03:00:00Z'));
    const mtd = month!.fields[1]!.values as Array<number | null>;
    const projected = month!.fields[2]!.values as Array<number | null>;
    // March 2026: 1st is a Sunday; 1..10 has 2 weekend days (1, 7, 8 -> 3) => 7*10 + 3*4 = 82
    expect(mtd[9]).toBe(82);
    expect(mtd[10]).toBeNull();
    expect(projected[8]).toBeNull();
    expect(projected[9]).toBe(82);
    // whole March: 22 weekdays, 9 weekend days => 220 + 36 = 256
    expect(projected[30]).toBeCloseTo(256, 6);
    expect(month!.fields.map((f) => f.name)).toEqual(['Time', 'Month to date', 'Projected', 'Lower', 'Upper']);
    expect(month!.fields[1]!.config.unit).toBe('currencyUSD');
    expect(summary!.name).toBe('Month-end projection');
    expect(summary!.fields.map((f) => [f.name, f.values[0]])).toEqual([
      ['Month to date', 82],
      ['Projected', projected[30]],
      ['Lower', month!.fields[3]!.values[30]],
      ['Upper', month!.fields[4]!.values[30]],
    ]);
  });

  it('widens the band from the actual figure to the month-end band and never crosses the estimate', () => {
    const rows = days('2026-01-20', 50, 0.3);
    const [month, summary] = buildProjectionFrames(body(rows), { refId: 'P', today: '2026-03-11', timeZone: TZ, band: true });
    const [, , mid, lo, hi] = month!.fields.map((f) => f.values as Array<number | null>);
    const lower = summary!.fields[2]!.values[0] as number;
    const upper = summary!.fields[3]!.values[0] as number;
    expect(lower).toBeLessThan(upper);
    expect(lo![30]).toBeCloseTo(lower, 9);
    expect(hi![30]).toBeCloseTo(upper, 9);
    for (let i = 10; i < 31; i += 1) {
      expect(lo![i]!).toBeLessThanOrEqual(mid![i]!);
      expect(hi![i]!).toBeGreaterThanOrEqual(mid![i]!);
      expect(hi![i]! - lo![i]!).toBeGreaterThanOrEqual(hi![i - 1]! - lo![i - 1]!);
    }
  });

  it('leaves the band out when not asked and splits currencies', () => {
    const usd = days('2026-03-01', 10);
    const brl = usd.map((r) => ({ ...r, currency: 'BRL' }));
    const frames = buildProjectionFrames(body([...usd, ...brl]), { refId: 'P', today: '2026-03-11', timeZone: TZ, band: false });
    expect(frames.map((f) => f.name)).toEqual([
      'Cost 2026-03 · BRL',
      'Month-end projection · BRL',
      'Cost 2026-03 · USD',
      'Month-end projection · USD',
    ]);
    expect(frames[0]!.fields.map((f) => f.name)).toEqual(['Time', 'Month to date', 'Projected']);
    expect(frames[0]!.fields[1]!.config.unit).toBe('currencyBRL');
  });

  it('counts a day without a known rate as 0 and says so', () => {
    const rows = days('2026-03-01', 10).map((r, i) => (i === 0 ? { ...r, cost: null } : r));
    const [month] = buildProjectionFrames(body(rows), { refId: 'P', today: '2026-03-11', timeZone: TZ, band: false });
    expect(month!.fields[1]!.values[9]).toBe(78);
    expect(month!.meta?.notices?.[0]?.text).toMatch(/^1 day\(s\) without a known rate/);
  });
});

describe('projection frames: what is left out, a month of nothing, names and refusals', () => {
  const options = { refId: 'P', today: '2026-03-11', timeZone: TZ, band: true };

  it("today's partial day and later days change nothing; the method and day counts go with the summary", () => {
    const rows = days('2026-02-01', 39);
    // Today, tomorrow and a day of next month (a range that runs past today): none is a complete day of March.
    const later = ['2026-03-11', '2026-03-12', '2026-04-01'].map((d) => ({ ...days(d, 1)[0]!, cost: '1000.00' }));
    const [month, summary] = buildProjectionFrames(body([...rows, ...later]), options);
    // As in the first test: 82 by 03-10, 256 at month end (today's 1000 is not a complete day).
    expect(month!.fields[1]!.values[9]).toBe(82);
    expect(month!.fields[2]!.values[30]).toBeCloseTo(256, 6);
    expect(summary!.meta?.custom).toEqual({ method: 'weekday', daysElapsed: 10, daysRemaining: 21 });
  });

  it('a month of nothing spent projects 0 along the whole path, band included (no division by zero)', () => {
    const rows = days('2026-02-01', 39).map((r) => ({ ...r, cost: '0.00' }));
    const [month] = buildProjectionFrames(body(rows), options);
    const [, mtd, mid, lo, hi] = month!.fields.map((f) => [...(f.values as Array<number | null>)]);
    expect(mtd!.slice(0, 10)).toEqual(Array(10).fill(0));
    for (const path of [mid, lo, hi]) expect(path).toEqual([...Array(9).fill(null), ...Array(22).fill(0)]);
  });

  it('several currencies: each field named with its currency', () => {
    const usd = days('2026-03-01', 10);
    const frames = buildProjectionFrames(body([...usd, ...usd.map((r) => ({ ...r, currency: 'BRL' }))]), { ...options, band: false });
    expect(frames[0]!.fields.slice(1).map((f) => f.config.displayNameFromDS)).toEqual(['Month to date · BRL', 'Projected · BRL']);
    expect(frames[1]!.fields.map((f) => f.config.displayNameFromDS)).toEqual(['Month to date · BRL', 'Projected · BRL']);
  });

  it('refusals name the field', () => {
    expect(() => buildProjectionFrames({ source: 'estimate', interval: 'day', rows: 'x', problems: [] }, options)).toThrow(
      /^projection\.rows/,
    );
    expect(() => buildProjectionFrames(body([]), { ...options, today: '2026-3-11' })).toThrow(/^today: /);
    const bad = days('2026-03-01', 1).map((r) => ({ ...r, cost: 'abc' }));
    expect(() => buildProjectionFrames(body(bad), options)).toThrow('projection.rows[0].cost: "abc" is not a decimal amount');
  });
});
