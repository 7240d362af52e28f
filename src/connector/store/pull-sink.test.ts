import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MetaPricingRow } from '../pull/pull-sink';
import { SqliteStore } from './sqlite-store';

const row = (day: string, volume: number, cost: bigint | null): MetaPricingRow => ({
  day, wabaId: 'W1', phoneNumberId: 'P1', country: 'BR', category: 'utility', pricingType: 'regular', tier: '0:100000', volume, costMicros: cost, currency: 'USD',
});

describe('SqliteStore as PullSink', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-sink-'));
    store = new SqliteStore(path.join(dir, 'w.db'), { timezones: {} });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const range = { fromDay: '2025-07-01', toDay: '2025-07-31' };

  it('starts with no cursor and advances it with the rows', async () => {
    expect(await store.getCursor('W1', 'meta_pricing')).toEqual({ lastCompleteDay: null });
    await store.replaceDays('W1', 'meta_pricing', ['2025-07-01'], { pricing: [row('2025-07-01', 10, 80_000n)] }, { lastCompleteDay: '2025-07-01' });
    expect(await store.getCursor('W1', 'meta_pricing')).toEqual({ lastCompleteDay: '2025-07-01' });
    expect(await store.getCursor('W1', 'meta_calls')).toEqual({ lastCompleteDay: null });
  });

  it('replaces a partial day instead of adding to it, leaving other days and sources alone', async () => {
    await store.replaceDays('W1', 'meta_pricing', ['2025-07-01', '2025-07-02'], { pricing: [row('2025-07-01', 10, 80_000n), row('2025-07-02', 3, null)] }, { lastCompleteDay: '2025-07-01' });
    await store.replaceDays('W1', 'd360_usage', ['2025-07-02'], { pricing: [row('2025-07-02', 99, 1n)] }, { lastCompleteDay: '2025-07-02' });
    await store.replaceDays('W1', 'meta_pricing', ['2025-07-02'], { pricing: [row('2025-07-02', 7, 56_000n)] }, { lastCompleteDay: '2025-07-02' });
    expect((await store.pulledPricing('meta_pricing', range)).map((r) => [r.day, r.volume, r.costMicros])).toEqual([['2025-07-01', 10, 80_000n], ['2025-07-02', 7, 56_000n]]);
    expect((await store.pulledPricing('d360_usage', range)).map((r) => r.volume)).toEqual([99]);
  });

  it('stores call rows and rejects rows outside the replaced days without writing anything', async () => {
    const call = { day: '2025-07-03', wabaId: 'W1', phoneNumberId: null, country: 'BR', direction: 'user_initiated' as const, count: 4, costMicros: null, averageDurationSec: 61.5, currency: 'USD' };
    await store.replaceDays('W1', 'meta_calls', ['2025-07-03'], { calls: [call] }, { lastCompleteDay: '2025-07-03' });
    expect(await store.pulledCalls('meta_calls', range)).toEqual([call]);
    await expect(store.replaceDays('W1', 'meta_calls', ['2025-07-04'], { calls: [call] }, { lastCompleteDay: '2025-07-04' })).rejects.toThrow(/outside the replaced days/);
    expect(await store.getCursor('W1', 'meta_calls')).toEqual({ lastCompleteDay: '2025-07-03' });
  });
});
