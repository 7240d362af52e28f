// Issue 5's reviewer view: the messaging-overview dashboard's data from a real connector with demo
// data, run through the plugin's query layer and the panels' transformations, formatted by @grafana/data's
// display processors in headless Chromium, checked for rows in every panel and saved as artifacts/overview.png.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { CLI, findFreePort, REPO_ROOT, waitForHealth } from '../helpers/connector-harness';

jest.setTimeout(300_000);

const TOKEN = `overview-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;

function findChromium(): string {
  const found = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('chromium is not installed: run scripts/install.sh (Debian package chromium)');
  return found;
}

function overviewFrames(url: string): Promise<{ title: string; frames: unknown[] }[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'overview', 'overview-frames.ts'), '--url', url],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, WASPEND_API_TOKEN: TOKEN },
        maxBuffer: 256 * 1024 * 1024,
      },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr.slice(-3000)}`)) : resolve(JSON.parse(stdout))),
    );
  });
}

describe('messaging overview drawn from demo data', () => {
  let dir: string;
  let connector: ChildProcess;
  let browser: Browser | undefined;
  let server: http.Server | undefined;
  let output = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-overview-'));
    const port = await findFreePort();
    connector = spawn(
      process.execPath,
      [CLI, 'serve', '--demo', '--db', `sqlite:${path.join(dir, 'w.db')}`, '--port', String(port), '--host', '127.0.0.1'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, WASPEND_API_TOKEN: TOKEN },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    connector.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    connector.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitForHealth(`http://127.0.0.1:${port}`, 180_000, connector);
    (globalThis as { overviewUrl?: string }).overviewUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    connector?.kill('SIGTERM');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows rows in every panel and writes artifacts/overview.png', async () => {
    const panels = await overviewFrames((globalThis as { overviewUrl?: string }).overviewUrl as string);
    expect(panels.length).toBeGreaterThanOrEqual(6);
    const bundle = path.join(dir, 'overview-page.js');
    await esbuild.build({
      entryPoints: [path.join(__dirname, 'overview', 'overview-page.tsx')],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      outfile: bundle,
      define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
      loader: { '.css': 'empty', '.svg': 'text', '.woff': 'empty', '.woff2': 'empty', '.png': 'empty' },
      jsx: 'automatic',
      logLevel: 'error',
    });
    browser = await chromium.launch({ executablePath: findChromium(), args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1224, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(m.text().slice(0, 300)));
    // A real http origin: @grafana/ui reads localStorage, which about:blank does not have.
    const html =
      '<!doctype html><html><head><meta charset="utf-8"></head><body style="background:#111217;color:#ccccdc;margin:0;font-family:sans-serif"><div id="root"></div><script src="/page.js"></script></body></html>';
    server = http.createServer((req, res) => {
      if (req.url === '/page.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return void fs.createReadStream(bundle).pipe(res);
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    if (errors.length) throw new Error(`the overview page failed to load: ${errors.join('; ')}`);
    await page.evaluate((data) => (window as unknown as { renderOverview(p: unknown): void }).renderOverview(data), panels);
    await page.waitForSelector('[data-testid="overview-ready"]', { timeout: 60_000, state: 'attached' }).catch(async (err: Error) => {
      throw new Error(
        `${err.message}; body: ${(await page.content()).slice(0, 400)}; page errors: ${errors.join('; ') || 'none'}; console: ${consoleLines.slice(-5).join(' | ')}`,
      );
    });
    const rows = await page.$$eval('[data-testid="panel"]', (els) =>
      els.map((e) => ({ title: e.querySelector('h3')?.textContent ?? '', rows: Number(e.getAttribute('data-rows')) })),
    );
    fs.mkdirSync(path.join(REPO_ROOT, 'artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(REPO_ROOT, 'artifacts', 'overview.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(rows.length).toBe(panels.length);
    for (const r of rows) expect({ panel: r.title, hasRows: r.rows > 0 }).toEqual({ panel: r.title, hasRows: true });
    // The demo token must not reach the page or the connector's output.
    expect(output.includes(TOKEN)).toBe(false);
  });
});
