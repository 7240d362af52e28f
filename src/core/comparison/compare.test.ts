import { InputError } from '../errors';
import { inputErrorOf } from '../test-fixtures/input-error-of';
import { compareValues, previousDays, previousPeriod } from './compare';

describe('previous period of equal length', () => {
  test('epoch ranges', () => {
    const from = Date.parse('2026-03-08T03:00:00Z');
    const to = Date.parse('2026-03-15T03:00:00Z');
    expect(previousPeriod({ fromMs: from, toMs: to })).toEqual({ fromMs: Date.parse('2026-03-01T03:00:00Z'), toMs: from });
  });

  test.each([
    ['2026-03-01', '2026-03-31', '2026-01-29', '2026-02-28'],
    ['2026-03-15', '2026-03-15', '2026-03-14', '2026-03-14'],
    ['2024-03-01', '2024-03-07', '2024-02-23', '2024-02-29'],
  ])('days %s..%s -> %s..%s', (from, to, pf, pt) => {
    expect(previousDays(from, to)).toEqual({ fromDay: pf, toDay: pt });
  });

  test('bad ranges', () => {
    expect(() => previousPeriod({ fromMs: 10, toMs: 10 })).toThrow(/^toMs/);
    expect(() => previousPeriod({ fromMs: Number.NaN, toMs: 10 })).toThrow(InputError);
    expect(() => previousDays('2026-03-02', '2026-03-01')).toThrow(/^toDay/);
  });
});

describe('compareValues', () => {
  test.each([
    [120, 100, 20, 20],
    [80, 100, -20, -20],
    [5, 0, 5, null],
    [0, 0, 0, null],
    [-50, -100, 50, 50],
  ])('%d vs %d', (current, previous, change, pct) => {
    const c = compareValues(current, previous);
    expect(c.change).toBe(change);
    if (pct === null) expect(c.changePct).toBeNull();
    else expect(c.changePct).toBeCloseTo(pct, 10);
  });

  test('bigint micro-units stay exact', () => {
    expect(compareValues(1_500_000_000_000_001n, 1_000_000_000_000_000n)).toEqual({
      current: 1_500_000_000_000_001n,
      previous: 1_000_000_000_000_000n,
      change: 500_000_000_000_001n,
      changePct: 50.0000000000001,
    });
    expect(() => compareValues(1n as never, 1 as never)).toThrow(InputError);
  });
});

describe('bad input: the exact field and reason', () => {
  test('previousPeriod', () => {
    expect(inputErrorOf(() => previousPeriod({ fromMs: Number.NaN, toMs: 10 }))).toEqual({
      field: 'fromMs',
      reason: 'must be epoch milliseconds',
    });
    expect(inputErrorOf(() => previousPeriod({ fromMs: 0, toMs: Number.POSITIVE_INFINITY }))).toEqual({
      field: 'toMs',
      reason: 'must be epoch milliseconds',
    });
    expect(inputErrorOf(() => previousPeriod({ fromMs: 10, toMs: 10 }))).toEqual({ field: 'toMs', reason: 'must be after fromMs' });
  });

  test('previousDays', () => {
    expect(inputErrorOf(() => previousDays('2026-03-02', '2026-03-01'))).toEqual({ field: 'toDay', reason: 'must not be before fromDay' });
  });

  test('compareValues: mixed types, and a non-finite number on either side', () => {
    expect(inputErrorOf(() => compareValues(1n as never, 1 as never))).toEqual({
      field: 'previous',
      reason: 'must be the same type as current',
    });
    const finite = { field: 'current', reason: 'and previous must be finite numbers' };
    expect(inputErrorOf(() => compareValues(Number.NaN, 1))).toEqual(finite);
    expect(inputErrorOf(() => compareValues(1, Number.POSITIVE_INFINITY))).toEqual(finite);
  });
});
