/**
 * Issue 13 item 7, "past one box": the ingest section's wrk script against one connector on a
 * private PostgreSQL cluster, then against two connector processes on the same database, each
 * driven by its own wrk process with half the connections (no load balancer in between: on two
 * cores a node proxy would spend the CPU it is meant to share out, and wrk cannot spread one run
 * over two hosts). Then a panel query's latency through replica 2, idle and while replica 1
 * ingests. Reported beside the rates: each connector's CPU and PostgreSQL's (the postmaster and
 * its backends), and the store's event count against what wrk saw acknowledged.
 */
import { BENCH_TOKEN } from '../bench-config';
import { startConnector, type RunningConnector } from '../connector-process';
import { runWrk, writeWrkScript, type WrkResult } from '../load/wrk';
import type { Scale } from '../options';
import type { BenchPostgres } from '../postgres';
import { cpuSeconds, treeCpuSeconds } from '../proc-stats';
import { log, median, percentile, round } from '../stats';
import { buildWabas } from '../webhook-bodies';
import { storedEvents } from './ingest';
import { deliveredPanel } from './webhook-to-visible';

/** No issue-13 target: item 7 asks for the measurement. `replicas` is what the section compares. */
export const REPLICAS_TARGET = { replicas: 2, note: 'no target: issue 13 item 7 asks for the measurement' } as const;

export type Histogram = ReadonlyArray<readonly [number, number]>;

/** Sums histograms of [value, count] pairs into one, in value order. */
export function mergeHistograms(hists: readonly Histogram[]): Array<[number, number]> {
  const sum = new Map<number, number>();
  for (const h of hists) for (const [v, c] of h) sum.set(v, (sum.get(v) ?? 0) + c);
  return [...sum.entries()].sort((a, b) => a[0] - b[0]);
}

/**
 * The p-th percentile of a histogram by wrk's own rule (stats_percentile: the first value at which
 * the running count reaches round(p / 100 × count + 0.5)), so one wrk process's histogram gives
 * exactly the percentile that wrk printed.
 */
export function histogramPercentile(hist: Histogram, p: number): number {
  const count = hist.reduce((n, [, c]) => n + c, 0);
  if (count === 0) return NaN;
  const rank = Math.round((p / 100) * count + 0.5);
  let seen = 0;
  for (const [v, c] of hist) {
    seen += c;
    if (seen >= rank) return v;
  }
  return hist[hist.length - 1]?.[0] ?? NaN;
}

/** CPU microseconds per event from a core fraction (1.0 = one core busy) and a rate. */
export const usPerEvent = (cores: number, eventsPerSec: number): number => (eventsPerSec > 0 ? round((cores / eventsPerSec) * 1e6) : NaN);

export interface ReplicaRun {
  connections: number;
  eventsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: number;
  /** The connector's CPU, cores (CPU seconds per wall second). */
  connectorCpu: number;
}

export interface PhaseRun {
  /** One entry per connector driven in this run. */
  replicas: ReplicaRun[];
  /** Sum of the replicas' rates. */
  eventsPerSec: number;
  /** p99 over every request of the run: the replicas' wrk histograms merged. */
  p99Ms: number;
  postgresCpu: number;
  /** CPU µs per event: all connectors together, PostgreSQL, and both. */
  connectorUsPerEvent: number;
  postgresUsPerEvent: number;
  totalUsPerEvent: number;
}

/** One run's figures from each replica's wrk result and CPU, and PostgreSQL's CPU over the same window. */
export function phaseRun(
  replicas: ReadonlyArray<{ wrk: WrkResult; connections: number; connectorCpu: number }>,
  postgresCpu: number,
): PhaseRun {
  const runs: ReplicaRun[] = replicas.map((r) => ({
    connections: r.connections,
    eventsPerSec: Math.round(r.wrk.reqPerSec),
    p50Ms: round(r.wrk.p50Ms),
    p99Ms: round(r.wrk.p99Ms),
    non2xx: r.wrk.non2xx,
    socketErrors: r.wrk.socketErrors,
    connectorCpu: r.connectorCpu,
  }));
  // The sum of the unrounded rates: two wrk processes ran over the same seconds.
  const rate = replicas.reduce((n, r) => n + r.wrk.reqPerSec, 0);
  const connectorCpu = replicas.reduce((n, r) => n + r.connectorCpu, 0);
  const merged = mergeHistograms(replicas.map((r) => r.wrk.histogram ?? []));
  return {
    replicas: runs,
    eventsPerSec: Math.round(rate),
    p99Ms: round(histogramPercentile(merged, 99) / 1000),
    postgresCpu,
    connectorUsPerEvent: usPerEvent(connectorCpu, rate),
    postgresUsPerEvent: usPerEvent(postgresCpu, rate),
    totalUsPerEvent: usPerEvent(connectorCpu + postgresCpu, rate),
  };
}

export interface PhaseSummary {
  connectors: number;
  connections: number;
  runs: PhaseRun[];
  /** Medians over the runs. */
  eventsPerSec: number;
  p99Ms: number;
  /** Per replica (by position), the median of its runs' p99. */
  replicaP99Ms: number[];
  replicaEventsPerSec: number[];
  connectorCpu: number[];
  postgresCpu: number;
  totalUsPerEvent: number;
}

export function summarisePhase(connectors: number, connections: number, runs: readonly PhaseRun[]): PhaseSummary {
  const med = (f: (r: PhaseRun) => number) => round(median(runs.map(f)));
  return {
    connectors,
    connections,
    runs: [...runs],
    eventsPerSec: Math.round(median(runs.map((r) => r.eventsPerSec))),
    p99Ms: med((r) => r.p99Ms),
    replicaP99Ms: Array.from({ length: connectors }, (_, i) => med((r) => r.replicas[i]?.p99Ms ?? NaN)),
    replicaEventsPerSec: Array.from({ length: connectors }, (_, i) =>
      Math.round(median(runs.map((r) => r.replicas[i]?.eventsPerSec ?? NaN))),
    ),
    connectorCpu: Array.from({ length: connectors }, (_, i) => med((r) => r.replicas[i]?.connectorCpu ?? NaN)),
    postgresCpu: med((r) => r.postgresCpu),
    totalUsPerEvent: med((r) => r.totalUsPerEvent),
  };
}

/** Two replicas' rate over one replica's, both medians; null when the single figure is 0. */
export const scaling = (single: number, pair: number): number | null => (single > 0 ? round(pair / single, 2) : null);

export interface ReplicasResult {
  single: PhaseSummary;
  pair: PhaseSummary;
  /** pair.eventsPerSec / single.eventsPerSec. */
  scaling: number | null;
  panelThroughReplica2: {
    panel: string;
    path: string;
    idle: { samples: number; medianMs: number | null; p95Ms: number | null };
    whileReplica1Ingests: { samples: number; medianMs: number | null; p95Ms: number | null; eventsPerSec: number; p99Ms: number };
  };
  /**
   * Status events wrk saw acknowledged (every POST carries one, under a wamid of its own), the
   * store's count (GET /health store.events) after the runs, and the requests in flight when a wrk
   * run stopped (its connections: the server may commit those after wrk stopped counting).
   */
  events: { acknowledged: number; stored: number | null; inFlightAtStops: number; accounted: boolean };
  /** Each replica's p99 recomputed from its wrk histogram equals the p99 wrk printed (the merge's rule). */
  histogramCheck: boolean;
  /** No non-2xx answer and no socket error in any run. */
  clean: boolean;
  met: boolean;
}

/** CPU seconds now, for a window: each connector's and PostgreSQL's. */
function cpuNow(connectors: readonly RunningConnector[], pgPid: number | null) {
  return { t: Date.now(), connectors: connectors.map((c) => cpuSeconds(c.pid)), pg: pgPid === null ? NaN : treeCpuSeconds(pgPid) };
}
function cores(before: ReturnType<typeof cpuNow>, after: ReturnType<typeof cpuNow>) {
  const secs = (after.t - before.t) / 1000;
  return {
    connectors: after.connectors.map((c, i) => round((c - (before.connectors[i] as number)) / secs)),
    pg: round((after.pg - before.pg) / secs),
  };
}

export async function measureReplicas(opts: {
  dir: string;
  config: string;
  scale: Scale;
  postgres: BenchPostgres;
}): Promise<ReplicasResult> {
  const { dir, config, scale, postgres } = opts;
  const waba = buildWabas(scale.phones)[0]!;
  // The ingest section's script (one status per body, a wamid no other request uses), plus wrk's histogram.
  const script = writeWrkScript(dir, {
    wabaId: waba.id,
    phone: waba.phones[0]!,
    statusesPerBody: 1,
    path: '/webhooks/whatsapp',
    histogram: true,
  });
  const half = Math.max(1, Math.floor(scale.connections / 2));
  let acknowledged = 0;
  let inFlightAtStops = 0;
  let clean = true;
  let histogramCheck = true;
  let label = 0;
  const wrk = async (c: RunningConnector, connections: number, seconds: number) => {
    const r = await runWrk(`${c.url}/webhooks/whatsapp`, script, { seconds, connections, runId: `rep${label++}` });
    acknowledged += r.requests - r.non2xx;
    inFlightAtStops += connections;
    if (r.non2xx > 0 || r.socketErrors > 0) clean = false;
    if (r.histogram && round(histogramPercentile(r.histogram, 99) / 1000) !== round(r.p99Ms)) histogramCheck = false;
    return r;
  };
  /** Warm-up, then the measured runs, each replica driven by its own wrk over the same seconds. */
  const phase = async (connectors: RunningConnector[], each: number): Promise<PhaseSummary> => {
    if (scale.ingestWarmupSeconds > 0) await Promise.all(connectors.map((c) => wrk(c, each, scale.ingestWarmupSeconds)));
    const runs: PhaseRun[] = [];
    for (let i = 0; i < scale.ingestRuns; i++) {
      const before = cpuNow(connectors, postgres.serverPid);
      const results = await Promise.all(connectors.map((c) => wrk(c, each, scale.ingestSeconds)));
      const used = cores(before, cpuNow(connectors, postgres.serverPid));
      const run = phaseRun(
        results.map((r, k) => ({ wrk: r, connections: each, connectorCpu: used.connectors[k] as number })),
        used.pg,
      );
      runs.push(run);
      log(
        `  ${connectors.length} connector(s) run ${i + 1}: ${run.eventsPerSec} events/s (${run.replicas.map((r) => r.eventsPerSec).join(' + ')}), p99 ${run.p99Ms} ms, connector CPU ${run.replicas.map((r) => r.connectorCpu).join(' + ')}, PostgreSQL ${run.postgresCpu}`,
      );
    }
    return summarisePhase(connectors.length, each * connectors.length, runs);
  };

  const first = await startConnector({ db: postgres.url, config, token: BENCH_TOKEN });
  let second: RunningConnector | null = null;
  try {
    const single = await phase([first], half * 2);
    second = await startConnector({ db: postgres.url, config, token: BENCH_TOKEN });
    const pair = await phase([first, second], half);

    // The panel query: the dashboard's "messages delivered" request over the days the load writes to.
    const now = Date.now();
    const panel = deliveredPanel(now - 2 * 86_400_000, now + 86_400_000);
    if (!panel) throw new Error('no dashboard panel sends one /api/v1/usage request without a split');
    const target = second;
    const ask = async () => {
      const t0 = process.hrtime.bigint();
      const res = await fetch(`${target.url}${panel.path}`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`the panel request through replica 2 answered ${res.status}`);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    /** Asks the panel request back to back until `until` resolves; one at a time, as a dashboard refresh would. */
    const loop = async (until: Promise<unknown>) => {
      let stop = false;
      until.then(
        () => (stop = true),
        () => (stop = true),
      );
      const ms: number[] = [];
      while (!stop) ms.push(await ask());
      return ms;
    };
    const figures = (ms: number[]) => ({
      samples: ms.length,
      medianMs: ms.length ? round(median(ms)) : null,
      p95Ms: ms.length ? round(percentile(ms, 95)) : null,
    });
    await ask(); // untimed: the first answer warms the caches a dashboard would have warm
    const idle = await loop(new Promise((resolve) => setTimeout(resolve, scale.ingestSeconds * 1000)));
    const ingest = wrk(first, half * 2, scale.ingestSeconds);
    const loaded = await loop(ingest);
    const ingestRun = await ingest;

    const stored = await storedEvents(second.url);
    const result: Omit<ReplicasResult, 'met'> = {
      single,
      pair,
      scaling: scaling(single.eventsPerSec, pair.eventsPerSec),
      panelThroughReplica2: {
        panel: panel.panel,
        path: panel.path.replace(/from=[^&]*&to=[^&]*/, 'from=…&to=…'),
        idle: figures(idle),
        whileReplica1Ingests: { ...figures(loaded), eventsPerSec: Math.round(ingestRun.reqPerSec), p99Ms: round(ingestRun.p99Ms) },
      },
      events: { acknowledged, stored, inFlightAtStops, accounted: eventsAccounted(acknowledged, stored, inFlightAtStops) },
      histogramCheck,
      clean,
    };
    return { ...result, met: replicasMet(result) };
  } finally {
    await second?.stop();
    await first.stop();
  }
}

/**
 * Every acknowledged event is in the store, and nothing but them and the requests wrk left in
 * flight when it stopped (wamids are unique, so nothing is counted twice): acknowledged ≤ stored ≤
 * acknowledged + in flight.
 */
export const eventsAccounted = (acknowledged: number, stored: number | null, inFlightAtStops: number): boolean =>
  stored !== null && stored >= acknowledged && stored <= acknowledged + inFlightAtStops;

/** The section holds when every request was answered 200, the store holds what was acknowledged and the panel was measured under load. */
export function replicasMet(r: Omit<ReplicasResult, 'met'>): boolean {
  return r.clean && r.events.accounted && r.histogramCheck && r.panelThroughReplica2.whileReplica1Ingests.samples > 0;
}
