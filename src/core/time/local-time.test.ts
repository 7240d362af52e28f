import { InputError } from '../errors';
import { inputErrorOf } from '../test-fixtures/input-error-of';
import { dayStartMs, hourStartMs, localDay, localHour, monthStartMs } from './local-time';
import { assertTimeZone, offsetAt } from './zone-offset';

const utc = (iso: string) => Date.parse(iso);

describe('WABA-local days and hours', () => {
  test.each([
    // the 2025-07-01 switch at WABA-local midnight
    ['2025-07-01T02:59:59.999Z', 'America/Sao_Paulo', '2025-06-30', '2025-06-30T23'],
    ['2025-07-01T03:00:00.000Z', 'America/Sao_Paulo', '2025-07-01', '2025-07-01T00'],
    ['2025-06-30T18:29:59.999Z', 'Asia/Kolkata', '2025-06-30', '2025-06-30T23'],
    ['2025-06-30T18:30:00.000Z', 'Asia/Kolkata', '2025-07-01', '2025-07-01T00'],
    ['2025-07-01T00:00:00.000Z', 'UTC', '2025-07-01', '2025-07-01T00'],
    ['2025-06-30T11:59:59.999Z', 'Pacific/Kiritimati', '2025-07-01', '2025-07-01T01'],
    ['2025-11-02T05:30:00.000Z', 'America/New_York', '2025-11-02', '2025-11-02T01'], // first 01:xx (EDT)
    ['2025-11-02T06:30:00.000Z', 'America/New_York', '2025-11-02', '2025-11-02T01'], // second 01:xx (EST)
    ['2025-10-26T01:30:00.000Z', 'Europe/Berlin', '2025-10-26', '2025-10-26T02'],
  ])('%s in %s is day %s, hour %s', (iso, tz, day, hour) => {
    expect(localDay(utc(iso), tz)).toBe(day);
    expect(localHour(utc(iso), tz)).toBe(hour);
  });

  test.each([
    ['2025-07-01', 'America/Sao_Paulo', '2025-07-01T03:00:00.000Z'],
    ['2025-07-01', 'Asia/Kolkata', '2025-06-30T18:30:00.000Z'],
    ['2025-03-09', 'America/New_York', '2025-03-09T05:00:00.000Z'],
    ['2025-03-10', 'America/New_York', '2025-03-10T04:00:00.000Z'],
    // Sao Paulo's 2018 DST started at midnight: 00:00 did not exist, the day began at 01:00 -02
    ['2018-11-04', 'America/Sao_Paulo', '2018-11-04T03:00:00.000Z'],
    // and ended at midnight: 23:00-23:59 -03 repeated, the next day starts once
    ['2019-02-17', 'America/Sao_Paulo', '2019-02-17T03:00:00.000Z'],
    ['2025-10-05', 'Australia/Lord_Howe', '2025-10-04T13:30:00.000Z'],
  ])('dayStartMs(%s, %s) = %s', (day, tz, iso) => {
    const start = dayStartMs(day, tz);
    expect(new Date(start).toISOString()).toBe(iso);
    expect(localDay(start, tz)).toBe(day);
    expect(localDay(start - 1, tz) < day).toBe(true);
  });

  test('hour starts across a spring-forward gap and a fall-back repeat', () => {
    expect(new Date(hourStartMs('2025-03-09T02', 'America/New_York')).toISOString()).toBe('2025-03-09T07:00:00.000Z');
    expect(new Date(hourStartMs('2025-03-09T03', 'America/New_York')).toISOString()).toBe('2025-03-09T07:00:00.000Z');
    expect(new Date(hourStartMs('2025-11-02T01', 'America/New_York')).toISOString()).toBe('2025-11-02T05:00:00.000Z');
    expect(new Date(hourStartMs('2025-11-02T02', 'America/New_York')).toISOString()).toBe('2025-11-02T07:00:00.000Z');
    expect(new Date(hourStartMs('2025-07-01T00', 'Asia/Kolkata')).toISOString()).toBe('2025-06-30T18:30:00.000Z');
  });

  test('a month boundary in a non-UTC zone', () => {
    const start = monthStartMs('2025-08', 'America/Los_Angeles');
    expect(new Date(start).toISOString()).toBe('2025-08-01T07:00:00.000Z');
    expect(localDay(start - 1, 'America/Los_Angeles')).toBe('2025-07-31');
    // in UTC that instant is already August: the WABA-local month is what counts
    expect(localDay(utc('2025-08-01T03:00:00Z'), 'America/Los_Angeles')).toBe('2025-07-31');
  });

  test('every hour of a DST year agrees with an uncached Intl computation', () => {
    const fmt = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/London',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    });
    const base = utc('2025-01-01T00:17:00Z');
    // Under Stryker (WASPEND_MUTATION=1, one run per mutant) every 5th hour: 5 is prime to 24 and 7, so
    // every hour of the day and both DST changes are still crossed.
    const step = process.env.WASPEND_MUTATION === '1' ? 5 : 1;
    for (let i = 0; i < 24 * 366; i += step) {
      const t = base + i * 3_600_000 + (i % 7) * 60_000;
      const p = Object.fromEntries(fmt.formatToParts(t).map((x) => [x.type, x.value]));
      expect(localHour(t, 'Europe/London')).toBe(`${p.year}-${p.month}-${p.day}T${p.hour}`);
    }
  });

  test('a half-hour offset change inside an hour is resolved per instant', () => {
    // Lord Howe goes from +10:30 to +11:00 at 02:00 local = 15:30 UTC on 2025-10-04
    expect(offsetAt(utc('2025-10-04T15:29:00Z'), 'Australia/Lord_Howe')).toBe(10.5 * 3_600_000);
    expect(offsetAt(utc('2025-10-04T15:31:00Z'), 'Australia/Lord_Howe')).toBe(11 * 3_600_000);
    expect(offsetAt(utc('2025-10-04T15:01:00Z'), 'Australia/Lord_Howe')).toBe(10.5 * 3_600_000);
  });

  test('bad zones and instants are InputErrors naming the field', () => {
    expect(() => assertTimeZone('Mars/Olympus', 'wabas[0].timezone')).toThrow(/^wabas\[0\]\.timezone: "Mars\/Olympus"/);
    expect(() => localDay(0, 'Nowhere/City')).toThrow(InputError);
    expect(() => localDay(Number.NaN, 'UTC')).toThrow(InputError);
    expect(() => localDay(Number.POSITIVE_INFINITY, 'UTC')).toThrow(/atMs/);
    expect(() => hourStartMs('2025-01-01T24', 'UTC')).toThrow(/hour/);
    expect(assertTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
  });

  test('a repeated hour east of UTC starts at its first occurrence', () => {
    // Berlin falls back at 03:00 CEST (+2) = 01:00Z to 02:00 CET (+1): local 02:00-02:59 runs from
    // 00:00Z (CEST) and again from 01:00Z (CET). The offset guess for 02:00 lands on the second run
    // (01:00Z); the first is 00:00Z. Hour 03 comes once, at 02:00Z (CET).
    expect(new Date(hourStartMs('2025-10-26T02', 'Europe/Berlin')).toISOString()).toBe('2025-10-26T00:00:00.000Z');
    expect(new Date(hourStartMs('2025-10-26T03', 'Europe/Berlin')).toISOString()).toBe('2025-10-26T02:00:00.000Z');
  });

  test('hour 23 is an hour; 24, a bad date and a non-string are InputErrors naming "hour"', () => {
    expect(new Date(hourStartMs('2025-01-01T23', 'UTC')).toISOString()).toBe('2025-01-01T23:00:00.000Z');
    const badHour = { field: 'hour', reason: 'is not an hour in YYYY-MM-DDTHH form (00-23)' };
    expect(inputErrorOf(() => hourStartMs('2025-01-01T24', 'UTC'))).toEqual(badHour);
    expect(inputErrorOf(() => hourStartMs('2025-01-01 05', 'UTC'))).toEqual(badHour);
    // an array's string form would match the pattern
    expect(inputErrorOf(() => hourStartMs(['2025-01-01T05'] as unknown as string, 'UTC'))).toEqual(badHour);
    expect(inputErrorOf(() => hourStartMs('2025-02-30T05', 'UTC'))).toEqual({ field: 'hour', reason: 'is not a real calendar date' });
  });
});
