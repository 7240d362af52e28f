import { InputError } from '../errors';
import { addDays, addMonths, dayNumberOf, dayOfWeek, daysBetween, daysInMonth, formatDayNumber, isDay, monthOf } from './calendar';

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
});
