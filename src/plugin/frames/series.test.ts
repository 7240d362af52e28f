import { formatLabelValue, splitSeries } from './series';

describe('formatLabelValue (what a legend shows for a wire value)', () => {
  test('a missing value: "No group" for groups, "Unknown" elsewhere, whether null, undefined or empty', () => {
    expect(['', null, undefined].map((v) => formatLabelValue('group', v))).toEqual(['No group', 'No group', 'No group']);
    expect(['', null, undefined].map((v) => formatLabelValue('phone', v))).toEqual(['Unknown', 'Unknown', 'Unknown']);
  });

  test("categories, pricing types and directions read as words (Meta's new values too); other dimensions as sent", () => {
    expect(formatLabelValue('category', 'marketing_lite')).toBe('Marketing lite');
    expect(formatLabelValue('category', 'brand_new_category')).toBe('Brand new category');
    expect(formatLabelValue('pricing_type', 'free_entry_point')).toBe('Free entry point');
    expect(formatLabelValue('pricing_type', 'new_free_type')).toBe('New free type');
    expect(formatLabelValue('direction', 'user_initiated')).toBe('User-initiated');
    expect(formatLabelValue('direction', 'new_direction')).toBe('New direction');
    expect(formatLabelValue('country', 'some_place')).toBe('some_place');
    expect(formatLabelValue('waba', 'waba_1')).toBe('waba_1');
  });
});

describe('splitSeries', () => {
  test('a missing dimension value is an empty label and a readable name; series sorted by name', () => {
    const rows = [
      { currency: 'USD', group: null, category: 'utility' },
      { currency: 'USD', group: 'spring', category: 'utility' },
    ];
    const series = splitSeries(rows, ['group', 'category'], 'Cost');
    expect(series.map((s) => [s.name, s.labels, s.rows.length])).toEqual([
      ['No group · Utility', { group: '', category: 'utility' }, 1],
      ['spring · Utility', { group: 'spring', category: 'utility' }, 1],
    ]);
    expect(splitSeries(rows, [], 'Cost').map((s) => [s.name, s.labels, s.rows.length])).toEqual([['Cost', {}, 2]]);
  });
});
