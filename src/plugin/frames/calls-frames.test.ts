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
