import { inputErrorOf } from '../test-fixtures/input-error-of';
import { currencyDigits, divRound, formatMicros, microsToNumber, parseMicros, roundToMinor, toCurrency } from './money';

describe('currencies', () => {
  test('minor-unit digits whatever the case: JPY and CLP have none, USD two, an unknown code two', () => {
    expect(['jpy', 'clp', 'usd', 'xyz'].map(currencyDigits)).toEqual([0, 0, 2, 2]);
  });

  test('toCurrency trims and upper-cases; a bad code names the default field', () => {
    expect(toCurrency(' usd ')).toBe('USD');
    expect(inputErrorOf(() => toCurrency('US'))).toEqual({ field: 'currency', reason: 'is not an ISO 4217 currency code (three letters)' });
  });
});

describe('parseMicros: exact decimal text to micro-units', () => {
  test.each([
    ['12', 12_000_000n],
    [' 12.5 ', 12_500_000n],
    ['1,234.5', 1_234_500_000n],
    ['0.123456', 123_456n],
    ['0.12345600', 123_456n], // trailing zeros beyond the 6th decimal are not precision
    ['-0.0085', -8_500n],
  ])('%j -> %s', (text, micros) => {
    expect(parseMicros(text, 'rate')).toBe(micros);
  });

  test('a 7th significant decimal is refused, not rounded', () => {
    expect(inputErrorOf(() => parseMicros('0.1234567', 'rate'))).toEqual({ field: 'rate', reason: 'has more than 6 decimal places' });
  });
});

describe('rounding and formatting', () => {
  test('divRound refuses a zero denominator with its own message', () => {
    expect(() => divRound(1n, 0n)).toThrow(new RangeError('denominator must be positive'));
  });

  test('roundToMinor: to the cent for USD, to the whole yen for JPY, half away from zero', () => {
    expect(roundToMinor(1_234_567n, 'USD')).toBe(1_230_000n);
    expect(roundToMinor(1_235_000n, 'USD')).toBe(1_240_000n);
    expect(roundToMinor(1_500_000n, 'JPY')).toBe(2_000_000n);
    expect(roundToMinor(-1_500_000n, 'JPY')).toBe(-2_000_000n);
  });

  test('formatMicros: 0 to 6 digits, negative amounts with their sign', () => {
    expect(formatMicros(1_500_000n, 0)).toBe('2');
    expect(formatMicros(-1_234_567n, 2)).toBe('-1.23');
    expect(formatMicros(-5_000n, 2)).toBe('-0.01');
    expect(formatMicros(1n, 6)).toBe('0.000001');
    expect(() => formatMicros(1n, -1)).toThrow(new RangeError('digits must be 0..6'));
    expect(() => formatMicros(1n, 7)).toThrow(new RangeError('digits must be 0..6'));
  });

  test('microsToNumber: major units for display', () => {
    expect(microsToNumber(1_500_000n)).toBe(1.5);
  });
});
