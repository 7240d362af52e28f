import { FieldType } from '@grafana/data';
import { InputError } from '@core';
import { buildUsageFrames } from './usage-frames';

const D1 = Date.UTC(2026, 2, 1, 3);
const D2 = Date.UTC(2026, 2, 2, 3);
const row = (time: number, category: string, cost: string | null, messages: number, currency = 'USD') => ({
  time,
  bucket: new Date(time).toISOString().slice(0, 10),
  currency,
  category,
  messages,
  billable: messages - 1,
  cost,
});
const body = {
  source: 'estimate',
  interval: 'day',
  rows: [row(D2, 'marketing', '2.50', 10), row(D1, 'marketing', '1.25', 5), row(D1, 'authentication_international', null, 3)],
  problems: [{ code: 'no_rate', message: 'no rate for Other' }],
};

describe('buildUsageFrames', () => {
  it('makes one frame per category with time, currency unit and readable names', () => {
    const frames = buildUsageFrames(body, 'cost', ['category'], { refId: 'A' });
    expect(frames.map((f) => f.name)).toEqual(['Authentication international', 'Marketing']);
    const m = frames[1]!;
    expect(m.refId).toBe('A');
    expect(m.fields[0]).toMatchObject({ name: 'Time', type: FieldType.time, values: [D1, D2] });
    expect(m.fields[1]).toMatchObject({
      name: 'Cost',
      type: FieldType.number,
      values: [1.25, 2.5],
      labels: { category: 'marketing' },
      config: { unit: 'currencyUSD', displayNameFromDS: 'Marketing' },
    });
    // an unknown rate stays a gap, never 0
    expect(frames[0]!.fields[1]!.values).toEqual([null]);
    // The connector's problems are said once, on the first frame (Grafana shows each frame's notices).
    expect(frames[0]!.meta?.notices).toEqual([{ severity: 'warning', text: 'no_rate: no rate for Other' }]);
    expect(frames[1]!.meta).toBeUndefined();
    // A connector that lists a gap once per day it met it (before the answer named each once): one notice.
    const repeated = { ...body, problems: [body.problems[0]!, { code: 'stale_tier_table', message: 'old tiers' }, body.problems[0]!] };
    expect(buildUsageFrames(repeated, 'cost', ['category'], { refId: 'A' })[0]!.meta?.notices).toEqual([
      { severity: 'warning', text: 'no_rate: no rate for Other' },
      { severity: 'warning', text: 'stale_tier_table: old tiers' },
    ]);
  });

  it('counts messages and billed units without a currency unit', () => {
    const [m] = buildUsageFrames({ ...body, rows: body.rows.slice(0, 2) }, 'messages', [], { refId: 'B' });
    expect(m!.name).toBe('Messages');
    expect(m!.fields[1]!.config).toEqual({ unit: 'none', decimals: 0, displayNameFromDS: 'Messages' });
    expect(m!.fields[1]!.values).toEqual([5, 10]);
    const [b] = buildUsageFrames({ ...body, rows: body.rows.slice(0, 2) }, 'billable', [], { refId: 'B' });
    expect(b!.fields[1]!.values).toEqual([4, 9]);
  });

  it('keeps currencies apart and names them when several are present', () => {
    const rows = [row(D1, 'utility', '1', 1, 'USD'), row(D1, 'utility', '5', 1, 'BRL')];
    const frames = buildUsageFrames({ ...body, rows }, 'cost', ['category'], { refId: 'A' });
    expect(frames.map((f) => [f.name, f.fields[1]!.config.unit])).toEqual([
      ['Utility · BRL', 'currencyBRL'],
      ['Utility · USD', 'currencyUSD'],
    ]);
  });

  it('shifts previous-period frames onto the current range and marks their names', () => {
    const [f] = buildUsageFrames({ ...body, rows: [row(D1, 'utility', '1', 1)] }, 'cost', [], {
      refId: 'A',
      shiftMs: 1000,
      suffix: ' (previous period)',
    });
    expect(f!.fields[0]!.values).toEqual([D1 + 1000]);
    expect(f!.name).toBe('Cost (previous period)');
  });

  it('rejects a malformed response naming the field', () => {
    // A category outside the enum is allowed in lower snake case (a value Meta added, counted unpriced); other spellings are not.
    expect(() => buildUsageFrames({ ...body, rows: [{ ...row(D1, 'Not a category!', '1', 1) }] }, 'cost', [], { refId: 'A' })).toThrow(
      /^usage\.rows\[0\]\.category/,
    );
    expect(() => buildUsageFrames({ ...body, rows: [row(D1, 'utility', 'abc', 1)] }, 'cost', [], { refId: 'A' })).toThrow(InputError);
    expect(() => buildUsageFrames({ ...body, rows: [row(D1, 'utility', ' ', 1)] }, 'cost', [], { refId: 'A' })).toThrow(
      'usage.rows[0].cost: " " is not a decimal amount',
    );
    expect(() => buildUsageFrames({ ...body, rows: [row(D1, 'utility', 'abc', 1)] }, 'cost', [], { refId: 'A' })).toThrow(
      'usage.rows[0].cost: "abc" is not a decimal amount',
    );
  });
});
