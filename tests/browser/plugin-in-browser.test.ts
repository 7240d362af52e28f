// The unmodified dist/module.js in headless Chromium, loaded by SystemJS (system.js + the AMD and
// named-register extras) from a host page that shares React, @grafana/* and rxjs as `package:`
// modules the way Grafana's plugin loader does, twice: in a Grafana 13 host (React 19, @grafana 13.2,
// the repository's own install) and a Grafana 12 host (React 18, @grafana 12.4, installed from
// tests/browser/host-react18). In each, the plugin's ConfigEditor and QueryEditor render and run, and
// every dashboard in dashboards/ is drawn by @grafana/ui's visualisations from the plugin's own
// queries. The plugin's requests go from the browser to a stand-in data-source proxy that applies
// plugin.json's route (URL, bearer token) and forwards to a real connector (`waspend serve --demo`)
// on loopback, seeded with the demo data. Screenshots land in artifacts/.
// Needs the build (npm test runs the slow suites after it) and Debian's chromium (scripts/install.sh).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { applyProxyRoute, readBuiltManifest } from '../plugin-load/stand-ins';
import { CLI, findFreePort, REPO_ROOT, waitForHealth } from '../helpers/connector-harness';
import { DEMO_AS_OF_ARGS, DEMO_AS_OF_MS } from '../helpers/demo-clock';
import { requirePrerequisite } from '../helpers/prerequisites';
import { buildHostBundle, ensureHostInstalled, expectedVersions, HOSTS, type BrowserHost } from './hosts';

/** The real connector behind the proxy stand-in, and what the proxy forwarded to it (after the route). */
interface RealConnector {
  url: string;
  seen: Array<{ path: string; params: Record<string, string>; auth: string | undefined }>;
  /** Bodies the connector answered to /api/v1/usage, in order. */
  usageBodies: Array<{ rows: Array<{ category?: string; cost: string | null }> }>;
  close: () => Promise<void>;
}

async function startRealConnector(dir: string, token: string): Promise<RealConnector> {
  const port = await findFreePort();
  const child = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--demo',
      ...DEMO_AS_OF_ARGS,
      '--db',
      `sqlite:${path.join(dir, 'demo.sqlite')}`,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, WASPEND_API_TOKEN: token },
      stdio: 'ignore',
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, 180_000, child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url,
    seen: [],
    usageBodies: [],
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

jest.setTimeout(600_000);

const repoRoot = path.resolve(__dirname, '..', '..');
const dist = path.join(repoRoot, 'dist');
const artifacts = path.join(repoRoot, 'artifacts');
const PROXY_URL = '/api/datasources/proxy/uid/browser';
const TOKEN = 'browser-test-token';
// The demo data ends at DEMO_AS_OF (pinned, so the pictures and figures do not move with the
// calendar): the seven days before it are inside it.
const RANGE = { from: DEMO_AS_OF_MS - 7 * 86_400_000, to: DEMO_AS_OF_MS };
const VARIABLES = { country: ['IN', 'MX'] };
const DASHBOARD_WIDTH = 1600;

const manifest = readBuiltManifest(dist);
const systemjsDir = path.dirname(require.resolve('systemjs/dist/system.js'));
const uiImages = path.join(path.dirname(require.resolve('@grafana/ui/package.json')), 'dist', 'public', 'img');
const DASHBOARDS = fs
  .readdirSync(path.join(repoRoot, 'dashboards'))
  .filter((f) => f.endsWith('.json'))
  .sort();

function findChromium(): string {
  const found = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('chromium is not installed: run scripts/install.sh (Debian package chromium)');
  return found;
}

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>waspend plugin host</title><link rel="stylesheet" href="/host.css"></head>
<body style="background:#111217;color:#ccccdc;margin:0">
<div id="root"></div><pre id="result" style="padding:16px;white-space:pre-wrap"></pre>
<!-- The host first: UMD code inside it (lodash) would otherwise register itself with the AMD define. -->
<script src="/host.js"></script>
<script src="/systemjs/system.js"></script>
<script src="/systemjs/extras/amd.js"></script>
<script src="/systemjs/extras/named-register.js"></script>
</body></html>`;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.css': 'text/css',
};

/** Serves the page, SystemJS, the host bundle, dist/ under public/plugins/<id>/, icons, and the proxy. */
function startPageServer(
  host: { file: string; css: string },
  connector: RealConnector,
): Promise<{ url: string; close: () => Promise<void> }> {
  const sendFile = (res: http.ServerResponse, file: string) => {
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  };
  const inside = (base: string, rel: string) => {
    const file = path.resolve(base, rel);
    return file.startsWith(base + path.sep) ? file : path.join(base, '__outside__');
  };
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const pathname = new URL(url, 'http://host.invalid').pathname;
    if (pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(PAGE);
    }
    if (pathname === '/host.js') return sendFile(res, host.file);
    if (pathname === '/host.css') return sendFile(res, host.css);
    if (pathname.startsWith('/systemjs/')) return sendFile(res, inside(systemjsDir, pathname.slice('/systemjs/'.length)));
    const pluginPrefix = `/public/plugins/${manifest.id}/`;
    if (pathname.startsWith(pluginPrefix)) return sendFile(res, inside(dist, pathname.slice(pluginPrefix.length)));
    const icons = /\/img\/(.+)$/.exec(pathname);
    if (pathname.startsWith('/public/') && icons) return sendFile(res, inside(uiImages, icons[1]!));
    const routed = applyProxyRoute(manifest, PROXY_URL, url, { connectorUrl: connector.url }, { apiToken: TOKEN });
    if (routed) {
      connector.seen.push({
        path: routed.target.pathname,
        params: Object.fromEntries(routed.target.searchParams),
        auth: routed.headers.Authorization,
      });
      const upstream = http.request(routed.target, { method: req.method, headers: routed.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, { 'content-type': up.headers['content-type'] ?? 'application/json' });
        const chunks: Buffer[] = [];
        up.on('data', (d: Buffer) => chunks.push(d));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          if (routed.target.pathname === '/api/v1/usage' && up.statusCode === 200) connector.usageBodies.push(JSON.parse(body.toString()));
          res.end(body);
        });
      });
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      return upstream.end();
    }
    res.writeHead(404);
    res.end();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

interface Shown {
  errors: string[];
  frames: Array<{ name?: string; fields: Array<{ name: string; values: unknown[] }> }>;
}

/** What one drawn panel shows, read from its DOM. */
interface PanelReport {
  title: string;
  /** A repeated panel's copy: the value of the repeat variable it was drawn for. */
  repeatValue: string | null;
  type: string;
  queryError: string;
  renderError: string | null;
  text: string;
  values: Array<{ title?: string; text: string; numeric: number }> | null;
  canvases: Array<{ width: number; height: number; painted: number }>;
  points: number | null;
  series: number | null;
  rows: number | null;
  tableRows: number;
  slices: number | null;
}

/** A dashboard's time range with "now" at DEMO_AS_OF: now-30d, or now/M (start of the UTC month). */
function rangeOf(dashboard: { time?: { from?: string; to?: string } }): { from: number; to: number; raw: { from: string; to: string } } {
  const raw = { from: dashboard.time?.from ?? 'now-30d', to: dashboard.time?.to ?? 'now' };
  const now = DEMO_AS_OF_MS;
  if (raw.to !== 'now') throw new Error(`dashboard time.to ${raw.to}: only "now" is handled here`);
  const days = /^now-(\d+)d$/.exec(raw.from);
  if (days) return { from: now - Number(days[1]) * 86_400_000, to: now, raw };
  if (raw.from === 'now/M') {
    const d = new Date(now);
    return { from: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), to: now, raw };
  }
  throw new Error(`dashboard time.from ${raw.from}: only now-Nd and now/M are handled here`);
}

type PanelName = { title: string; repeatValue: string | null };
const byTitle = (a: PanelName, b: PanelName) => `${a.title}\u0000${a.repeatValue}`.localeCompare(`${b.title}\u0000${b.repeatValue}`);

/** The WABAs the connector lists, asked directly (not through the plugin). */
async function wabaList(connectorUrl: string): Promise<Array<{ text: string; value: string }>> {
  const res = await fetch(`${connectorUrl}/api/v1/lists/wabas`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  const items = ((await res.json()) as { items: Array<{ text: string; value: string }> }).items;
  expect(items.length).toBeGreaterThan(1);
  return items.map((i) => ({ text: i.text, value: i.value }));
}

/** Text a reader must never see in a panel. */
const WRONG_TEXT = /\bNaN\b|\bundefined\b|Infinity|No data|Panel error|Query error|Unsupported panel|\bcurrency[A-Z]{3}\b/;

const withChromium = requirePrerequisite('Chromium');

withChromium.describe('dist/module.js in Chromium, in two Grafana hosts', () => {
  let tmp: string;
  let connector: RealConnector;
  let browser: Browser;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-browser-'));
    connector = await startRealConnector(tmp, TOKEN);
    browser = await chromium.launch({
      executablePath: findChromium(),
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    fs.mkdirSync(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await connector?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe.each(HOSTS)('dist/module.js in Chromium, loaded by SystemJS like Grafana $generation does ($name host)', (host: BrowserHost) => {
    let pages: { url: string; close: () => Promise<void> };
    let page: Page;
    let bundleInputs: string[];
    const pageErrors: string[] = [];
    /** Where connector.seen stood when each test started: requests of this test only. */
    let mark = 0;
    const seenSince = () => connector.seen.slice(mark);

    beforeAll(async () => {
      ensureHostInstalled(host);
      const bundle = await buildHostBundle(host, tmp);
      bundleInputs = bundle.inputs;
      pages = await startPageServer(bundle, connector);
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      await page.goto(`${pages.url}/`);
      // The host script failing to load would otherwise surface only as "waspendHost is undefined".
      if (!(await page.evaluate(() => Boolean(window.waspendHost)))) throw new Error(`host page did not start: ${pageErrors.join('; ')}`);
      // Rethrown with the stack, which page.evaluate would otherwise drop.
      await page.evaluate((config) => window.waspendHost.start(config).catch((e: Error) => Promise.reject(new Error(String(e.stack)))), {
        pluginId: manifest.id,
        proxyUrl: PROXY_URL,
        variables: VARIABLES,
        range: RANGE,
        generation: host.generation,
      });
      await page.getByLabel('Filter Country').waitFor();
    });

    beforeEach(() => {
      mark = connector.seen.length;
    });

    afterAll(async () => {
      await page?.close();
      await pages?.close();
    });

    it('runs one React and one @grafana copy, from its own install', async () => {
      const expected = expectedVersions(host);
      expect(await page.evaluate(() => window.waspendHost.versions)).toEqual({ react: expected.react, grafana: expected.grafana });
      const packageFiles = bundleInputs.filter((f) => f.includes(`${path.sep}node_modules${path.sep}`));
      expect(packageFiles.length).toBeGreaterThan(0);
      expect(packageFiles.filter((f) => !f.startsWith(expected.modules + path.sep))).toEqual([]);
      const reactCopies = new Set(
        packageFiles.filter((f) => /[\\/]node_modules[\\/]react[\\/]/.test(f)).map((f) => f.split(/[\\/]node_modules[\\/]react[\\/]/)[0]),
      );
      expect(reactCopies.size).toBe(1);
    });

    it("set up SystemJS the way this Grafana generation's loader does", async () => {
      const seen = await page.evaluate(() => {
        const w = window as unknown as { define?: unknown; __grafana_amd_define?: unknown };
        return {
          define: typeof w.define,
          grafanaAmdDefine: typeof w.__grafana_amd_define,
          react: window.System.has('package:react'),
          data: window.System.has('package:@grafana/data'),
        };
      });
      // Grafana 12 moves the AMD define aside and hands it to each plugin source through its fetch hook;
      // Grafana 13 leaves the global define and registers react lazily (named-register), resolved once imported.
      if (host.generation === '12') expect(seen).toEqual({ define: 'undefined', grafanaAmdDefine: 'function', react: true, data: true });
      else expect(seen).toEqual({ define: 'function', grafanaAmdDefine: 'undefined', react: true, data: true });
    });

    it('renders the ConfigEditor and passes edits to onOptionsChange', async () => {
      const url = page.getByLabel('Connector URL');
      await expect(url.inputValue()).resolves.toBe('http://connector:8080');
      await url.fill('http://waspend-connector:9090');
      await page.waitForFunction(() => document.getElementById('config-editor')?.dataset.options?.includes('waspend-connector:9090'));
      await expect(page.getByLabel('API token').isVisible()).resolves.toBe(true);
    });

    it('renders the QueryEditor and runs the query typed into it, through the proxy route', async () => {
      const box = page.getByLabel('Filter Country');
      await box.fill('BR, $country');
      await box.press('Enter');
      const shown = await shownAfterRun(1);

      const usage = seenSince().filter((s) => s.path === '/api/v1/usage');
      expect(usage).toHaveLength(1);
      // The token was added by the proxy stand-in from plugin.json; the browser never had it.
      expect(usage[0]!.auth).toBe(`Bearer ${TOKEN}`);
      expect(usage[0]!.params).toMatchObject({ country: 'BR,IN,MX', from: String(RANGE.from), to: String(RANGE.to) });

      expect(shown.errors).toEqual([]);
      // The frames hold exactly what the connector answered: the same total cost, split by category.
      const served = connector.usageBodies.at(-1)!.rows;
      expect(served.length).toBeGreaterThan(0);
      expect(shown.frames.length).toBeGreaterThan(0);
      const shownTotal = shown.frames.reduce(
        (sum, f) =>
          sum +
          f.fields
            .slice(1)
            .flatMap((x) => x.values)
            .reduce((a: number, v) => a + (typeof v === 'number' ? v : 0), 0),
        0,
      );
      const servedTotal = served.reduce((sum, r) => sum + Number(r.cost ?? 0), 0);
      expect(shownTotal).toBeCloseTo(servedTotal, 6);
      expect(servedTotal).toBeGreaterThan(0);
      await page.screenshot({ path: path.join(artifacts, `browser-editors-${host.name}.png`), fullPage: true });
    });

    it('switches the query kind with the Select and asks the calls endpoint', async () => {
      await page.getByLabel('Query kind').click();
      await page.getByText('Calls', { exact: true }).click();
      const shown = await shownAfterRun(2);
      const calls = seenSince().filter((s) => s.path === '/api/v1/calls');
      expect(calls).toHaveLength(1);
      expect(calls[0]!.params.country).toBe('BR,IN,MX');
      expect(shown.errors).toEqual([]);
      expect(shown.frames.length).toBeGreaterThan(0);
      expect(shown.frames.flatMap((f) => f.fields.map((x) => x.name))).toContain('Calls');
    });

    it.each(DASHBOARDS)("draws %s with @grafana/ui from the plugin's queries: every panel shows its values", async (file) => {
      const dashboard = JSON.parse(fs.readFileSync(path.join(repoRoot, 'dashboards', file), 'utf8'));
      await page.setViewportSize({ width: DASHBOARD_WIDTH + 16, height: 900 });
      await page.evaluate(
        (request) => window.waspendHost.renderDashboard(request).catch((e: Error) => Promise.reject(new Error(String(e.stack)))),
        { dashboard, range: rangeOf(dashboard), width: DASHBOARD_WIDTH },
      );
      await page.waitForSelector('[data-testid="dashboard-ready"]', { state: 'attached' });
      // uPlot draws on a canvas once laid out; wait for every time series that has data to have one.
      await page.waitForFunction(() =>
        [...document.querySelectorAll('[data-testid="panel"][data-type="timeseries"]')].every(
          (s) => (s as HTMLElement).dataset.queryError || s.querySelector('[data-panel-error]') || s.querySelector('canvas'),
        ),
      );
      const reports: PanelReport[] = await page.$$eval('[data-testid="panel"]', (sections) =>
        sections.map((s) => {
          const el = s as HTMLElement;
          const body = el.querySelector('[data-testid="panel-body"]') as HTMLElement;
          const attr = (sel: string, name: string) => el.querySelector(sel)?.getAttribute(name) ?? null;
          const num = (sel: string, name: string) => (attr(sel, name) === null ? null : Number(attr(sel, name)));
          return {
            title: el.dataset.title ?? '',
            repeatValue: el.dataset.repeatValue ?? null,
            type: el.dataset.type ?? '',
            queryError: el.dataset.queryError ?? '',
            renderError: attr('[data-panel-error]', 'data-panel-error'),
            text: body.innerText,
            values: JSON.parse(attr('[data-values]', 'data-values') ?? 'null'),
            canvases: [...el.querySelectorAll('canvas')].map((c) => {
              const ctx = c.getContext('2d');
              const img = ctx?.getImageData(0, 0, c.width, c.height).data;
              let painted = 0;
              for (let i = 3; img && i < img.length; i += 4) if (img[i]! > 0) painted++;
              return { width: c.width, height: c.height, painted };
            }),
            points: num('[data-points]', 'data-points'),
            series: num('[data-series]', 'data-series'),
            rows: num('[data-rows]', 'data-rows'),
            tableRows: el.querySelectorAll('[role="row"]').length,
            slices: num('[data-slices]', 'data-slices'),
          };
        }),
      );
      await page.screenshot({ path: path.join(artifacts, `dashboard-${file.replace(/\.json$/, '')}-${host.name}.png`), fullPage: true });

      // Grafana draws a repeated panel once per value of its variable (all WABAs here, "All" selected).
      type DashPanel = { type: string; title: string; repeat?: string; panels?: DashPanel[] };
      const all = (dashboard.panels as DashPanel[]).flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
      const wabas = await wabaList(connector.url);
      const expected = all.flatMap((p): PanelName[] =>
        p.repeat
          ? wabas.map((w) => ({ title: p.title.replace(`\${${p.repeat}:text}`, w.text), repeatValue: w.value }))
          : [{ title: p.title, repeatValue: null }],
      );
      expect(all.filter((p) => p.repeat && p.repeat !== 'waba')).toEqual([]);
      expect(reports.map((r): PanelName => ({ title: r.title, repeatValue: r.repeatValue })).sort(byTitle)).toEqual(expected.sort(byTitle));
      const problems: string[] = [];
      for (const r of reports) {
        const at = `${file} "${r.title}" (${r.type})`;
        if (r.queryError) problems.push(`${at}: query error ${r.queryError}`);
        if (r.renderError) problems.push(`${at}: render error ${r.renderError}`);
        const wrong = WRONG_TEXT.exec(r.text);
        if (wrong) problems.push(`${at}: shows "${wrong[0]}" in: ${r.text.replace(/\s+/g, ' ').slice(0, 200)}`);
        if (r.type === 'stat' || r.type === 'bargauge' || r.type === 'piechart') {
          if (!r.values?.length) problems.push(`${at}: no values`);
          const flat = r.text.replace(/\s+/g, '');
          for (const v of r.values ?? []) {
            if (!Number.isFinite(v.numeric)) problems.push(`${at}: ${v.title} is ${v.numeric}`);
            if (!flat.includes(v.text.replace(/\s+/g, ''))) problems.push(`${at}: "${v.text}" (${v.title}) is not drawn`);
          }
        }
        if (r.type === 'piechart' && !(r.slices! > 0)) problems.push(`${at}: no slices`);
        if (r.type === 'timeseries') {
          if (!(r.points! > 0) || !(r.series! > 0)) problems.push(`${at}: ${r.series} series, ${r.points} points`);
          if (!r.canvases.some((c) => c.width > 0 && c.height > 0 && c.painted > 0))
            problems.push(`${at}: nothing painted on the plot canvas`);
        }
        if (r.type === 'table' && (!(r.rows! > 0) || r.tableRows < 2))
          problems.push(`${at}: ${r.rows} rows in the frame, ${r.tableRows} drawn`);
        if (r.type === 'text' && !r.text.trim()) problems.push(`${at}: empty`);
      }
      expect(problems).toEqual([]);
    });

    it('raised no uncaught error in the page', () => {
      expect(pageErrors).toEqual([]);
    });

    /** Waits for the host to show the result of run number `n` (each run is numbered by the host). */
    async function shownAfterRun(n: number): Promise<Shown> {
      await page.waitForFunction((run) => document.getElementById('result')?.dataset.run === String(run), n);
      return JSON.parse((await page.textContent('#result')) ?? '{}');
    }
  });
});
