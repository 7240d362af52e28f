/**
 * `server.heapGrowthPercent` and WASPEND_HEAP_GROWTH_PERCENT: which one wins, what a bad value says,
 * and that the flag set is one this node's V8 knows (setFlagsFromString ignores a flag it does not
 * know without a word, so a node whose V8 dropped it would silently grow its heaps as before).
 */
import { execFileSync } from 'node:child_process';
import { configSchema } from '../config/config-schema';
import { applyHeapGrowth, DEFAULT_HEAP_GROWTH_PERCENT, heapGrowthPercent } from './heap-growth';

describe('heap growth setting', () => {
  it('takes the environment over the config over the default', () => {
    expect(heapGrowthPercent(undefined, {})).toBe(DEFAULT_HEAP_GROWTH_PERCENT);
    expect(heapGrowthPercent(80, {})).toBe(80);
    expect(heapGrowthPercent(0, {})).toBe(0);
    expect(heapGrowthPercent(80, { WASPEND_HEAP_GROWTH_PERCENT: '25' })).toBe(25);
    expect(heapGrowthPercent(80, { WASPEND_HEAP_GROWTH_PERCENT: '0' })).toBe(0);
    expect(heapGrowthPercent(80, { WASPEND_HEAP_GROWTH_PERCENT: '' })).toBe(80);
  });

  it.each(['-5', '1.5', 'fast', '1001'])('refuses WASPEND_HEAP_GROWTH_PERCENT=%s, naming it', (raw) => {
    expect(() => heapGrowthPercent(undefined, { WASPEND_HEAP_GROWTH_PERCENT: raw })).toThrow(
      `WASPEND_HEAP_GROWTH_PERCENT must be a whole number from 0 to 1000 (0: V8's own), got "${raw}"`,
    );
  });

  it('is a config key under server, a whole number from 0 to 1000', () => {
    const wabas = [{ id: 'W1', name: 'W1', timezone: 'UTC', currency: 'USD', portfolio: 'PF1' }];
    expect(configSchema.parse({ server: { heapGrowthPercent: 30 }, wabas }).server?.heapGrowthPercent).toBe(30);
    for (const bad of [-1, 2.5, 1001]) {
      const r = configSchema.safeParse({ server: { heapGrowthPercent: bad }, wabas });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(['server', 'heapGrowthPercent']);
    }
  });

  it('sets the V8 flag for a percent and nothing for 0', () => {
    const set: string[] = [];
    applyHeapGrowth(35, (f) => set.push(f));
    applyHeapGrowth(0, (f) => set.push(f));
    expect(set).toEqual(['--heap-growing-percent=35']);
  });

  it("names a flag this node's V8 has", () => {
    const set: string[] = [];
    applyHeapGrowth(DEFAULT_HEAP_GROWTH_PERCENT, (f) => set.push(f));
    const name = (set[0] as string).split('=')[0] as string;
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(options.split('\n').some((line) => line.trim().startsWith(`${name} `))).toBe(true);
  });
});
