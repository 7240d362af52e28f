/**
 * The ingest section's figures that are computed, not timed (its target rule is tested in
 * bench-targets.test.ts): CPU per event, and the rate one FULL-sync commit per group allows at
 * wrk's concurrency, with the commit floor it is computed from. Expected values are worked out by hand.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commitBound, measureCommitFloor, toRun } from '../../bench/sections/ingest';
import type { WrkResult } from '../../bench/load/wrk';

const floor = (medianMs: number) => ({ commits: 1, medianMs, p99Ms: medianMs });

describe('ingest figures', () => {
  it('bounds the rate by connections per commit: 32 in flight at 4 ms a commit is 8,000 bodies/s', () => {
    const at = (ms: number, per: number) => commitBound(floor(ms), 32, per);
    expect(at(4, 1)).toBe(8_000);
    expect(at(4, 10)).toBe(80_000);
    expect(at(0.25, 1)).toBe(128_000);
    expect(at(0, 1)).toBeNull();
  });

  it('charges the process CPU to the events: half a core at 5,000 bodies/s of 2 statuses is 50 µs an event', () => {
    const wrk: WrkResult = {
      requests: 40_000,
      seconds: 8,
      reqPerSec: 5_000,
      non2xx: 0,
      socketErrors: 0,
      p50Ms: 1,
      p90Ms: 2,
      p99Ms: 3,
      maxMs: 4,
    };
    const run = toRun(wrk, 2, { processCpu: 0.5, diskWritesPerSec: 7 });
    expect(run).toMatchObject({ reqPerSec: 5_000, eventsPerSec: 10_000, cpuUsPerEvent: 50, processCpu: 0.5, diskWritesPerSec: 7 });
  });
});

describe('commit floor', () => {
  it('times the commits it was asked for in the given directory and leaves nothing behind', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'commit-floor-'));
    try {
      const f = measureCommitFloor(dir, 20);
      expect(f.commits).toBe(20);
      expect(f.medianMs).toBeGreaterThan(0);
      expect(f.p99Ms).toBeGreaterThanOrEqual(f.medianMs);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
