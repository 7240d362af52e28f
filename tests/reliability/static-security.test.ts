/**
 * Static security checks (no process needed):
 * - the webhook signature and the API token are compared with crypto.timingSafeEqual. Constant
 *   time cannot be measured reliably in a test on a shared 2-core VM, so it is checked in the code;
 * - the plugin's only network path is the data-source proxy route: plugin.json routes point at the
 *   configured connector URL, and no plugin source holds an absolute URL or a direct fetch/XHR/WebSocket.
 */
import fs from 'node:fs';
import path from 'node:path';
import { recordFigures } from '../helpers/reliability-figures';

const ROOT = path.resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx|js|mjs)$/.test(d.name) && !/\.test\.(ts|tsx)$/.test(d.name) ? [p] : [];
  });
}

/** Drops comments so that documentation links do not count as code. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const connectorFiles = sourceFiles(path.join(ROOT, 'src', 'connector'));
const pluginDir = path.join(ROOT, 'src', 'plugin');

describe('constant-time comparisons (static)', () => {
  const texts = connectorFiles.map((f) => ({ f: path.relative(ROOT, f), text: stripComments(fs.readFileSync(f, 'utf8')) }));

  test('the X-Hub-Signature-256 check uses crypto.timingSafeEqual, not === on the digest', () => {
    const sigFiles = texts.filter((t) => /x-hub-signature-256/i.test(t.text) || /createHmac\(\s*['"]sha256/.test(t.text));
    expect(sigFiles.length).toBeGreaterThan(0);
    const hmacFiles = sigFiles.filter((t) => /createHmac/.test(t.text));
    expect(hmacFiles.map((t) => ({ file: t.f, timingSafe: /timingSafeEqual/.test(t.text) }))).toEqual(
      hmacFiles.map((t) => ({ file: t.f, timingSafe: true })),
    );
  });

  test('the bearer token check uses crypto.timingSafeEqual', () => {
    const tokenFiles = texts.filter((t) => /authorization/i.test(t.text) && /bearer/i.test(t.text) && !/pull\//.test(t.f));
    expect(tokenFiles.length).toBeGreaterThan(0);
    expect(tokenFiles.some((t) => /timingSafeEqual/.test(t.text))).toBe(true);
  });
});

describe('the plugin talks only through the data-source proxy route (static)', () => {
  test('plugin.json routes target the configured connector URL and carry the token from secureJsonData', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(pluginDir, 'plugin.json'), 'utf8')) as {
      routes?: { path: string; url: string; headers?: { name: string; content: string }[] }[];
    };
    const routes = manifest.routes ?? [];
    expect(routes.length).toBeGreaterThan(0);
    for (const r of routes) {
      expect(r.url).toMatch(/^\{\{\s*\.JsonData\.[A-Za-z]+\s*\}\}/);
      const auth = (r.headers ?? []).find((h) => h.name.toLowerCase() === 'authorization');
      if (auth) expect(auth.content).toMatch(/\{\{\s*\.SecureJsonData\.[A-Za-z]+\s*\}\}/);
    }
  });

  test('no plugin source holds an absolute URL or a direct network call', () => {
    const files = sourceFiles(pluginDir);
    const offences: string[] = [];
    for (const f of files) {
      const text = stripComments(fs.readFileSync(f, 'utf8'));
      const rel = path.relative(ROOT, f);
      for (const m of text.matchAll(/['"`](https?|wss?):\/\/[^'"`\s]*/g)) {
        // grafana.com links in help text are not network calls; anything else is.
        if (!/^['"`]https:\/\/(grafana\.com|developers\.facebook\.com)\//.test(m[0])) offences.push(`${rel}: absolute URL ${m[0]}`);
      }
      for (const m of text.matchAll(/(^|[^.\w])(fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon)\s*\(/g))
        offences.push(`${rel}: direct ${m[2]}(`);
      if (/new\s+(XMLHttpRequest|WebSocket|EventSource)\b/.test(text)) offences.push(`${rel}: direct network object`);
    }
    recordFigures('security-static', { pluginFilesScanned: files.length, offences: offences.length });
    expect(offences).toEqual([]);
    expect(files.length).toBeGreaterThan(0);
  });
});
