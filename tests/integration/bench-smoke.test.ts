/**
 * Runs the benchmark harness at --scale tiny (seconds, not minutes) and checks the shape of its
 * JSON: every section with a target, a met flag and numbers; every dashboard panel measured on a
 * store that gives it rows, with the raw GROUP BY baseline beside it; webhook latency while the
 * heaviest panels run. No timing assertions.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  INGEST_TARGET,
  MEMORY_TARGET,
  UNIQUE_CONTACTS_TARGET,
  VISIBLE_TARGET,
  ingestMet,
  memoryMet,
  pluginQueryMet,
  QUERY_LAYER_TARGET,
  REPRICE_TARGET,
  onlyLoadMarksLeft,
  repriceMet,
  uniqueContactsMet,
  visibleMet,
} from '../../bench/targets';

const ROOT = path.resolve(__dirname, '..', '..');
const SECTIONS = [
  'ingest',
  'queries',
  'webhookUnderLoad',
  'uniqueContacts',
  'webhookToVisible',
  'queryLayer',
  'memory',
  'repricing',
  'replicas',
] as const;

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'bench.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every finite number anywhere inside a value. */
function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [value] : [];
  if (value && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
  return [];
}

describe('npm run bench --scale tiny', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
  const out = path.join(dir, 'results.json');
  let result: { code: number | null; stdout: string; stderr: string };
  let json: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    result = await runBench(['--scale', 'tiny', '--no-postgres', '--out', out]);
    json = JSON.parse(result.stdout);
  }, 240_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 0 and prints exactly the JSON it writes to --out', () => {
    expect(result.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(json);
    expect(json.scale).toBe('tiny');
  });

  it.each(SECTIONS)('has section %s with a target, a boolean met and numeric fields', (name) => {
    const section = json[name] as Record<string, unknown>;
    expect(section).toBeDefined();
    expect(typeof section.met).toBe('boolean');
    expect(numbersIn(section.target).length).toBeGreaterThan(0);
    expect(typeof section.durationMs).toBe('number');
    // A section either measured something or says why it could not.
    const measured = numbersIn({ ...section, target: null, durationMs: null }).length > 0;
    expect(measured || typeof section.unavailable === 'string' || typeof section.error === 'string').toBe(true);
    expect(section.error).toBeUndefined();
  });

  it('skips the replicas section with its reason under --no-postgres', () => {
    expect((json.replicas as { unavailable?: string }).unavailable).toMatch(/^--no-postgres: /);
  });

  it('prices the query-layer result in-process with core and reports per-row cost', () => {
    const layer = json.queryLayer as { rows: number; corePricing: { medianMs: number; usPerRow: number } };
    expect(layer.rows).toBe(7 * 5 * 7 * 2);
    expect(layer.corePricing.medianMs).toBeGreaterThan(0);
    expect(layer.corePricing.usPerRow).toBeGreaterThan(0);
  });

  it("times the plugin's runQuery on the real answers of the dashboard panel with the most rows", () => {
    const layer = json.queryLayer as unknown as {
      target: typeof QUERY_LAYER_TARGET;
      met: boolean;
      largestDashboardResponse: { panel: string; rows: number; bytes: number; frames: number; medianMs: number; p95Ms: number };
      syntheticLayerPluginQuery: { medianMs: number; rows: number };
    };
    const panels = (
      json.queries as unknown as { sqlite: { queries: Array<{ name: string; rows: number | null; kind: string; panel: boolean }> } }
    ).sqlite.queries;
    const dashboardPanels = panels.filter((p) => p.panel);
    // The one query that is not a panel is the export.
    expect(panels.filter((p) => !p.panel).map((p) => p.name)).toEqual(['export: pricing-input by category x country']);
    const most = Math.max(...dashboardPanels.map((p) => p.rows ?? 0));
    expect(layer.target).toEqual({ ...QUERY_LAYER_TARGET });
    const f = layer.largestDashboardResponse;
    expect(f.rows).toBe(most);
    expect(dashboardPanels.find((p) => p.name === f.panel)?.rows).toBe(most);
    expect(f.frames).toBeGreaterThan(0);
    expect([typeof f.medianMs, typeof f.p95Ms, typeof f.bytes]).toEqual(['number', 'number', 'number']);
    expect(layer.met).toBe(pluginQueryMet(f));
    // issue 6's figure on the synthetic layer shape is kept under its own name.
    expect(layer.syntheticLayerPluginQuery.rows).toBe(7 * 5 * 7 * 2);
  });

  it("records which path built the query store (tiny's default: the webhook route) and its rate", () => {
    const build = json.build as unknown as {
      path: string;
      default: boolean;
      sqlite: { events: number; requests: number; eventsPerSec: number; seconds: number };
      postgres: { unavailable?: string };
    };
    const store = (json.queries as unknown as { sqlite: { store: { path: string; events: number; repricedBeforeQueries: unknown } } })
      .sqlite.store;
    expect([build.path, build.default, store.path]).toEqual(['webhook', true, 'webhook']);
    expect(build.sqlite.events).toBe(store.events);
    expect(build.sqlite.eventsPerSec).toBe(Math.round(build.sqlite.events / build.sqlite.seconds));
    expect(build.sqlite.requests).toBeGreaterThan(0);
    expect(typeof build.postgres.unavailable).toBe('string');
    expect(store.repricedBeforeQueries).toMatchObject({ clean: true, dirtyLeft: 0 });
  });

  it('measures every dashboard panel on rows, each beside its raw GROUP BY baseline', () => {
    const queries = json.queries as unknown as {
      builderCheck: { identical: boolean };
      sqlite: {
        store: { calls: number; inbound: number; priceFiles: number };
        queries: Array<{ name: string; rows: number | null; medianMs: number | null; rawMedianMs: number | null; notMeasured?: string }>;
      };
    };
    expect(queries.builderCheck.identical).toBe(true);
    expect(queries.sqlite.store.calls).toBeGreaterThan(0);
    expect(queries.sqlite.store.inbound).toBeGreaterThan(0);
    expect(queries.sqlite.store.priceFiles).toBeGreaterThan(0);
    // Every target of every dashboard, plus the pricing-input export.
    const dir = path.join(ROOT, 'dashboards');
    const targets = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => {
        const panels = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).panels as Array<Record<string, unknown>>;
        return panels.flatMap((p) => [p, ...((p.panels as Array<Record<string, unknown>>) ?? [])]);
      })
      .filter((p) => p.type !== 'row' && p.type !== 'text')
      .reduce((n, p) => n + ((p.targets as unknown[]) ?? []).length, 0);
    expect(queries.sqlite.queries).toHaveLength(targets + 1);
    for (const q of queries.sqlite.queries) {
      expect({ name: q.name, notMeasured: q.notMeasured }).toEqual({ name: q.name, notMeasured: undefined });
      expect([q.name, (q.rows ?? 0) > 0]).toEqual([q.name, true]);
      expect([q.name, typeof q.medianMs, typeof q.rawMedianMs]).toEqual([q.name, 'number', 'number']);
    }
  });

  it('reports webhook latency idle and while the heaviest panels run in a loop', () => {
    const load = (json.webhookUnderLoad as { sqlite: Record<string, unknown> }).sqlite as {
      heavyPanels: string[];
      idle: { webhooks: number; p99Ms: number };
      underLoad: { webhooks: number; p99Ms: number };
      queriesCompleted: number;
      queryErrors: number;
    };
    expect(load.heavyPanels).toHaveLength(3);
    expect(load.idle.webhooks).toBeGreaterThan(0);
    expect(load.underLoad.webhooks).toBeGreaterThan(0);
    expect(typeof load.underLoad.p99Ms).toBe('number');
    expect(load.queriesCompleted).toBeGreaterThan(0);
    // The wide range (1900-01-01..2999-12-31) is answered, not refused.
    expect(load.queryErrors).toBe(0);
    // The A/B: the same loops against a connector with query.worker: false, on the same store.
    const inThread = (json.webhookUnderLoad as { inThread: { sqlite: typeof load } }).inThread.sqlite;
    expect(inThread.heavyPanels).toEqual(load.heavyPanels);
    expect(inThread.underLoad.webhooks).toBeGreaterThan(0);
    expect(inThread.queriesCompleted).toBeGreaterThan(0);
    expect(inThread.queryErrors).toBe(0);
  });

  it("judges ingest on issue 13's three bounds, with the share of the same run's ceiling reported", () => {
    const ingest = json.ingest as unknown as {
      target: typeof INGEST_TARGET;
      met: boolean;
      headline: { eventsPerSec: number; p99Ms: number; ceilingEventsPerSec: number; ceilingShare: number };
      ceiling: { eventsPerSec: number };
      backends: Array<{ runs: Array<{ non2xx: number; socketErrors: number }> }>;
    };
    expect(ingest.target).toEqual({ ...INGEST_TARGET });
    const h = ingest.headline;
    expect([typeof h.eventsPerSec, typeof h.p99Ms, typeof h.ceilingShare]).toEqual(['number', 'number', 'number']);
    expect(h.ceilingEventsPerSec).toBe(ingest.ceiling.eventsPerSec);
    expect(h.ceilingShare).toBeCloseTo(h.eventsPerSec / h.ceilingEventsPerSec, 3);
    const clean = ingest.backends.every((b) => b.runs.every((r) => r.non2xx === 0 && r.socketErrors === 0));
    expect(ingest.met).toBe(ingestMet(h, h.ceilingEventsPerSec, clean));
  });

  it('judges memory on every connector process against 400 MB', () => {
    const memory = json.memory as unknown as {
      target: typeof MEMORY_TARGET;
      met: boolean;
      peakRssMb: number;
      byPhase: Record<string, number | null>;
    };
    expect(memory.target).toEqual({ ...MEMORY_TARGET });
    expect(typeof memory.peakRssMb).toBe('number');
    expect(memory.met).toBe(memoryMet(Object.values(memory.byPhase)));
  });

  it("attributes the query connector's peak step by step: its start, the re-pricing, each panel in order, then the loops", () => {
    const sqlite = (
      json.queries as unknown as {
        sqlite: {
          queries: Array<{ name: string }>;
          memorySteps: Array<{ step: string; peakMb: number; rssMb: number }>;
          peakRssMb: number;
        };
      }
    ).sqlite;
    const steps = sqlite.memorySteps;
    expect(steps.map((m) => m.step)).toEqual([
      'started',
      'repriced before the panels',
      ...sqlite.queries.map((q) => q.name),
      'webhooks under the heaviest panels',
      'unique contacts',
      'webhook to visible',
    ]);
    for (const [i, m] of steps.entries()) {
      expect(m.rssMb).toBeLessThanOrEqual(m.peakMb);
      // The running peak never falls (the bench keeps the highest VmHWM read: Linux's can read lower
      // than before), and the peak when the connector stops is at least the last one seen.
      if (i > 0) expect(m.peakMb).toBeGreaterThanOrEqual((steps[i - 1] as { peakMb: number }).peakMb);
    }
    expect(sqlite.peakRssMb).toBeGreaterThanOrEqual((steps.at(-1) as { peakMb: number }).peakMb);
  });

  it('times the unique-contacts request over the last 30 days, on rows, with met from its median', () => {
    const section = json.uniqueContacts as unknown as {
      target: typeof UNIQUE_CONTACTS_TARGET;
      met: boolean;
      sqlite: { path: string; rows: number; medianMs: number; p95Ms: number; met: boolean };
    };
    expect(section.target).toEqual({ ...UNIQUE_CONTACTS_TARGET });
    const f = section.sqlite;
    expect(f.path).toMatch(/^\/api\/v1\/contacts\?/);
    expect(f.rows).toBeGreaterThan(0);
    expect([typeof f.medianMs, typeof f.p95Ms]).toEqual(['number', 'number']);
    expect(f.met).toBe(uniqueContactsMet(f));
    expect(section.met).toBe(f.met);
  });

  it('sees every posted webhook in a panel query and reports median, p95 and max, with met from them', () => {
    const section = json.webhookToVisible as unknown as {
      target: typeof VISIBLE_TARGET;
      met: boolean;
      sqlite: { path: string; samples: number; visible: number; medianMs: number; p95Ms: number; maxMs: number; met: boolean };
    };
    expect(section.target).toEqual({ ...VISIBLE_TARGET });
    const f = section.sqlite;
    expect(f.path).toMatch(/^\/api\/v1\/usage\?/);
    expect(f.samples).toBe(5);
    expect(f.visible).toBe(5);
    expect([typeof f.medianMs, typeof f.p95Ms, typeof f.maxMs]).toEqual(['number', 'number', 'number']);
    expect(f.met).toBe(visibleMet(f));
    expect(section.met).toBe(f.met);
  });

  it("measures the connector's re-pricing after rates import under a steady webhook load, with met from its figures", () => {
    const r = json.repricing as unknown as {
      target: typeof REPRICE_TARGET;
      met: boolean;
      importExitCode: number;
      cleanBefore: boolean;
      monthsMarked: number;
      repricedSeconds: number | null;
      seconds: number | null;
      monthCleanSeconds: Array<{ wabaId: string; month: string; seconds: number | null }>;
      stillDirty: Array<{ wabaId: string; month: string; fromDay: string; kinds: number }>;
      wabaDays: number;
      wabaDaysRepriced: number;
      load: { webhooks: number; p99Ms: number; errors: number; wabaId: string; day: string };
    };
    expect(r.target).toEqual({ ...REPRICE_TARGET });
    expect(r.importExitCode).toBe(0);
    expect(r.cleanBefore).toBe(true);
    // The tiny store spans 90 days over four months, on two WABAs: the import marks each.
    expect(r.monthsMarked).toBe(8);
    expect(r.monthCleanSeconds).toHaveLength(8);
    // A month never seen clean is among the marks left at the end; a time for the whole store means every month was seen clean.
    const dirty = new Set(r.stillDirty.map((m) => `${m.wabaId} ${m.month}`));
    for (const m of r.monthCleanSeconds.filter((x) => x.seconds === null)) expect(dirty).toContain(`${m.wabaId} ${m.month}`);
    if (r.seconds !== null) expect(r.monthCleanSeconds.every((m) => m.seconds !== null && m.seconds <= (r.seconds as number))).toBe(true);
    // No mark at all is only the load's marks too, so the import's re-pricing is done no later than the store is clean;
    // once it is done (which ends the measurement) only the load's marks are left.
    if (r.seconds !== null) expect(r.repricedSeconds).toBeLessThanOrEqual(r.seconds);
    if (r.repricedSeconds !== null) expect(onlyLoadMarksLeft(r.stillDirty, r.load)).toBe(true);
    expect(r.wabaDaysRepriced).toBeLessThanOrEqual(r.wabaDays);
    expect(r.wabaDaysRepriced).toBeGreaterThan(0);
    expect(r.load.webhooks).toBeGreaterThan(0);
    expect(typeof r.load.p99Ms).toBe('number');
    expect(r.met).toBe(
      r.importExitCode === 0 && repriceMet({ repricedSeconds: r.repricedSeconds, loadP99Ms: r.load.p99Ms, loadErrors: r.load.errors }),
    );
  });

  it('describes the machine, including the disk fsync rate', () => {
    const machine = json.machine as { nproc: number; memoryGiB: number; node: string; fsyncWritesPerSec: number | null };
    expect(machine.nproc).toBeGreaterThan(0);
    expect(machine.memoryGiB).toBeGreaterThan(0);
    expect(machine.node).toMatch(/^v\d+/);
  });
});

describe('npm run bench --scale tiny --build bulk (queries only)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-bulk-'));
  const out = path.join(dir, 'results.json');
  let result: { code: number | null; stdout: string; stderr: string };
  let json: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    result = await runBench(['--scale', 'tiny', '--build', 'bulk', '--only', 'queries', '--no-postgres', '--out', out]);
    json = JSON.parse(result.stdout);
  }, 240_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('builds the query store by the bulk path, records it, and measures every panel on it', () => {
    expect(result.code).toBe(0);
    const build = json.build as unknown as { path: string; default: boolean; sqlite: { events: number; requests: number } };
    const queries = json.queries as unknown as {
      error?: string;
      builderCheck: { builders: string[]; identical: boolean; mismatches: string[] };
      sqlite: { store: { path: string; events: number; repricedBeforeQueries: unknown }; notMeasured: number; measured: number };
    };
    expect(queries.error).toBeUndefined();
    expect([build.path, build.default, queries.sqlite.store.path]).toEqual(['bulk', false, 'bulk']);
    // tiny: 3,000 messages, each sent + delivered (+ read for some), in one 50,000-event transaction.
    expect(build.sqlite.events).toBeGreaterThan(6_000);
    expect(build.sqlite.requests).toBe(1);
    // The bulk-built 2,000-message store answers every panel request as one-event-per-POST ingest does.
    expect(queries.builderCheck).toMatchObject({ builders: ['webhook', 'bulk'], identical: true, mismatches: [] });
    expect(queries.sqlite.store.repricedBeforeQueries).toMatchObject({ clean: true, dirtyLeft: 0 });
    expect(queries.sqlite.notMeasured).toBe(0);
    expect(queries.sqlite.measured).toBeGreaterThan(20);
  });
});
