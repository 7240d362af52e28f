import { buildReconciliationFrames, buildTiersFrame } from './reconciliation-frames';

const T1 = Date.UTC(2026, 2, 1);
const T2 = Date.UTC(2026, 2, 2);
const rec = (time: number, category: string, est: string | null, meta: string | null, metaUnits: number | null) => ({
  time,
  day: 'd',
  currency: 'USD',
  category,
  estimateUnits: 10,
  metaUnits,
  estimateCost: est,
  metaCost: meta,
});

describe('buildReconciliationFrames', () => {
  it('shows both figures and their exact difference, null while Meta has not reported', () => {
    const body = { rows: [rec(T2, 'utility', '0.30', null, null), rec(T1, 'utility', '0.30', '0.1', 9)], problems: [] };
    const [f] = buildReconciliationFrames(body, ['category', 'country'], 'R');
    expect(f!.name).toBe('Utility');
    expect(f!.fields.map((x) => [x.name, x.values])).toEqual([
      ['Time', [T1, T2]],
      ['Estimate units', [10, 10]],
      ['Meta units', [9, null]],
      ['Estimate cost', [0.3, 0.3]],
      ['Meta cost', [0.1, null]],
      // 0.3 - 0.1 in floats is 0.19999999999999998; micros give 0.2
      ['Difference', [0.2, null]],
    ]);
    expect(f!.fields[5]!.config).toMatchObject({ unit: 'currencyUSD', displayNameFromDS: 'Utility difference' });
  });
});

describe('buildTiersFrame', () => {
  it('lists tier state sorted, with open-ended last tiers', () => {
    const row = (market: string, lower: number, upper: number | null, remaining: number | null, metaTier: string | null) => ({
      portfolioId: 'p1',
      market,
      category: 'utility',
      month: '2026-03',
      units: 1200,
      tierLower: lower,
      tierUpper: upper,
      remaining,
      metaTier,
    });
    const f = buildTiersFrame({ rows: [row('India', 1000, 5000, 3800, 'TIER_2'), row('Brazil', 100000, null, null, null)] }, 'T');
    expect(f.fields.map((x) => [x.name, x.values])).toEqual([
      ['Portfolio', ['p1', 'p1']],
      ['Market', ['Brazil', 'India']],
      ['Category', ['Utility', 'Utility']],
      ['Month', ['2026-03', '2026-03']],
      ['Billed units', [1200, 1200]],
      ['Tier', ['100000+', '1000–5000']],
      ['Units to next tier', [null, 3800]],
      ['Meta tier', ['', 'TIER_2']],
    ]);
  });

  it('rejects rows missing the tier bounds', () => {
    expect(() => buildTiersFrame({ rows: [{ portfolioId: 'p' }] }, 'T')).toThrow(/^tiers\.rows\[0\]/);
  });
});

describe('reconciliation frames: every field and notice as Grafana reads them', () => {
  const body = {
    rows: [rec(T1, 'utility', '0.30', '0.1', 9), rec(T1, 'marketing', '1.00', '1.00', 10)],
    problems: [{ code: 'no_rate', message: 'no rate for Other' }],
  };

  it('grouped by category (country dropped): labelled series, money with decimals, counts without, notices once', () => {
    const frames = buildReconciliationFrames(body, ['country', 'category'], 'R');
    expect(frames.map((f) => [f.name, f.refId, f.meta])).toEqual([
      ['Marketing', 'R', { notices: [{ severity: 'warning', text: 'no_rate: no rate for Other' }] }],
      ['Utility', 'R', undefined],
    ]);
    expect(frames[1]!.fields.slice(1).map((x) => [x.labels, x.config])).toEqual([
      [{ category: 'utility' }, { unit: 'none', displayNameFromDS: 'Utility estimate units' }],
      [{ category: 'utility' }, { unit: 'none', displayNameFromDS: 'Utility meta units' }],
      [{ category: 'utility' }, { unit: 'currencyUSD', decimals: 2, displayNameFromDS: 'Utility estimate cost' }],
      [{ category: 'utility' }, { unit: 'currencyUSD', decimals: 2, displayNameFromDS: 'Utility meta cost' }],
      [{ category: 'utility' }, { unit: 'currencyUSD', decimals: 2, displayNameFromDS: 'Utility difference' }],
    ]);
  });

  it('grouped by WABA: a series per WABA, labelled and named by it (a figure per WABA, not their sum)', () => {
    const rows = [
      { ...rec(T1, 'utility', '0.30', '0.1', 9), wabaId: 'W2' },
      { ...rec(T1, 'utility', '0.50', '0.5', 10), wabaId: 'W1' },
    ];
    const frames = buildReconciliationFrames({ rows, problems: [] }, ['waba', 'country'], 'R');
    expect(frames.map((f) => [f.name, f.fields[1]!.labels, f.fields[3]!.values, f.fields[5]!.values])).toEqual([
      ['W1', { waba: 'W1' }, [0.5], [0]],
      ['W2', { waba: 'W2' }, [0.3], [0.2]],
    ]);
    expect(frames[1]!.fields[5]!.config.displayNameFromDS).toBe('W2 difference');
  });

  it('ungrouped: one series named for the kind, fields named by their metric alone; a bad amount names its field', () => {
    const [f, ...rest] = buildReconciliationFrames({ ...body, problems: [] }, [], 'R');
    expect(rest).toEqual([]);
    expect(f!.name).toBe('Reconciliation');
    expect(f!.meta).toBeUndefined();
    expect(f!.fields.slice(1).map((x) => x.config.displayNameFromDS)).toEqual([
      'Estimate units',
      'Meta units',
      'Estimate cost',
      'Meta cost',
      'Difference',
    ]);
    expect(() => buildReconciliationFrames({ rows: [rec(T1, 'utility', 'x', null, null)], problems: [] }, [], 'R')).toThrow(
      'reconciliation.rows[0].estimateCost: "x" is not a decimal amount',
    );
    // Without an estimate there is no difference to compute: the Meta cost column is what refuses it.
    expect(() => buildReconciliationFrames({ rows: [rec(T1, 'utility', null, 'y', null)], problems: [] }, [], 'R')).toThrow(
      'reconciliation.rows[0].metaCost: "y" is not a decimal amount',
    );
    expect(() => buildReconciliationFrames({ rows: 'x', problems: [] }, [], 'R')).toThrow(/^reconciliation\.rows/);
    // Both present: the exact difference is what reads them first.
    expect(() => buildReconciliationFrames({ rows: [rec(T1, 'utility', 'x', '1', 9)], problems: [] }, [], 'R')).toThrow(
      /^reconciliation\.rows\[0\]\.estimateCost: /,
    );
    expect(() => buildReconciliationFrames({ rows: [rec(T1, 'utility', '1', 'y', 9)], problems: [] }, [], 'R')).toThrow(
      /^reconciliation\.rows\[0\]\.metaCost: /,
    );
  });

  it('the tier table: its name, and counts without decimals', () => {
    const f = buildTiersFrame({ rows: [] }, 'T');
    expect(f.name).toBe('Volume tiers');
    expect(f.fields.filter((x) => x.type === 'number').map((x) => [x.name, x.config])).toEqual([
      ['Billed units', { unit: 'none', decimals: 0 }],
      ['Units to next tier', { unit: 'none', decimals: 0 }],
    ]);
  });
});
