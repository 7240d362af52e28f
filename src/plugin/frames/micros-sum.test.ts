import { MicrosSum } from './micros-sum';

describe('MicrosSum: exact sums of micro-units', () => {
  test('small amounts, negative ones included', () => {
    const s = new MicrosSum();
    for (const m of [1_180n, 14_000n, -500n, 0n]) s.add(m);
    expect(s.total).toBe(14_680n);
  });

  test('past 2^53 the sum stays exact (a double would round 2^53 + 1)', () => {
    const s = new MicrosSum();
    s.add(9_007_199_254_740_991n); // 2^53 - 1
    s.add(2n);
    expect(s.total).toBe(9_007_199_254_740_993n);
    s.add(-9_007_199_254_740_993n);
    expect(s.total).toBe(0n);
  });

  test('an amount beyond 2^53 on its own is kept exactly', () => {
    const s = new MicrosSum();
    s.add(3n);
    s.add(123_456_789_012_345_678_901n);
    expect(s.total).toBe(123_456_789_012_345_678_904n);
  });
});
