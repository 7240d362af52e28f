import { advanceWorkerClock } from './query-worker-gate';

/**
 * The connector's query caches age on the monotonic clock (`performance.now`). Suites that must step
 * past a cache's minimum refresh time fake that clock alone, so timers, I/O and `Date` stay real and
 * nothing sleeps.
 */
export function fakeCacheClock(): void {
  jest.useFakeTimers({
    doNotFake: [
      'Date',
      'hrtime',
      'nextTick',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}

/**
 * Steps the cache clock in both places a query can be answered: the jest process (the faked
 * `performance.now`) and the query worker, through its test gate's clock cell.
 */
export function advanceCacheClock(gate: Int32Array, ms: number): void {
  jest.advanceTimersByTime(ms);
  advanceWorkerClock(gate, ms);
}
