import { buildAllocationFrames } from './allocation-frames';

const T = Date.UTC(2026, 2, 1);
const res = (rows: unknown[]) => ({ source: 'meta', interval: 'month', rows, problems: [] });
const total = (market: string, category: string, cost: string | null, currency = 'USD') => ({
  time: T,
  bucket: '2026-03',
  currency,
  market,
  category,
  messages: 0,
  billable: 0,
  cost,
});
const units = (group: string | null, market: string, category: string, billable: number) => ({
  time: T,
  bucket: '2026-03',
  currency: 'USD',
  group,
  market,
  category,
  messages: billable,
  billable,
  cost: '0',
});

describe('buildAllocationFrames', () => {
  it('splits each market x category total by billed units and keeps the exact total', () => {
    const totals = res([total('Brazil', 'marketing', '10.00'), total('India', 'utility', '1.00'), total('Mexico', 'marketing', '2.50')]);
    const usage = res([
      units('spring', 'Brazil', 'marketing', 1),
      units('summer', 'Brazil', 'marketing', 2),
      units('spring', 'India', 'utility', 3),
      units(null, 'India', 'utility', 1),
    ]);
    const [f, ...rest] = buildAllocationFrames(totals, usage, { refId: 'A', dimension: 'group' });
    expect(rest).toEqual([]);
    expect(f!.name).toBe('Cost by Group');
    // Brazil 10.00 over 1:2 -> 3.333333 / 6.666667 (largest remainder); India 1.00 over 3:1 -> .75/.25;
    // Mexico has no billed units anywhere: kept as Unattributed, never dropped.
    expect(f!.fields.map((x) => [x.name, x.values])).toEqual([
      ['Group', ['summer', 'spring', 'Unattributed', 'No group']],
      ['Billed units', [2, 4, 0, 1]],
      ['Cost', [6.666667, 4.083333, 2.5, 0.25]],
    ]);
    expect(f!.fields[2]!.config.unit).toBe('currencyUSD');
    const sumMicros = (f!.fields[2]!.values as number[]).reduce((s, v) => s + Math.round(v * 1e6), 0);
    expect(sumMicros).toBe(13_500_000);
  });

  it('adds totals of several months and reports totals without a cost', () => {
    const totals = res([total('Brazil', 'marketing', '1.00'), total('Brazil', 'marketing', '2.00'), total('India', 'utility', null)]);
    const [f] = buildAllocationFrames(totals, res([units('a', 'Brazil', 'marketing', 5)]), { refId: 'A', dimension: 'phone' });
    expect(f!.name).toBe('Cost by Phone');
    expect(f!.fields[2]!.values).toEqual([3]);
    expect(f!.meta?.notices?.[0]?.text).toBe('1 total(s) without a known cost were left out');
  });

  it('rejects a units response that is not a usage response', () => {
    expect(() => buildAllocationFrames(res([]), { rows: 'x' }, { refId: 'A', dimension: 'group' })).toThrow(/^units/);
  });
});

describe('allocation frames: currencies, ties, names and notices', () => {
  const byWaba = (wabaId: string, currency: string, billable: number, pricingType = 'regular') => ({
    ...units(null, 'Brazil', 'marketing', billable),
    wabaId,
    currency,
    pricingType,
  });

  it('one table per currency (named by it), notices on the first only, equal costs in name order', () => {
    const totals = res([
      total('Brazil', 'marketing', '1.00'),
      total('Brazil', 'marketing', '2.00', 'BRL'),
      total('India', 'utility', null),
    ]);
    // USD 1.00 over W2 and W1 1:1 -> 0.50 each; BRL 2.00 over W1 and W2 1:1 -> 1.00 each. Both are
    // listed W1 then W2, whichever came first (sorting ties of either order by name).
    const usage = res([byWaba('W2', 'USD', 1), byWaba('W1', 'USD', 1), byWaba('W1', 'BRL', 1), byWaba('W2', 'BRL', 1)]);
    const frames = buildAllocationFrames(totals, usage, { refId: 'A', dimension: 'waba' });
    expect(frames.map((f) => [f.name, f.refId, f.meta])).toEqual([
      ['Cost by WABA · BRL', 'A', { notices: [{ severity: 'warning', text: '1 total(s) without a known cost were left out' }] }],
      ['Cost by WABA · USD', 'A', undefined],
    ]);
    expect(frames.map((f) => f.fields.map((x) => [x.name, [...x.values], x.config]))).toEqual([
      [
        ['WABA', ['W1', 'W2'], {}],
        ['Billed units', [1, 1], { unit: 'none', decimals: 0 }],
        ['Cost', [1, 1], { unit: 'currencyBRL', decimals: 2 }],
      ],
      [
        ['WABA', ['W1', 'W2'], {}],
        ['Billed units', [1, 1], { unit: 'none', decimals: 0 }],
        ['Cost', [0.5, 0.5], { unit: 'currencyUSD', decimals: 2 }],
      ],
    ]);
  });

  it('the dimension names a table by pricing type; a bad total names its field', () => {
    const [f] = buildAllocationFrames(res([total('Brazil', 'marketing', '1.00')]), res([byWaba('W1', 'USD', 1)]), {
      refId: 'A',
      dimension: 'pricing_type',
    });
    expect([f!.name, f!.fields[0]!.name]).toEqual(['Cost by Pricing type', 'Pricing type']);
    expect(() => buildAllocationFrames({ rows: 'x' }, res([]), { refId: 'A', dimension: 'group' })).toThrow(/^totals\./);
    expect(() => buildAllocationFrames(res([total('Brazil', 'marketing', 'abc')]), res([]), { refId: 'A', dimension: 'group' })).toThrow(
      /^totals\.rows\[0\]\.cost/,
    );
  });
});
