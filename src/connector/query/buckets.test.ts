import { bucketOf } from './buckets';

describe('bucketOf', () => {
  it("labels a WABA-local day with the day or its month and starts it at the zone's midnight", () => {
    expect(bucketOf('2026-11-10', 'day', 'America/Sao_Paulo')).toEqual({ bucket: '2026-11-10', time: Date.UTC(2026, 10, 10, 3) });
    expect(bucketOf('2026-11-10', 'month', 'America/Sao_Paulo')).toEqual({ bucket: '2026-11', time: Date.UTC(2026, 10, 1, 3) });
    expect(bucketOf('2026-11-10', 'day', 'Asia/Kolkata')).toEqual({ bucket: '2026-11-10', time: Date.UTC(2026, 10, 9, 18, 30) });
    expect(bucketOf('2026-11-10', 'month', 'Asia/Kolkata')).toEqual({ bucket: '2026-11', time: Date.UTC(2026, 9, 31, 18, 30) });
    expect(bucketOf('2026-11-10', 'day', 'UTC')).toEqual({ bucket: '2026-11-10', time: Date.UTC(2026, 10, 10) });
  });

  it('answers a pair asked again from its memo the same as the first time, whatever was asked in between', () => {
    const first = bucketOf('2026-03-08', 'day', 'America/New_York');
    expect(bucketOf('2026-03-08', 'month', 'America/New_York')).toEqual({ bucket: '2026-03', time: Date.UTC(2026, 2, 1, 5) });
    expect(bucketOf('2026-03-09', 'day', 'America/New_York')).toEqual({ bucket: '2026-03-09', time: Date.UTC(2026, 2, 9, 4) });
    expect(bucketOf('2026-03-08', 'day', 'Europe/Berlin')).toEqual({ bucket: '2026-03-08', time: Date.UTC(2026, 2, 7, 23) });
    expect(bucketOf('2026-03-08', 'day', 'America/New_York')).toBe(first);
    expect(first).toEqual({ bucket: '2026-03-08', time: Date.UTC(2026, 2, 8, 5) });
  });
});
