import { maxOf, median, percentile } from '../../bench/stats';

describe('bench statistics', () => {
  it("takes the max of a 300 s load's worth of samples (a spread into Math.max overflowed the stack)", () => {
    const samples = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_003);
    samples[654_321] = 2_000_000;
    expect(maxOf(samples)).toBe(2_000_000);
    expect(maxOf([-3, -1, -2])).toBe(-1);
    expect(maxOf([])).toBeNaN();
  });

  it('reads percentiles by rank: the p-th of 20 sorted samples is the ceil(p/5)-th', () => {
    const samples = Array.from({ length: 20 }, (_, i) => 20 - i); // 20..1
    expect(percentile(samples, 99)).toBe(20);
    expect(percentile(samples, 95)).toBe(19);
    expect(median(samples)).toBe(10);
  });
});
