// The built dist/module.js against the real connector (`waspend serve --demo`): every query kind,
// Save & test, a variable list and annotations go through the stand-in data-source proxy (plugin.json
// route, bearer token added server-side) and must come back without errors. This is where the
// plugin's requests and the connector's /api/v1 have to agree, beyond the contract schemas.
// Runs in jest.slow.config.js (project plugin-load) after the build.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  dateTime,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type DataSourcePlugin,
} from '@grafana/data';
import { setBackendSrv, setTemplateSrv, type BackendSrv } from '@grafana/runtime';
import { lastValueFrom, type Observable } from 'rxjs';
import { CLI, findFreePort, REPO_ROOT } from '../helpers/connector-harness';
import { DEMO_AS_OF_ARGS, DEMO_AS_OF_MS } from '../helpers/demo-clock';
import { evaluateBundle, fakeDataSourceProxy } from './bundle-harness';
import { readBuiltManifest } from './stand-ins';

const dist = path.join(REPO_ROOT, 'dist');
const PROXY_URL = '/api/datasources/proxy/uid/waspend-real';
const DAY = 86_400_000;

/** Polls /health over loopback (jsdom has no fetch) until it answers or the deadline passes. */
async function waitForHealth(url: string, deadlineMs: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + deadlineMs;
  let last = 'no answer';
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`connector exited with code ${child.exitCode} before it was ready`);
    const status = await new Promise<number>((resolve) => {
      const req = http.get(`${url}/health`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.setTimeout(2000, () => req.destroy());
    });
    if (status === 200 || status === 503) return;
    last = `health answered ${status}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`connector at ${url} not ready within ${deadlineMs} ms (${last})`);
}

describe('dist/module.js against the real demo connector', () => {
  const token = `plugin-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  let dir: string;
  let child: ChildProcess | undefined;
  let output = '';
  let ds: DataSourceApi;
  let connectorUrl: string;
  const manifest = readBuiltManifest(dist);

  beforeAll(async () => {
    const plugin = evaluateBundle(fs.readFileSync(path.join(dist, 'module.js'), 'utf8'), manifest.id, require)
      .plugin as DataSourcePlugin<DataSourceApi>;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-plugin-real-'));
    const port = await findFreePort();
    child = spawn(
      process.execPath,
      [
        CLI,
        'serve',
        '--demo',
        '--db',
        `sqlite:${path.join(dir, 'w.db')}`,
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        ...DEMO_AS_OF_ARGS,
      ],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, WASPEND_API_TOKEN: token },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const url = (connectorUrl = `http://127.0.0.1:${port}`);
    try {
      // Seeding the demo takes ~1 min on an idle 2-core machine; a loaded one needs longer (readiness, not a timing assertion).
      await waitForHealth(url, 300_000, child);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- connector output ---\n${output.slice(-3000)}`, { cause: err });
    }
    setBackendSrv(fakeDataSourceProxy(manifest, PROXY_URL, { connectorUrl: url }, { apiToken: token }) as BackendSrv);
    setTemplateSrv({
      getVariables: () => [],
      replace: (t?: string) => t ?? '',
      containsTemplate: () => false,
      updateTimeRange: () => {},
    } as never);
    const DataSourceClass = plugin.DataSourceClass as unknown as new (s: object) => DataSourceApi;
    ds = new DataSourceClass({
      id: 1,
      uid: 'waspend-real',
      type: manifest.id,
      name: 'waspend',
      url: PROXY_URL,
      access: 'proxy',
      readOnly: false,
      meta: {},
      jsonData: { connectorUrl: url },
    });
  }, 420_000);

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

  // The demo ends at DEMO_AS_OF, so the 30 days before it are inside it.
  const run = async (targets: object[], at?: { from: number; to: number }, filters?: object[]): Promise<DataQueryResponse> => {
    const to = at?.to ?? DEMO_AS_OF_MS;
    const request = {
      requestId: `real-${Math.random()}`,
      interval: '1d',
      intervalMs: DAY,
      scopedVars: {},
      timezone: 'utc',
      app: 'dashboard',
      startTime: to,
      range: { from: dateTime(at?.from ?? to - 30 * DAY), to: dateTime(to), raw: { from: 'now-30d', to: 'now' } },
      targets,
      ...(filters ? { filters } : {}),
    } as unknown as DataQueryRequest;
    return lastValueFrom(ds.query(request) as Observable<DataQueryResponse>);
  };
  const numbers = (frames: DataFrame[]) =>
    frames.flatMap((f) => f.fields.filter((x) => x.type === 'number').flatMap((x) => [...x.values] as number[]));

  it('Save & test reaches the connector through the proxy route', async () => {
    await expect(ds.testDatasource()).resolves.toMatchObject({ status: expect.stringMatching(/success|warning/) });
  });

  it('lists WABAs for a variable', async () => {
    const wabas = await ds.metricFindQuery!({ list: 'wabas' });
    expect(wabas.length).toBeGreaterThan(0);
    expect(wabas.every((w) => typeof w.value === 'string' && w.value !== '')).toBe(true);
  });

  it.each([
    ['messages', { groupBy: ['category'] }],
    ['cost', { groupBy: ['category'], compare: 'previous_period' }],
    ['calls', { groupBy: ['direction'] }],
    ['billing', { metric: 'unique_contacts' }],
    ['billing', { metric: 'billed_units', groupBy: ['market'] }],
    ['projection', { band: true }],
    ['allocation', { groupBy: ['group'] }],
    ['reconciliation', { groupBy: ['category'] }],
    ['tiers', {}],
  ])('a %s query %j runs without errors', async (kind, extra) => {
    const res = await run([{ refId: 'A', schemaVersion: 1, kind, ...extra }]);
    expect(res.errors).toEqual([]);
    expect(numbers(res.data).every((n) => n === null || Number.isFinite(n))).toBe(true);
  });

  it("shows the demo traffic: each WABA filter gives exactly that WABA's messages, and the WABAs add up to the total", async () => {
    const wabas = await ds.metricFindQuery!({ list: 'wabas' });
    expect(wabas.length).toBeGreaterThan(1);
    const to = DEMO_AS_OF_MS;
    const from = to - 30 * DAY;
    const all = await run([{ refId: 'A', schemaVersion: 1, kind: 'messages', groupBy: [] }], { from, to });
    const sum = (r: DataQueryResponse) => numbers(r.data).reduce((a, b) => a + (b ?? 0), 0);
    // The connector's own answer for each WABA, read straight from /api/v1/usage over the same instant range.
    const served = async (waba: string) => {
      // jsdom has no fetch: node:http, as the readiness check above.
      const text = await new Promise<string>((resolve, reject) => {
        const req = http.get(
          `${connectorUrl}/api/v1/usage?from=${from}&to=${to}&interval=day&waba=${waba}`,
          { headers: { authorization: `Bearer ${token}` } },
          (res) => {
            let data = '';
            res.on('data', (c: Buffer) => (data += c.toString()));
            res.on('end', () => (res.statusCode === 200 ? resolve(data) : reject(new Error(`usage answered ${res.statusCode}: ${data}`))));
          },
        );
        req.on('error', reject);
      });
      const body = JSON.parse(text) as { rows: { messages: number }[] };
      return body.rows.reduce((a, r) => a + r.messages, 0);
    };
    let perWaba = 0;
    for (const w of wabas) {
      const one = sum(
        await run([{ refId: 'A', schemaVersion: 1, kind: 'messages', groupBy: [], filters: { waba: [String(w.value)] } }], { from, to }),
      );
      const truth = await served(String(w.value));
      expect(truth).toBeGreaterThan(0);
      expect(one).toBe(truth);
      perWaba += one;
    }
    expect(sum(all)).toBe(perWaba);
    const cost = await run([{ refId: 'A', schemaVersion: 1, kind: 'cost', groupBy: ['category'] }], { from, to });
    expect(cost.data.length).toBeGreaterThan(0);
    expect(numbers(cost.data).some((n) => n > 0)).toBe(true);
  });

  it("an ad-hoc filter country = BR narrows the request, and the frames equal the connector's own BR answer", async () => {
    const countries = (await ds.getTagValues!({ key: 'country', filters: [] })) as Array<{ value?: unknown }>;
    expect(countries.map((c) => c.value)).toContain('BR');
    const to = DEMO_AS_OF_MS;
    const from = to - 30 * DAY;
    const served = await new Promise<{ rows: Array<{ messages: number; currency: string; cost: string | null }> }>((resolve, reject) => {
      const req = http.get(
        `${connectorUrl}/api/v1/usage?from=${from}&to=${to}&interval=day&country=BR`,
        { headers: { authorization: `Bearer ${token}` } },
        (res) => {
          let data = '';
          res.on('data', (c: Buffer) => (data += c.toString()));
          res.on('end', () =>
            res.statusCode === 200 ? resolve(JSON.parse(data)) : reject(new Error(`usage answered ${res.statusCode}: ${data}`)),
          );
        },
      );
      req.on('error', reject);
    });
    const adhoc = [{ key: 'country', operator: '=', value: 'BR' }];
    const messages = await run([{ refId: 'A', schemaVersion: 1, kind: 'messages', groupBy: [] }], { from, to }, adhoc);
    expect(messages.errors).toEqual([]);
    const truth = served.rows.reduce((a, r) => a + r.messages, 0);
    expect(truth).toBeGreaterThan(0);
    expect(numbers(messages.data).reduce((a, b) => a + (b ?? 0), 0)).toBe(truth);
    const everywhere = await run([{ refId: 'A', schemaVersion: 1, kind: 'messages', groupBy: [] }], { from, to });
    expect(numbers(everywhere.data).reduce((a, b) => a + (b ?? 0), 0)).toBeGreaterThan(truth);
    // Cost per currency in micro-units (exact): the frames against the connector's decimal strings.
    const cost = await run([{ refId: 'A', schemaVersion: 1, kind: 'cost', groupBy: [] }], { from, to }, adhoc);
    expect(cost.errors).toEqual([]);
    const micros = (v: number | string | null) => (v === null ? 0 : Math.round(Number(v) * 1e6));
    const want: Record<string, number> = {};
    for (const r of served.rows) want[r.currency] = (want[r.currency] ?? 0) + micros(r.cost);
    const got: Record<string, number> = {};
    const currencies = Object.keys(want);
    for (const f of cost.data as DataFrame[]) {
      const currency = currencies.length === 1 ? currencies[0]! : f.name!;
      got[currency] = (got[currency] ?? 0) + (f.fields[1]!.values as Array<number | null>).reduce<number>((a, v) => a + micros(v), 0);
    }
    expect(got).toEqual(want);
  });

  it('returns annotation events as a frame Grafana can read', async () => {
    const target = ds.annotations!.prepareQuery!(ds.annotations!.prepareAnnotation!({ name: 'changes', enable: true, target: {} }))!;
    const res = await run([target]);
    expect(res.errors).toEqual([]);
    expect(res.data[0]!.fields.map((f: { name: string }) => f.name)).toEqual(['time', 'title', 'text', 'tags']);
  });

  it('a wrong token is refused by the real connector and reported as such', async () => {
    const before = output.length;
    setBackendSrv(fakeDataSourceProxy(manifest, PROXY_URL, { connectorUrl }, { apiToken: 'not-the-token' }) as BackendSrv);
    try {
      await expect(ds.testDatasource()).resolves.toMatchObject({
        status: 'error',
        message: expect.stringMatching(/refused the API token/),
      });
    } finally {
      setBackendSrv(fakeDataSourceProxy(manifest, PROXY_URL, { connectorUrl }, { apiToken: token }) as BackendSrv);
    }
    // The connector must not log either token.
    expect(output.slice(before)).not.toContain('not-the-token');
    expect(output).not.toContain(token);
  });
});
