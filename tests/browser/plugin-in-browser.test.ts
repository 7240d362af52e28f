// The unmodified dist/module.js in headless Chromium, loaded by SystemJS (system.js + the AMD extra)
// from a host page that shares React, @grafana/* and rxjs as `package:` modules, the way Grafana's
// plugin loader does. The plugin's requests go from the browser to a stand-in data-source proxy that
// applies plugin.json's route (URL, bearer token) and forwards to a real connector (`waspend serve
// --demo`) on loopback, seeded with the demo data.
// Needs the build (npm test runs the slow suites after it) and Debian's chromium (scripts/install.sh).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { applyProxyRoute, readBuiltManifest } from '../plugin-load/stand-ins';
import { CLI, findFreePort, REPO_ROOT, waitForHealth } from '../helpers/connector-harness';

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
    [CLI, 'serve', '--demo', '--db', `sqlite:${path.join(dir, 'demo.sqlite')}`, '--port', String(port), '--host', '127.0.0.1'],
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

jest.setTimeout(300_000);

const repoRoot = path.resolve(__dirname, '..', '..');
const dist = path.join(repoRoot, 'dist');
const PROXY_URL = '/api/datasources/proxy/uid/browser';
const TOKEN = 'browser-test-token';
// The demo data ends now: the last seven days are inside it.
const RANGE = { from: Date.now() - 7 * 86_400_000, to: Date.now() };
const VARIABLES = { country: ['IN', 'MX'] };

const manifest = readBuiltManifest(dist);
const modulePath = require.resolve('systemjs/dist/system.js');
const systemjsDir = path.dirname(modulePath);
const uiImages = path.join(path.dirname(require.resolve('@grafana/ui/package.json')), 'dist', 'public', 'img');

function findChromium(): string {
  const found = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('chromium is not installed: run scripts/install.sh (Debian package chromium)');
  return found;
}

async function buildHost(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'host.js');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'host', 'host.tsx')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    outfile,
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: { '.css': 'empty', '.svg': 'text', '.woff': 'empty', '.woff2': 'empty', '.png': 'empty' },
    jsx: 'automatic',
    logLevel: 'error',
  });
  return outfile;
}

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>waspend plugin host</title></head>
<body style="background:#111217;color:#ccccdc;margin:0">
<div id="root"></div><pre id="result" style="padding:16px;white-space:pre-wrap"></pre>
<!-- The host first: UMD code inside it (lodash) would otherwise register itself with the AMD define. -->
<script src="/host.js"></script>
<script src="/systemjs/system.js"></script>
<script src="/systemjs/extras/amd.js"></script>
</body></html>`;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** Serves the page, SystemJS, the host bundle, dist/ under public/plugins/<id>/, icons, and the proxy. */
function startPageServer(hostJs: string, connector: RealConnector): Promise<{ url: string; close: () => Promise<void> }> {
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
    if (pathname === '/host.js') return sendFile(res, hostJs);
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

describe('dist/module.js in Chromium, loaded by SystemJS like Grafana does', () => {
  let tmp: string;
  let connector: RealConnector;
  let pages: { url: string; close: () => Promise<void> };
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-browser-'));
    const [hostJs, started] = await Promise.all([buildHost(tmp), startRealConnector(tmp, TOKEN)]);
    connector = started;
    pages = await startPageServer(hostJs, connector);
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
    page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
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
    });
    await page.getByLabel('Filter Country').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    await connector?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Waits for the host to show the result of run number `n` (each run is numbered by the host). */
  async function shownAfterRun(n: number): Promise<Shown> {
    await page.waitForFunction((run) => document.getElementById('result')?.dataset.run === String(run), n);
    return JSON.parse((await page.textContent('#result')) ?? '{}');
  }

  it('renders the QueryEditor and runs the query typed into it, through the proxy route', async () => {
    const box = page.getByLabel('Filter Country');
    await box.fill('BR, $country');
    await box.press('Enter');
    const shown = await shownAfterRun(1);

    const usage = connector.seen.filter((s) => s.path === '/api/v1/usage');
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
    fs.mkdirSync(path.join(repoRoot, 'artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(repoRoot, 'artifacts', 'browser-query-editor.png'), fullPage: true });
  });

  it('switches the query kind with the Select and asks the calls endpoint', async () => {
    await page.getByLabel('Query kind').click();
    await page.getByText('Calls', { exact: true }).click();
    const shown = await shownAfterRun(2);
    const calls = connector.seen.filter((s) => s.path === '/api/v1/calls');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.params.country).toBe('BR,IN,MX');
    expect(shown.errors).toEqual([]);
    expect(shown.frames.length).toBeGreaterThan(0);
    expect(shown.frames.flatMap((f) => f.fields.map((x) => x.name))).toContain('Calls');
  });

  it('raised no uncaught error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
