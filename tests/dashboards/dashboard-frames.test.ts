import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, findFreePort, REPO_ROOT, waitForHealth } from '../helpers/connector-harness';
import { DEMO_AS_OF_ARGS, DEMO_AS_OF_MS } from '../helpers/demo-clock';
import { label, numericWithValues, panelProblems, runDashboardQueriesScript, runGoldenScript } from './panel-checks';
import type { GoldenPanel } from './golden-panels';
import type { TargetReport } from './dashboard-queries';
import { readAllDashboards, type Json } from './dashboard-files';
import { buildAnnotationsRequest, buildListRequest, parseVariableQuery, toAnnotationEvents } from '../../src/plugin/api/lookups';
import { toMetricFindValues } from '../../src/plugin/api/lookups';

// Every target of every dashboard through the plugin's query layer (runQuery) against a real
// connector serving the demo data, with the API token as a bearer header: each must give frames with
// values. The connector's CLI is assumed to take these arguments and read its API token from
// WASPEND_API_TOKEN (as docker-compose.yml runs it); adjust SERVE_ARGS / TOKEN_ENV here if it differs.
const TOKEN_ENV = 'WASPEND_API_TOKEN';
const SERVE_ARGS = (dbFile: string, port: number) => [
  'serve',
  '--demo',
  '--db',
  `sqlite:${dbFile}`,
  '--port',
  String(port),
  '--host',
  '127.0.0.1',
  ...DEMO_AS_OF_ARGS,
];

describe('dashboards against a demo connector', () => {
  const token = `dash-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  let dir: string;
  let child: ChildProcess | undefined;
  let output = '';
  let reports: TargetReport[];
  let golden: GoldenPanel[];
  let url: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-dash-'));
    const port = await findFreePort();
    child = spawn(process.execPath, [CLI, ...SERVE_ARGS(path.join(dir, 'w.db'), port)], {
      cwd: REPO_ROOT,
      env: { ...process.env, [TOKEN_ENV]: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    url = `http://127.0.0.1:${port}`;
    try {
      // Seeding the demo month (~260k events) takes minutes on a loaded machine.
      await waitForHealth(url, 420_000, child);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- connector output ---\n${output.slice(-3000)}`, { cause: err });
    }
    // The demo ends at DEMO_AS_OF: the 30 days before it are all inside it (a month end and Berlin's DST change included).
    const range = ['--url', url, '--to', String(DEMO_AS_OF_MS)];
    reports = await runDashboardQueriesScript(range, { [TOKEN_ENV]: token });
    golden = await runGoldenScript(range, { [TOKEN_ENV]: token });
  }, 600_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      const force = setTimeout(() => child?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(force);
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  test('every target gives frames with values', () => {
    expect(reports.length).toBeGreaterThan(0);
    for (const r of reports) {
      expect({ at: label(r), error: r.error }).toEqual({ at: label(r), error: undefined });
      expect({ at: label(r), valued: numericWithValues(r.frames).length > 0 }).toEqual({ at: label(r), valued: true });
    }
  });

  test("every panel's transformations and options find the fields they name in the demo data", () => {
    const problems = reports.flatMap((r) => panelProblems(r).map((p) => `${label(r)}: ${p}`));
    expect(problems).toEqual([]);
  });

  test("every dashboard variable's list query gives values through the plugin's lookups", async () => {
    const failures: string[] = [];
    for (const { file, json } of readAllDashboards()) {
      for (const v of (json.templating.list as Json[]).filter((x) => x.type === 'query')) {
        const req = buildListRequest(parseVariableQuery(v.query), (text) => text);
        const res = await fetch(`${url}${req.path}${req.search ? `?${req.search}` : ''}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = await res.text();
        if (!res.ok) failures.push(`${file} $${v.name}: ${req.path} answered ${res.status} ${body.slice(0, 200)}`);
        else if (!toMetricFindValues(JSON.parse(body)).length) failures.push(`${file} $${v.name}: ${req.path} gave no values`);
      }
    }
    expect(failures).toEqual([]);
  });

  test("every dashboard's annotation query is answered by the connector in the plugin's shape", async () => {
    const now = DEMO_AS_OF_MS;
    let events = 0;
    for (const { json } of readAllDashboards()) {
      for (const a of (json.annotations.list as Json[]).filter((x) => x.target?.queryType)) {
        const req = buildAnnotationsRequest({ fromMs: now - 60 * 86_400_000, toMs: now }, a.target.kinds, []);
        const res = await fetch(`${url}${req.path}?${req.search}`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        events += toAnnotationEvents(await res.json()).length;
      }
    }
    // The demo's 60 days include tier and template-category updates.
    expect(events).toBeGreaterThan(0);
  });

  test('golden numbers: every stat, bar gauge, table and series shows what the demo API answered', () => {
    const key = (p: GoldenPanel) => `${p.dashboardUid}#${p.panelId}${p.repeat ? ` ${Object.values(p.repeat).join(',')}` : ''}`;
    expect(golden.length).toBeGreaterThan(0);
    const wrong = golden.filter((p) => (p.problems ?? ['not checked']).length);
    expect(wrong.flatMap((p) => (p.problems ?? ['not checked']).map((x) => `${key(p)} "${p.title}": ${x}`))).toEqual([]);
  });

  test('the API token never appears in what the connector logged', () => {
    expect(output.includes(token)).toBe(false);
  });
});
