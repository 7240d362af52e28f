import { currentTier, splitAcrossTiers, tierCostMicros } from './tier-ladder';
import type { Tier } from '../ratecard/tiers';

// A three-step ladder: units 1-3 at 10, 4-5 at 8, 6 and up at 5 (micro-units).
const ladder: Tier[] = [
  { lower: 1, upper: 3, rateMicros: 10n },
  { lower: 4, upper: 5, rateMicros: 8n },
  { lower: 6, upper: null, rateMicros: 5n },
];

describe('currentTier: where a running monthly count stands (the /tiers panel)', () => {
  test.each([
    // units so far -> the next unit is number so far + 1
    [0, { lower: 1, upper: 3, rateMicros: 10n, remainingToNext: 3 }], // units 1, 2, 3 left at the first tier
    [2, { lower: 1, upper: 3, rateMicros: 10n, remainingToNext: 1 }],
    [3, { lower: 4, upper: 5, rateMicros: 8n, remainingToNext: 2 }], // unit 4 is the second tier's first; 4 and 5 left
    [4, { lower: 4, upper: 5, rateMicros: 8n, remainingToNext: 1 }],
    [5, { lower: 6, upper: null, rateMicros: 5n, remainingToNext: null }], // the open last tier
    [1_000_000, { lower: 6, upper: null, rateMicros: 5n, remainingToNext: null }],
  ])('%d units so far', (unitsSoFar, expected) => {
    expect(currentTier(ladder, unitsSoFar)).toEqual(expected);
  });

  test('past the end of a ladder with no open tier there is no tier', () => {
    const closed = ladder.slice(0, 2);
    expect(currentTier(closed, 4)).toEqual({ lower: 4, upper: 5, rateMicros: 8n, remainingToNext: 1 });
    expect(currentTier(closed, 5)).toBeNull();
    expect(currentTier([], 0)).toBeNull();
  });
});

describe('tierCostMicros: the cost of splitAcrossTiers without the split', () => {
  test('by hand: units 3..7 of the ladder', () => {
    // before = 2: units 3 (tier 1 @10), 4-5 (tier 2 @8), 6-7 (tier 3 @5) = 10 + 16 + 10
    expect(tierCostMicros(ladder, 2, 5)).toBe(36n);
    expect(splitAcrossTiers(ladder, 2, 5).costMicros).toBe(36n);
  });

  test('equals the split cost for every start and count up to 12, on an open and a closed ladder', () => {
    for (const l of [ladder, ladder.slice(0, 2)])
      for (let before = 0; before <= 12; before += 1)
        for (let units = 0; units <= 12; units += 1)
          expect([before, units, tierCostMicros(l, before, units)]).toEqual([before, units, splitAcrossTiers(l, before, units).costMicros]);
  });
});
