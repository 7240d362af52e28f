import { inputErrorOf } from '../test-fixtures/input-error-of';
import type { UsageRow } from '../model/usage';
import { assertUsageRows } from './validate-rows';

const good: UsageRow = {
  day: '2026-10-05',
  wabaId: 'w1',
  portfolioId: 'p1',
  currency: 'USD',
  market: 'India',
  category: 'utility',
  pricingType: 'regular',
  pricingModel: 'PMP',
  units: 3,
} as UsageRow;

const errorOf = (rows: unknown, field?: string) => inputErrorOf(() => assertUsageRows(rows as UsageRow[], field));

describe('assertUsageRows: a bad row is an InputError naming rows[i].field', () => {
  test('good rows pass, including zero units and a category Meta may add later (kept, reported by the pricer)', () => {
    expect(errorOf([good, { ...good, units: 0 }, { ...good, category: 'meta_business_agent', pricingType: 'new_type' }])).toBeNull();
  });

  test('not an array', () => {
    expect(errorOf({ rows: [] })).toEqual({ field: 'rows', reason: 'must be an array of usage rows' });
    expect(errorOf('x', 'input.rows')).toEqual({ field: 'input.rows', reason: 'must be an array of usage rows' });
  });

  test.each([null, 'row', 7])('a row that is %p', (bad) => {
    expect(errorOf([good, bad])).toEqual({ field: 'rows[1]', reason: 'is not a usage row' });
  });

  const cases: [string, Partial<Record<keyof UsageRow, unknown>>, string][] = [
    ['units', { units: -1 }, 'must be a whole number >= 0'],
    ['units', { units: 1.5 }, 'must be a whole number >= 0'],
    ['units', { units: Number.NaN }, 'must be a whole number >= 0'],
    ['units', { units: '3' }, 'must be a whole number >= 0'],
    ['category', { category: 'Marketing' }, 'must be a pricing category in lower snake case'],
    ['category', { category: '' }, 'must be a pricing category in lower snake case'],
    ['pricingType', { pricingType: 'Regular' }, 'must be a pricing type in lower snake case'],
    ['pricingModel', { pricingModel: 'XYZ' }, 'must be CBP or PMP'],
    ['wabaId', { wabaId: '' }, 'must be a non-empty string'],
    ['portfolioId', { portfolioId: undefined }, 'must be a non-empty string'],
    ['currency', { currency: '' }, 'must be a non-empty string'],
    ['market', { market: 42 }, 'must be a non-empty string'],
  ];
  test.each(cases)('%s: %p', (field, change, reason) => {
    // The bad row comes after a good one with the same day and category, so nothing it shares is re-checked.
    expect(errorOf([good, { ...good, ...change }], 'input')).toEqual({ field: `input[1].${field}`, reason });
  });

  test('a bad day is named, also after good rows on other days', () => {
    expect(errorOf([good, { ...good, day: '2026-10-06' }, { ...good, day: '2026-13-01' }])).toMatchObject({ field: 'rows[2].day' });
  });
});
