import { currentTier } from './tier-ladder';
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
