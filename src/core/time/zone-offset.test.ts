import { inputErrorOf } from '../test-fixtures/input-error-of';
import { assertTimeZone, offsetAt } from './zone-offset';

const utc = (iso: string) => Date.parse(iso);
const H = 3_600_000;

describe('offsetAt', () => {
  test('offsets with seconds, and instants that are not on a whole minute', () => {
    // Asia/Kolkata kept Madras time, +5:21:10, until 1906: 5*3600 + 21*60 + 10 = 19,270 s.
    expect(offsetAt(utc('1900-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe(19_270_000);
    expect(offsetAt(utc('2025-07-01T12:34:56.789Z'), 'America/Sao_Paulo')).toBe(-3 * H);
  });

  test('an instant before year 1 (Intl reports it as a year BC)', () => {
    // -000100 is 101 BC in the proleptic Gregorian calendar
    expect(offsetAt(utc('-000100-01-01T12:00:00Z'), 'UTC')).toBe(0);
    // New York's local mean time, -4:56:02 = -(4*3600 + 56*60 + 2) s, reaches back before 1883
    expect(offsetAt(utc('-000100-01-01T12:00:00Z'), 'America/New_York')).toBe(-17_762_000);
  });

  test('a change inside an hour, asked first after the change', () => {
    // Lord Howe goes from +10:30 to +11:00 at 02:00 local = 15:30Z on 2024-10-05. The first call into
    // that UTC hour is after the change, so the hour's first-second offset (+10:30) must not be used.
    // (This hour is asked nowhere else in this file: the cache is per module.)
    expect(offsetAt(utc('2024-10-05T15:45:00Z'), 'Australia/Lord_Howe')).toBe(11 * H);
    expect(offsetAt(utc('2024-10-05T15:15:00Z'), 'Australia/Lord_Howe')).toBe(10.5 * H);
    expect(offsetAt(utc('2024-10-05T15:50:00Z'), 'Australia/Lord_Howe')).toBe(11 * H);
  });

  test('the whole range of Date is accepted, up to its last millisecond on both ends', () => {
    expect(offsetAt(-8.64e15, 'UTC')).toBe(0);
    expect(offsetAt(8.64e15, 'UTC')).toBe(0);
    expect(offsetAt(8.64e15 - 1, 'UTC')).toBe(0);
  });

  test.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 8.64e15 + 1, -8.64e15 - 1, '0' as unknown as number])(
    'a bad instant %p is an InputError naming the field',
    (atMs) => {
      const reason = 'is not a valid epoch time in milliseconds';
      expect(inputErrorOf(() => offsetAt(atMs, 'UTC'))).toEqual({ field: 'atMs', reason });
      expect(inputErrorOf(() => offsetAt(atMs, 'UTC', 'events[3].timestamp'))).toEqual({ field: 'events[3].timestamp', reason });
    },
  );
});

describe('assertTimeZone', () => {
  const noName = 'must be an IANA time zone name such as "America/Sao_Paulo"';
  const unknown = 'is not a known IANA time zone (e.g. "Asia/Kolkata", "UTC")';
  test.each<[string, unknown, string]>([
    ['an empty name', '', noName],
    ['a blank name', '   ', noName],
    ['a missing name (Intl would take the machine zone)', undefined, noName],
    ['a number', 330, noName],
    ['an unknown name', 'Mars/Olympus', unknown],
  ])('%s', (_what, timeZone, reason) => {
    expect(inputErrorOf(() => assertTimeZone(timeZone as string))).toEqual({ field: 'timezone', reason });
    expect(inputErrorOf(() => assertTimeZone(timeZone as string, 'wabas[0].timezone'))).toEqual({ field: 'wabas[0].timezone', reason });
  });

  test('offsetAt names the zone "timezone"', () => {
    expect(inputErrorOf(() => offsetAt(0, 'Mars/Olympus'))).toEqual({ field: 'timezone', reason: unknown });
  });
});
