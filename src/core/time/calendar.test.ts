import { InputError } from '../errors';
import { inputErrorOf } from '../test-fixtures/input-error-of';
import {
  addDays,
  assertDay,
  addMonths,
  dayNumberOf,
  dayOfWeek,
  daysBetween,
  daysInMonth,
  firstDayOf,
  formatDayNumber,
  isDay,
  monthOf,
  parseMonth,
} from './calendar';

describe('calendar arithmetic on YYYY-MM-DD', () => {
  test.each([
    ['2025-06-30', 1, '2025-07-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2025-02-28', 1, '2025-03-01'],
    ['2025-01-01', -1, '2024-12-31'],
    ['2000-02-28', 2, '2000-03-01'],
    ['1900-02-28', 1, '1900-03-01'],
    ['2026-12-31', 365, '2027-12-31'],
  ])('addDays(%s, %d) = %s', (day, n, expected) => {
    expect(addDays(day, n)).toBe(expected);
  });

  test('day numbers agree with Date.UTC over a long range', () => {
    // Under Stryker (WASPEND_MUTATION=1, one run per mutant) a prime stride ten times wider.
    const stride = process.env.WASPEND_MUTATION === '1' ? 9_973 : 997;
    for (let n = -719_162; n <= 2_932_896; n += stride) {
      const expected = new Date(n * 86_400_000).toISOString().slice(0, 10);
      expect(formatDayNumber(n)).toBe(expected);
      expect(dayNumberOf(expected)).toBe(n);
    }
  });

  test.each([
    ['2025-02', 28],
    ['2024-02', 29],
    ['2100-02', 28],
    ['2000-02', 29],
    ['2025-04', 30],
    ['2025-12', 31],
  ])('daysInMonth(%s) = %d', (month, n) => {
    expect(daysInMonth(month)).toBe(n);
  });

  test('dayOfWeek is 0 = Sunday', () => {
    expect(dayOfWeek('2025-07-01')).toBe(2); // a Tuesday
    expect(dayOfWeek('2026-11-22')).toBe(0);
    expect(dayOfWeek('1969-12-31')).toBe(3);
  });

  test('daysBetween, monthOf and addMonths', () => {
    expect(daysBetween('2025-06-01', '2025-07-01')).toBe(30);
    expect(daysBetween('2025-07-01', '2025-06-01')).toBe(-30);
    expect(monthOf('2025-07-31')).toBe('2025-07');
    expect(addMonths('2025-11', 2)).toBe('2026-01');
    expect(addMonths('2025-01', -1)).toBe('2024-12');
  });

  test.each(['2025-02-30', '2025-13-01', '2025-7-1', '20250701', '', 'yesterday'])('rejects %j naming the field', (bad) => {
    expect(() => addDays(bad, 1, 'from')).toThrow(InputError);
    expect(() => addDays(bad, 1, 'from')).toThrow(/^from: /);
    expect(isDay(bad)).toBe(false);
  });

  test('rejects fractional day counts and bad months', () => {
    expect(() => addDays('2025-01-01', 1.5)).toThrow(InputError);
    expect(() => daysInMonth('2025-00')).toThrow(/month/);
  });

  test('the last day of a 400-year cycle is 02-29 of a year divisible by 400', () => {
    // 2000-01-01 is day 10,957 (30 years of 365 days since 1970 plus the 7 leap days 1972..1996);
    // + 31 (January) + 28 = 11,016 is 2000-02-29. The stride test above never lands on such a day.
    expect(formatDayNumber(11_016)).toBe('2000-02-29');
    expect(addDays('2000-02-28', 1)).toBe('2000-02-29');
    expect(addDays('2400-02-29', 1)).toBe('2400-03-01');
    expect(addDays('2400-03-01', -1)).toBe('2400-02-29');
  });

  test('firstDayOf, and years below 1000 keep four digits', () => {
    expect(firstDayOf('2025-07')).toBe('2025-07-01');
    expect(addMonths('0099-12', 1)).toBe('0100-01');
  });

  test('isDay is false for anything but a string', () => {
    expect(isDay(20250701)).toBe(false);
    expect(isDay(null)).toBe(false);
    expect(isDay(new Date(Date.UTC(2025, 6, 1)))).toBe(false);
  });
});

// The project's rule: bad input gets a clear error naming the field. Each function names its own
// argument when the caller gives no field name.
describe('calendar: bad input is an InputError with the exact field and reason', () => {
  const notADate = 'is not a date in YYYY-MM-DD form';
  const notReal = 'is not a real calendar date';
  const notAMonth = 'is not a month in YYYY-MM form';
  test.each<[string, () => unknown, string, string]>([
    ['dayNumberOf, a 30 February', () => dayNumberOf('2025-02-30'), 'day', notReal],
    ['dayNumberOf, a day 00', () => dayNumberOf('2025-01-00'), 'day', notReal],
    ['dayNumberOf, a month 00', () => dayNumberOf('2025-00-10'), 'day', notReal],
    ['dayNumberOf, no leading zeros', () => dayNumberOf('2025-1-1'), 'day', notADate],
    // JSON input may hand over an array; its string form would match the pattern
    ['dayNumberOf, an array', () => dayNumberOf(['2025-07-01'] as unknown as string), 'day', notADate],
    ['assertDay', () => assertDay('2025-02-30'), 'day', notReal],
    ['monthOf', () => monthOf('2025-02-30'), 'day', notReal],
    ['addDays, the day', () => addDays('2025-02-30', 1), 'day', notReal],
    ['addDays, a fraction of a day', () => addDays('2025-01-01', 1.5), 'n', 'must be a whole number of days'],
    ['daysBetween, the from day', () => daysBetween('2025-02-30', '2025-03-01'), 'from', notReal],
    ['daysBetween, the to day', () => daysBetween('2025-03-01', '2025-02-30'), 'to', notReal],
    ['dayOfWeek', () => dayOfWeek('2025-02-30'), 'day', notReal],
    ['parseMonth, month 13', () => parseMonth('2025-13'), 'month', notAMonth],
    ['parseMonth, month 00', () => parseMonth('2025-00'), 'month', notAMonth],
    ['parseMonth, an array', () => parseMonth(['2025-07'] as unknown as string), 'month', notAMonth],
    ['daysInMonth', () => daysInMonth('2025-13'), 'month', notAMonth],
    ['firstDayOf', () => firstDayOf('2025-13'), 'month', notAMonth],
    ['addMonths', () => addMonths('2025-13', 1), 'month', notAMonth],
  ])('%s', (_what, run, field, reason) => {
    expect(inputErrorOf(run)).toEqual({ field, reason });
  });

  test('a field name given by the caller replaces the default', () => {
    expect(inputErrorOf(() => parseMonth('2025-13', 'reports[0].month'))).toEqual({ field: 'reports[0].month', reason: notAMonth });
    expect(inputErrorOf(() => dayNumberOf('2025-02-30', 'from'))).toEqual({ field: 'from', reason: notReal });
  });
});
