import { buildCallsFrames, buildContactsFrame } from './calls-frames';

const T1 = Date.UTC(2026, 2, 1);
const T2 = Date.UTC(2026, 2, 2);
const call = (time: number, direction: string, calls: number, durationSec: number, cost: string | null) => ({
  time,
  bucket: 'b',
  currency: 'BRL',
  direction,
  calls,
  durationSec,
  pulses: Math.ceil(durationSec / 6),
  cost,
});

describe('buildCallsFrames', () => {
  it('builds count, talk time (s), average duration and cost per direction', () => {
    const body = {
      source: 'estimate',
      interval: 'day',
      problems: [],
      rows: [
        call(T2, 'business_initiated', 0, 0, '0'),
        call(T1, 'business_initiated', 4, 600, '3.60'),
        call(T1, 'user_initiated', 2, 90, null),
      ],
    };
    const frames = buildCallsFrames(body, ['direction'], { refId: 'C' });
    expect(frames.map((f) => f.name)).toEqual(['Business-initiated', 'User-initiated']);
    const [bi] = frames;
    expect(bi!.fields.map((f) => [f.name, f.values, f.config.unit])).toEqual([
      ['Time', [T1, T2], undefined],
      ['Calls', [4, 0], 'none'],
      ['Talk time', [600, 0], 's'],
      ['Average duration', [150, null], 's'],
      ['Cost', [3.6, 0], 'currencyBRL'],
    ]);
    expect(bi!.fields[4]!.config.displayNameFromDS).toBe('Business-initiated cost');
    expect(frames[1]!.fields[4]!.values).toEqual([null]);
  });
});

describe('buildContactsFrame', () => {
  it('keeps the per-bucket counts and the range total apart', () => {
    const f = buildContactsFrame(
      {
        interval: 'day',
        total: 7,
        rows: [
          { time: T2, bucket: 'b', contacts: 5 },
          { time: T1, bucket: 'a', contacts: 4 },
        ],
      },
      { refId: 'D' },
    );
    expect(f.fields[0]!.values).toEqual([T1, T2]);
    expect(f.fields[1]!.values).toEqual([4, 5]);
    expect(f.meta?.custom?.total).toBe(7);
  });

  it('rejects a response without a total', () => {
    expect(() => buildContactsFrame({ interval: 'day', rows: [] }, { refId: 'D' })).toThrow(/^contacts\.total/);
  });
});

describe('calls and contacts frames: every field as Grafana reads it (names, display names, units, decimals, labels, shifted time)', () => {
  const DAY = 86_400_000;
  const body = { source: 'estimate', interval: 'day', problems: [], rows: [call(T1, 'business_initiated', 3, 120, '1.50')] };

  it('ungrouped, shifted a day and suffixed (a previous-period query): one series named by the metric', () => {
    const [frame, ...rest] = buildCallsFrames(body, [], { refId: 'P', shiftMs: DAY, suffix: ' (previous)' });
    expect(rest).toEqual([]);
    expect(frame!.name).toBe('Calls (previous)');
    expect(frame!.refId).toBe('P');
    // Strict: a count field must carry no `decimals` key at all, not one set to undefined.
    expect(frame!.fields.map((f) => [f.name, [...f.values], f.labels, f.config])).toStrictEqual([
      ['Time', [T1 + DAY], undefined, {}],
      ['Calls', [3], {}, { unit: 'none', displayNameFromDS: 'Calls (previous)' }],
      ['Talk time', [120], {}, { unit: 's', displayNameFromDS: 'Talk time (previous)' }],
      ['Average duration', [40], {}, { unit: 's', displayNameFromDS: 'Average duration (previous)' }],
      // BRL has two minor digits (ISO 4217).
      ['Cost', [1.5], {}, { unit: 'currencyBRL', decimals: 2, displayNameFromDS: 'Cost (previous)' }],
    ]);
  });

  it('grouped: each field labelled by its series and named "<series> <metric>"', () => {
    const [frame] = buildCallsFrames(body, ['direction'], { refId: 'C' });
    expect(frame!.fields.slice(1).map((f) => [f.labels, f.config.displayNameFromDS])).toEqual([
      [{ direction: 'business_initiated' }, 'Business-initiated calls'],
      [{ direction: 'business_initiated' }, 'Business-initiated talk time'],
      [{ direction: 'business_initiated' }, 'Business-initiated average duration'],
      [{ direction: 'business_initiated' }, 'Business-initiated cost'],
    ]);
  });

  it('contacts shifted and suffixed, with the approximation said in the description', () => {
    const f = buildContactsFrame(
      { interval: 'day', total: 3, rows: [{ time: T1, bucket: 'a', contacts: 3 }] },
      { refId: 'D', shiftMs: DAY, suffix: ' (previous)' },
    );
    expect(f.name).toBe('Unique contacts (previous)');
    expect(f.fields.map((x) => [x.name, [...x.values], x.config])).toEqual([
      ['Time', [T1 + DAY], {}],
      [
        'Unique contacts',
        [3],
        {
          unit: 'none',
          decimals: 0,
          displayNameFromDS: 'Unique contacts (previous)',
          description: 'Approximate (HyperLogLog, ~1.6% error)',
        },
      ],
    ]);
  });

  it('a contacts frame without a suffix is named plainly; a bad call cost names its field', () => {
    const f = buildContactsFrame({ interval: 'day', total: 0, rows: [] }, { refId: 'D' });
    expect([f.name, f.fields[1]!.config.displayNameFromDS]).toEqual(['Unique contacts', 'Unique contacts']);
    const bad = { ...body, rows: [call(T1, 'business_initiated', 1, 6, 'abc')] };
    expect(() => buildCallsFrames(bad, [], { refId: 'C' })).toThrow('calls.rows[0].cost: "abc" is not a decimal amount');
  });

  it('a malformed answer names the kind and the field', () => {
    expect(() => buildCallsFrames({ interval: 'day', problems: [], rows: 'x' }, [], { refId: 'C' })).toThrow(/^calls\.(source|rows)/);
    expect(() => buildCallsFrames({ source: 'estimate', interval: 'day', problems: [], rows: [{}] }, [], { refId: 'C' })).toThrow(
      /^calls\.rows\[0\]\./,
    );
  });
});
