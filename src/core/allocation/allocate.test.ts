import { InputError } from '../errors';
import { inputErrorOf } from '../test-fixtures/input-error-of';
import { allocate } from './allocate';
import { allocateByMarketCategory } from './by-market-category';

const micros = (list: { micros: bigint }[]) => list.map((a) => a.micros);

describe('allocate (largest remainder)', () => {
  test.each([
    // total, weights, parts
    [100n, [1, 1, 1], [34n, 33n, 33n]],
    [100n, [3, 3, 3], [34n, 33n, 33n]],
    [10n, [1, 2, 3, 4], [1n, 2n, 3n, 4n]],
    [7n, [1, 1], [4n, 3n]],
    [1_000_000n, [333, 333, 334], [333_000n, 333_000n, 334_000n]],
    [2n, [1, 1, 1], [1n, 1n, 0n]],
    [-100n, [1, 1, 1], [-34n, -33n, -33n]],
    [5n, [0, 0], [3n, 2n]],
    [0n, [5, 0], [0n, 0n]],
    // Unequal remainders: 10 x (1, 5, 7) / 13 = 0 r10, 3 r11, 5 r5 -> 2 left over go to r11 and r10, not to the largest weight.
    [10n, [1, 5, 7], [1n, 4n, 5n]],
    // 5 x (2, 3, 4) / 9 = 1 r1, 1 r6, 2 r2 -> the 1 left over goes to r6 (weight 3).
    [5n, [2, 3, 4], [1n, 2n, 2n]],
    // 100 x (7, 2, 2) / 11 = 63 r7, 18 r2, 18 r2 -> 1 left over to r7; -100 mirrors it.
    [100n, [7, 2, 2], [64n, 18n, 18n]],
    [-100n, [7, 2, 2], [-64n, -18n, -18n]],
  ])('%s over %j -> %j', (total, weights, parts) => {
    const result = allocate(
      total,
      weights.map((w, i) => ({ key: `k${i}`, weight: w })),
    );
    expect(micros(result)).toEqual(parts);
    expect(result.reduce((s, a) => s + a.micros, 0n)).toBe(total);
  });

  test('ties go to the larger weight, then the smaller key, whatever the input order', () => {
    const a = allocate(2n, [
      { key: 'b', weight: 1 },
      { key: 'a', weight: 1 },
      { key: 'c', weight: 1 },
    ]);
    expect(a.map((x) => [x.key, x.micros])).toEqual([
      ['b', 1n],
      ['a', 1n],
      ['c', 0n],
    ]);
    const b = allocate(2n, [
      { key: 'c', weight: 1 },
      { key: 'b', weight: 1 },
      { key: 'a', weight: 1 },
    ]);
    expect(b.map((x) => [x.key, x.micros])).toEqual([
      ['c', 0n],
      ['b', 1n],
      ['a', 1n],
    ]);
  });

  test('always sums exactly (many random splits)', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let t = 0; t < 300; t += 1) {
      const total = BigInt(Math.floor(rand() * 1e12));
      const shares = Array.from({ length: 1 + Math.floor(rand() * 12) }, (_, i) => ({ key: `g${i}`, weight: Math.floor(rand() * 1e6) }));
      expect(allocate(total, shares).reduce((s, a) => s + a.micros, 0n)).toBe(total);
    }
  });

  test('bad input', () => {
    expect(() => allocate(5n, [])).toThrow(InputError);
    expect(() => allocate(5n, [{ key: 'a', weight: -1 }])).toThrow(/^shares\[0\]\.weight/);
    expect(() => allocate(5n, [{ key: 'a', weight: 0.5 }])).toThrow(InputError);
    expect(() => allocate(5 as never, [{ key: 'a', weight: 1 }])).toThrow(/^totalMicros/);
  });
});

describe('allocateByMarketCategory', () => {
  test('each market x category total is split over its groups by billed units, summing exactly', () => {
    const result = allocateByMarketCategory(
      [
        { currency: 'USD', market: 'India', category: 'marketing', costMicros: 1_000_000n },
        { currency: 'USD', market: 'Brazil', category: 'marketing', costMicros: 625_000n },
        { currency: 'USD', market: 'India', category: 'utility', costMicros: 14_000n },
      ],
      [
        { group: 'spring-sale', currency: 'USD', market: 'India', category: 'marketing', units: 2 },
        { group: 'win-back', currency: 'USD', market: 'India', category: 'marketing', units: 1 },
        { group: 'spring-sale', currency: 'USD', market: 'Brazil', category: 'marketing', units: 10 },
        { group: 'spring-sale', currency: 'USD', market: 'India', category: 'marketing', units: 0 },
        { group: 'win-back', currency: 'USD', market: 'India', category: 'utility', units: 0 },
      ],
    );
    expect(result.map((r) => [r.market, r.category, r.group, r.units, r.costMicros])).toEqual([
      ['India', 'marketing', 'spring-sale', 2, 666_667n],
      ['India', 'marketing', 'win-back', 1, 333_333n],
      ['Brazil', 'marketing', 'spring-sale', 10, 625_000n],
      ['India', 'utility', null, 0, 14_000n],
    ]);
  });
});

describe('allocate: mutation-testing gaps (exact values by hand)', () => {
  const thrown = (run: () => unknown): InputError => {
    try {
      run();
    } catch (e) {
      if (e instanceof InputError) return e;
      throw e;
    }
    throw new Error('nothing thrown');
  };

  test('equal remainders go to the larger weight, before the key, whichever comes first', () => {
    // 3 x (1, 3, 2) / 6 = 0 r3, 1 r3, 1 r0: one micro left over, a tie of r3 between weights 1 and 3.
    // Weight 3 takes it although its key sorts after; the same with the weights the other way round.
    const pick = (shares: { key: string; weight: number }[]) => allocate(3n, shares).map((x) => [x.key, x.micros]);
    expect(
      pick([
        { key: 'a', weight: 1 },
        { key: 'b', weight: 3 },
        { key: 'c', weight: 2 },
      ]),
    ).toEqual([
      ['a', 0n],
      ['b', 2n],
      ['c', 1n],
    ]);
    expect(
      pick([
        { key: 'a', weight: 3 },
        { key: 'b', weight: 1 },
        { key: 'c', weight: 2 },
      ]),
    ).toEqual([
      ['a', 2n],
      ['b', 0n],
      ['c', 1n],
    ]);
  });

  test('shares equal in remainder, weight and key: the earlier one takes the leftover', () => {
    // 1 x (1, 1) / 2 = 0 r1 each: the one micro goes to the first share.
    expect(
      allocate(1n, [
        { key: 'x', weight: 1 },
        { key: 'x', weight: 1 },
      ]).map((x) => x.micros),
    ).toEqual([1n, 0n]);
  });

  test('bigint weights, 0n included', () => {
    // 3 x (0, 2) / 2 = 0 and 3: all to the second share.
    expect(
      allocate(3n, [
        { key: 'a', weight: 0n },
        { key: 'b', weight: 2n },
      ]).map((x) => [x.weight, x.micros]),
    ).toEqual([
      [0n, 0n],
      [2n, 3n],
    ]);
  });

  test('a zero total over no shares is no parts', () => {
    expect(allocate(0n, [])).toEqual([]);
  });

  test('bad input: the exact field, value and reason', () => {
    const weight = { field: 'shares[1].weight', reason: 'must be a whole number >= 0' };
    const negative = thrown(() =>
      allocate(5n, [
        { key: 'a', weight: 1 },
        { key: 'b', weight: -1 },
      ]),
    );
    expect([negative.field, negative.value, negative.reason]).toEqual([weight.field, -1, weight.reason]);
    // A bigint is shown as its digits (JSON has no bigint).
    const big = thrown(() =>
      allocate(5n, [
        { key: 'a', weight: 1n },
        { key: 'b', weight: -1n },
      ]),
    );
    expect([big.field, big.value, big.reason]).toEqual([weight.field, '-1', weight.reason]);
    expect(inputErrorOf(() => allocate(5 as never, [{ key: 'a', weight: 1 }]))).toEqual({
      field: 'totalMicros',
      reason: 'must be a bigint amount of micro-units',
    });
    expect(inputErrorOf(() => allocate(5n, null as never))).toEqual({ field: 'shares', reason: 'must be an array of { key, weight }' });
    const empty = thrown(() => allocate(5n, []));
    expect([empty.field, empty.value, empty.reason]).toEqual(['shares', [], 'cannot be empty when the total is not zero']);
  });
});
