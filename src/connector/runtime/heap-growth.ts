import { setFlagsFromString } from 'node:v8';

/**
 * How far past its live objects a V8 heap may grow before the next full collection, in percent
 * (V8's `--heap-growing-percent`). Left to itself V8 picks up to 300 % on a machine with this much
 * memory: at 10M messages the query worker keeps ~70 MB alive and its heap reached 360 MB, nearly
 * all of it garbage between collections (docs/performance.md, "Heap growth"). V8 flags hold for
 * the whole process, so this bounds the HTTP thread and both workers alike.
 */
export const DEFAULT_HEAP_GROWTH_PERCENT = 30;

/** The setting: WASPEND_HEAP_GROWTH_PERCENT over config `server.heapGrowthPercent` over the default; 0 leaves V8 its own. */
export function heapGrowthPercent(configured: number | undefined, env: NodeJS.ProcessEnv): number {
  const raw = env.WASPEND_HEAP_GROWTH_PERCENT;
  if (raw === undefined || raw === '') return configured ?? DEFAULT_HEAP_GROWTH_PERCENT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 1000) {
    throw new Error(`WASPEND_HEAP_GROWTH_PERCENT must be a whole number from 0 to 1000 (0: V8's own), got ${JSON.stringify(raw)}`);
  }
  return n;
}

/**
 * Applies the setting to this process. V8 reads the flag whenever it sets a heap's next limit, so it
 * holds for isolates already running too; 0 sets nothing (V8's default of the flag is 0, "its own").
 */
export function applyHeapGrowth(percent: number, setFlags: (flags: string) => void = setFlagsFromString): void {
  if (percent > 0) setFlags(`--heap-growing-percent=${percent}`);
}
