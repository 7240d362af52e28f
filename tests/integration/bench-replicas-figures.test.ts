/**
 * The replicas section's arithmetic, on figures made by hand: wrk histograms merged into one p99
 * over both replicas, rates summed, CPU charged per event, medians over runs, the scaling ratio,
 * PostgreSQL's CPU summed over the postmaster and its backends, and when the section holds.
 */
import type { WrkResult } from '../../bench/load/wrk';
import { histogramOf } from '../../bench/load/wrk';
import { parseProcStat, treeCpuFromStats, type ProcStat } from '../../bench/proc-stats';
import {
  eventsAccounted,
  histogramPercentile,
  mergeHistograms,
  phaseRun,
  replicasMet,
  scaling,
  summarisePhase,
  usPerEvent,
  type ReplicasResult,
} from '../../bench/sections/replicas';

const wrk = (reqPerSec: number, p99Ms: number, histogram: Array<[number, number]>): WrkResult => ({
  requests: reqPerSec * 8,
  seconds: 8,
  reqPerSec,
  non2xx: 0,
  socketErrors: 0,
  p50Ms: 2,
  p90Ms: 3,
  p99Ms,
  maxMs: 50,
  histogram,
});

describe('replicas figures', () => {
  it('merges histograms by value', () => {
    expect(
      mergeHistograms([
        [
          [100, 2],
          [300, 1],
        ],
        [
          [200, 4],
          [100, 1],
        ],
      ]),
    ).toEqual([
      [100, 3],
      [200, 4],
      [300, 1],
    ]);
  });

  it("reads a percentile by wrk's rank rule: round(p/100 × count + 0.5)", () => {
    const h: Array<[number, number]> = [
      [100, 3],
      [200, 4],
      [300, 1],
    ];
    // 8 samples: p99's rank is round(8.42) = 8, the last; p50's is round(4.5) = 5, inside the 200s (3 < 5 <= 7).
    expect(histogramPercentile(h, 99)).toBe(300);
    expect(histogramPercentile(h, 50)).toBe(200);
    // Two samples: p50's rank is round(1.5) = 2, the second value.
    expect(
      histogramPercentile(
        [
          [10, 1],
          [20, 1],
        ],
        50,
      ),
    ).toBe(20);
    expect(histogramPercentile([], 99)).toBeNaN();
  });

  it('sums the replicas, takes p99 over both histograms together and charges CPU per event', () => {
    // Replica 1: 100 samples, 95 at 2 ms and 5 at 9 ms (its p99, rank 100: 9 ms). Replica 2: 99 at 3 ms, 1 at 40 ms (p99 40 ms).
    // Together 200 samples: p99's rank is round(198.5) = 199; running counts 95 (2 ms), 194 (3 ms), 199 (9 ms): 9 ms,
    // neither the larger replica p99 (40) nor their mean (24.5).
    const run = phaseRun(
      [
        {
          wrk: wrk(1500.4, 9, [
            [2000, 95],
            [9000, 5],
          ]),
          connections: 16,
          connectorCpu: 0.6,
        },
        {
          wrk: wrk(499.6, 40, [
            [3000, 99],
            [40000, 1],
          ]),
          connections: 16,
          connectorCpu: 0.4,
        },
      ],
      0.5,
    );
    // 1500.4 + 499.6 = 2,000 events/s; connectors 1.0 core / 2,000 = 500 µs, PostgreSQL 0.5 / 2,000 = 250 µs.
    expect(run).toEqual({
      replicas: [
        { connections: 16, eventsPerSec: 1500, p50Ms: 2, p99Ms: 9, non2xx: 0, socketErrors: 0, connectorCpu: 0.6 },
        { connections: 16, eventsPerSec: 500, p50Ms: 2, p99Ms: 40, non2xx: 0, socketErrors: 0, connectorCpu: 0.4 },
      ],
      eventsPerSec: 2000,
      p99Ms: 9,
      postgresCpu: 0.5,
      connectorUsPerEvent: 500,
      postgresUsPerEvent: 250,
      totalUsPerEvent: 750,
    });
    expect(usPerEvent(1, 0)).toBeNaN();
  });

  it('takes the median of each figure over the runs, per replica too', () => {
    const run = (a: number, b: number, p99: number, pg: number) =>
      phaseRun(
        [
          { wrk: wrk(a, p99, [[p99 * 1000, 1]]), connections: 4, connectorCpu: a / 1000 },
          { wrk: wrk(b, p99 + 1, [[(p99 + 1) * 1000, 1]]), connections: 4, connectorCpu: b / 1000 },
        ],
        pg,
      );
    // Rates 1,000+500, 3,000+100, 2,000+300: sums 1,500, 3,100, 2,300, median 2,300; replica medians 2,000 and 300.
    const s = summarisePhase(2, 8, [run(1000, 500, 10, 0.2), run(3000, 100, 30, 0.6), run(2000, 300, 20, 0.4)]);
    expect(s).toMatchObject({
      connectors: 2,
      connections: 8,
      eventsPerSec: 2300,
      replicaEventsPerSec: [2000, 300],
      replicaP99Ms: [20, 21],
      connectorCpu: [2, 0.3],
      postgresCpu: 0.4,
    });
    // Each run's merged p99 is the larger of its two single samples (rank 2 of 2): 11, 31, 21 ms; median 21.
    expect(s.p99Ms).toBe(21);
    expect(scaling(1000, 1500)).toBe(1.5);
    expect(scaling(0, 1500)).toBeNull();
  });

  it("sums PostgreSQL's CPU over the postmaster (with its ended children) and its running backends only", () => {
    const stats: ProcStat[] = [
      { pid: 10, ppid: 1, utime: 50, stime: 30, cutime: 20, cstime: 0 },
      { pid: 11, ppid: 10, utime: 200, stime: 100, cutime: 7, cstime: 7 },
      { pid: 12, ppid: 11, utime: 1000, stime: 0, cutime: 0, cstime: 0 },
      { pid: 13, ppid: 1, utime: 5000, stime: 0, cutime: 0, cstime: 0 },
    ];
    // 50 + 30 + 20 + 0 + 200 + 100 = 400 ticks = 4 s (a backend's own children and other processes are not its).
    expect(treeCpuFromStats(10, stats)).toBe(4);
    // A command name holding ") " does not shift the fields.
    const line = '321 (postgres: a) b) S 10 321 321 0 -1 4194560 100 0 0 0 17 4 3 2 20 0 1 0 100 1000 10';
    expect(parseProcStat(321, line)).toEqual({ pid: 321, ppid: 10, utime: 17, stime: 4, cutime: 3, cstime: 2 });
  });

  it("reads wrk's histogram line", () => {
    expect(histogramOf('x\nWRKHIST 80:3,95:1\n')).toEqual({
      histogram: [
        [80, 3],
        [95, 1],
      ],
    });
    expect(histogramOf('no line')).toEqual({});
  });

  it('accounts for the events: acknowledged <= stored <= acknowledged + requests in flight when wrk stopped', () => {
    expect(eventsAccounted(719, 719, 24)).toBe(true);
    expect(eventsAccounted(719, 742, 24)).toBe(true);
    expect(eventsAccounted(719, 743, 24)).toBe(true);
    expect(eventsAccounted(719, 744, 24)).toBe(false);
    expect(eventsAccounted(719, 718, 24)).toBe(false);
    expect(eventsAccounted(719, null, 24)).toBe(false);
  });

  it('holds only when every request got a 200, the store counted what was acknowledged and the panel was measured under load', () => {
    const base = {
      clean: true,
      histogramCheck: true,
      events: { acknowledged: 10, stored: 12, inFlightAtStops: 4, accounted: true },
      panelThroughReplica2: { whileReplica1Ingests: { samples: 3 } },
    } as unknown as Omit<ReplicasResult, 'met'>;
    expect(replicasMet(base)).toBe(true);
    expect(replicasMet({ ...base, clean: false })).toBe(false);
    expect(replicasMet({ ...base, histogramCheck: false })).toBe(false);
    expect(replicasMet({ ...base, events: { acknowledged: 10, stored: 9, inFlightAtStops: 4, accounted: false } })).toBe(false);
    expect(
      replicasMet({ ...base, panelThroughReplica2: { whileReplica1Ingests: { samples: 0 } } } as unknown as Omit<ReplicasResult, 'met'>),
    ).toBe(false);
  });
});
