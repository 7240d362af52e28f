import { InputError } from './errors';

describe('InputError: the message names the field, the value and the reason', () => {
  test('an Error named InputError, with field, value and reason kept', () => {
    const e = new InputError('day', '2026-13-01', 'is not a real calendar date');
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.message, e.field, e.value, e.reason]).toEqual([
      'InputError',
      'day: "2026-13-01" is not a real calendar date',
      'day',
      '2026-13-01',
      'is not a real calendar date',
    ]);
  });

  test('a missing value reads (missing)', () => {
    expect(new InputError('currency', undefined, 'is required').message).toBe('currency: (missing) is required');
  });

  test('a text of 80 characters is quoted whole; from 81 it is cut to its first 77 and an ellipsis', () => {
    const eighty = 'a'.repeat(80);
    expect(new InputError('f', eighty, 'r').message).toBe(`f: "${eighty}" r`);
    expect(new InputError('f', `${'b'.repeat(77)}cdef`, 'r').message).toBe(`f: "${'b'.repeat(77)}..." r`);
  });

  test('other values are written as JSON, cut the same way', () => {
    expect(new InputError('f', { a: 1 }, 'r').message).toBe('f: {"a":1} r');
    // Ten 1000000s: 10 x 7 digits + 9 commas + 2 brackets = 81 characters; the first 77 are "[",
    // nine "1000000," (72) and "1000".
    const list = Array.from({ length: 10 }, () => 1_000_000);
    expect(new InputError('f', list, 'r').message).toBe(`f: [${'1000000,'.repeat(9)}1000... r`);
    // Nine of them are 73 characters: whole.
    expect(new InputError('f', list.slice(1), 'r').message).toBe(`f: [${'1000000,'.repeat(8)}1000000] r`);
  });
});
