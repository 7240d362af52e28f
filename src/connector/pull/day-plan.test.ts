import { planDays } from './day-plan';

const base = { today: '2026-11-20', backfillDays: 90, repullDays: 3, lookbackDays: 365, maxDaysPerRequest: 31 };

test('first pull: from backfill start to yesterday, in chunks', () => {
  expect(planDays({ ...base, cursor: null, backfillDays: 40 })).toEqual([
    { from: '2026-10-11', to: '2026-11-10' },
    { from: '2026-11-11', to: '2026-11-19' },
  ]);
});

test('an absolute backfill start wins over the day count', () => {
  expect(planDays({ ...base, cursor: null, backfillFrom: '2026-11-15' })).toEqual([{ from: '2026-11-15', to: '2026-11-19' }]);
});

test('next pulls re-read the last 3 complete days, or from the cursor when it is older', () => {
  expect(planDays({ ...base, cursor: '2026-11-19' })).toEqual([{ from: '2026-11-17', to: '2026-11-19' }]);
  expect(planDays({ ...base, cursor: '2026-11-10' })).toEqual([{ from: '2026-11-11', to: '2026-11-19' }]);
  expect(planDays({ ...base, cursor: '2026-11-19', repullDays: 1 })).toEqual([{ from: '2026-11-19', to: '2026-11-19' }]);
});

test("never today, never before the lookback, only inside the source's era", () => {
  expect(planDays({ ...base, cursor: null, backfillDays: 5000, maxDaysPerRequest: 400 })).toEqual([
    { from: '2025-11-21', to: '2026-11-19' },
  ]);
  expect(planDays({ ...base, cursor: null, maxDay: '2025-06-30' })).toEqual([]);
  expect(planDays({ ...base, today: '2025-07-03', cursor: null, backfillDays: 10, maxDay: '2025-06-30' })).toEqual([
    { from: '2025-06-23', to: '2025-06-30' },
  ]);
  expect(planDays({ ...base, today: '2025-07-03', cursor: null, backfillDays: 10, minDay: '2025-07-01' })).toEqual([
    { from: '2025-07-01', to: '2025-07-02' },
  ]);
  expect(planDays({ ...base, today: '2026-11-20', cursor: '2026-11-19', minDay: '2026-11-20' })).toEqual([]);
});
