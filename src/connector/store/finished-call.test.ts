import { finishedCallReader } from './finished-call';

const KEY = JSON.stringify(['2025-07-31', 'W1', 'P1', 'BR', 'Brazil', 'business_initiated']);

describe('finishedCallReader', () => {
  test('reads the counted key, empty parts as null, and the start from the first time known', () => {
    const read = finishedCallReader();
    const row = { call_id: 'c1', start_ms: 5, connected_at_ms: 6, terminated_at_ms: 7, duration_sec: 56, counted_key: KEY };
    expect(read(row)).toEqual({
      callId: 'c1',
      day: '2025-07-31',
      wabaId: 'W1',
      phoneNumberId: 'P1',
      country: 'BR',
      market: 'Brazil',
      direction: 'business_initiated',
      startMs: 5,
      durationSec: 56,
    });
    const bare = JSON.stringify(['2025-07-31', 'W1', '', '', 'Other', '']);
    // PostgreSQL's bigints come as strings; a call never connected starts when it was ended; nothing known: 0.
    expect(
      read({ call_id: 'c2', start_ms: null, connected_at_ms: null, terminated_at_ms: '9000', duration_sec: null, counted_key: bare }),
    ).toMatchObject({ callId: 'c2', phoneNumberId: null, country: null, market: 'Other', direction: null, startMs: 9000, durationSec: 0 });
    expect(
      read({ call_id: 'c3', start_ms: null, connected_at_ms: '8000', terminated_at_ms: '9000', duration_sec: '3', counted_key: bare }),
    ).toMatchObject({
      startMs: 8000,
      durationSec: 3,
    });
    expect(
      read({ call_id: 'c4', start_ms: null, connected_at_ms: null, terminated_at_ms: null, duration_sec: 0, counted_key: bare }).startMs,
    ).toBe(0);
  });

  test('calls under one key share its parsed strings; another key, or another read, parses its own', () => {
    const read = finishedCallReader();
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const row = (id: string, key = KEY) => ({
        call_id: id,
        start_ms: 1,
        connected_at_ms: 1,
        terminated_at_ms: 2,
        duration_sec: 1,
        counted_key: key,
      });
      const [a, b] = [read(row('a')), read(row('b'))];
      expect([a.callId, b.callId]).toEqual(['a', 'b']);
      expect(parse).toHaveBeenCalledTimes(1);
      read(row('c', JSON.stringify(['2025-08-01', 'W1', 'P1', 'BR', 'Brazil', 'user_initiated'])));
      expect(parse).toHaveBeenCalledTimes(2);
      finishedCallReader()(row('d'));
      expect(parse).toHaveBeenCalledTimes(3);
    } finally {
      parse.mockRestore();
    }
  });
});
