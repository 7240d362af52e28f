// plugin.json checked offline against Grafana's published schema (the official validator needs to
// download a binary), plus what the schema cannot know: files it names exist, the proxy route is the
// one the DataSource calls, and the token only ever comes from secureJsonData.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
// node-semver ships no types; only these three functions are used.
const semver = require('semver') as {
  validRange(range: string): string | null;
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string } | null;
};
import { PROXY_ROUTE } from '../../src/plugin/options';
import { requirePrerequisite } from '../helpers/prerequisites';

const repoRoot = path.resolve(__dirname, '..', '..');
const pluginDir = path.join(repoRoot, 'src', 'plugin');
const SCHEMA_REL = path.join('shared', 'schemas', 'plugin.schema.json');

/**
 * The schema is a shared project asset kept beside the repository, not vendored into it. A clean
 * clone elsewhere finds it next to the repository it was cloned from (a local origin), or through
 * WASPEND_PLUGIN_SCHEMA.
 */
function findSchema(): string | null {
  const candidates = [process.env.WASPEND_PLUGIN_SCHEMA, path.resolve(repoRoot, '..', SCHEMA_REL)];
  try {
    const origin = execFileSync('git', ['remote', 'get-url', 'origin'], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .replace(/^file:\/\//, '');
    if (path.isAbsolute(origin)) candidates.push(path.resolve(origin, '..', SCHEMA_REL));
  } catch {
    // not a git checkout, or no origin: the other candidates stand
  }
  return candidates.find((c): c is string => Boolean(c) && fs.existsSync(c as string)) ?? null;
}

const schemaPath = findSchema();
// Only the two schema checks depend on it; the rest of this file runs either way.
const schema = requirePrerequisite(
  "Grafana's plugin.schema.json",
  () => schemaPath !== null,
  'it is looked for in shared/schemas/ beside the repository and beside its origin; set WASPEND_PLUGIN_SCHEMA to the file',
);

/** The schema's own grafanaDependency pattern (the Go validator reads it as a plain regular expression). */
function schemaGrafanaDependencyPattern(): string {
  if (!schemaPath) throw new Error('shared/schemas/plugin.schema.json not found: set WASPEND_PLUGIN_SCHEMA');
  const schema = loadSchema(schemaPath) as { properties: { dependencies: { properties: { grafanaDependency: { pattern: string } } } } };
  return schema.properties.dependencies.properties.grafanaDependency.pattern;
}

function loadSchema(file: string): object {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function validator(file: string) {
  // Grafana's patterns use escapes such as `\-` that are invalid in ajv's default unicode mode; the
  // validator Grafana runs (Go) reads them as plain regular expressions, so do the same.
  const regExp = Object.assign((pattern: string) => new RegExp(pattern), { code: 'new RegExp' });
  const ajv = new Ajv({ allErrors: true, strict: false, code: { regExp } });
  // The schema uses these two formats; ajv has none built in and ajv-formats is not a dependency.
  ajv.addFormat('uri', (s: string) => {
    try {
      return Boolean(new URL(s));
    } catch {
      return false;
    }
  });
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
  return ajv.compile(loadSchema(file));
}

interface Manifest {
  id: string;
  type: string;
  name: string;
  metrics?: boolean;
  annotations?: boolean;
  backend?: boolean;
  info: { logos: { small: string; large: string }; version: string; updated: string };
  includes?: Array<{ type: string; path?: string; name?: string }>;
  routes?: Array<{ path: string; url?: string; headers?: Array<{ name: string; content: string }> }>;
  dependencies: { grafanaDependency: string };
}

const manifest: Manifest = JSON.parse(fs.readFileSync(path.join(pluginDir, 'plugin.json'), 'utf8'));

describe('src/plugin/plugin.json', () => {
  const validate = schemaPath ? validator(schemaPath) : null;

  schema.it('is valid against Grafana plugin.schema.json', () => {
    if (!validate) throw new Error('no schema');
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  schema.it('the schema check catches a broken manifest (the check itself works)', () => {
    if (!validate) throw new Error('no schema');
    const { id: _id, ...noId } = manifest;
    expect(validate(noId)).toBe(false);
    expect(validate({ ...manifest, info: { ...manifest.info, version: 'one' } })).toBe(false);
    expect(validate({ ...manifest, routes: [{ url: 'x' }] })).toBe(false);
  });

  it('is the frontend-only waspend data source with metrics and annotations', () => {
    expect(manifest).toMatchObject({
      id: 'waspend-whatsapp-datasource',
      type: 'datasource',
      name: 'waspend',
      metrics: true,
      annotations: true,
    });
    expect(manifest.id).toMatch(/^[a-z0-9]+-[a-z0-9]+-datasource$/);
    // No Go backend: alerting cannot be claimed (it needs one).
    expect(manifest.backend ?? false).toBe(false);
    expect((manifest as { alerting?: boolean }).alerting ?? false).toBe(false);
  });

  it('names logos that exist and are SVG', () => {
    for (const logo of [manifest.info.logos.small, manifest.info.logos.large]) {
      const file = path.join(pluginDir, logo);
      expect(fs.existsSync(file) ? logo : `${logo} (missing)`).toBe(logo);
      expect(fs.readFileSync(file, 'utf8')).toMatch(/<svg[\s>]/);
    }
  });

  it('includes the four provisioned dashboards, which the build copies from /dashboards', () => {
    const dashboards = (manifest.includes ?? []).filter((i) => i.type === 'dashboard').map((i) => i.path);
    expect(dashboards.sort()).toEqual([
      'dashboards/billing-metrics.json',
      'dashboards/messaging-overview.json',
      'dashboards/reconciliation.json',
      'dashboards/voice-calls.json',
    ]);
    const present = dashboards.filter((p) => fs.existsSync(path.join(repoRoot, p!)));
    // Dashboards are written separately; any that exist must be JSON with a title.
    for (const p of present) expect(JSON.parse(fs.readFileSync(path.join(repoRoot, p!), 'utf8'))).toHaveProperty('title');
  });

  it('has one proxy route, the one the DataSource calls, with the token from secureJsonData', () => {
    expect(manifest.routes).toEqual([
      {
        path: PROXY_ROUTE,
        url: '{{ .JsonData.connectorUrl }}',
        headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
      },
    ]);
  });

  // The Grafana lines that share react/jsx-runtime with plugins (the bundle imports it, so a Grafana
  // without it cannot load the plugin): 11.6.11, 12.0.10, 12.1.7, 12.2.5 (backports, grafana/grafana
  // #117500-#117503 of #108478) and every release from 12.3.0. Written the way grafana/plugin-tools
  // writes it (packages/create-plugin/src/codemods/additions/scripts/externalize-jsx-runtime.ts,
  // `semverRanges`, grafana/plugin-tools#2449).
  const RANGE = manifest.dependencies.grafanaDependency;
  const ACCEPTED = [
    '11.6.11',
    '11.6.12',
    '12.0.10',
    '12.0.11',
    '12.1.7',
    '12.1.9',
    '12.2.5',
    '12.2.6',
    '12.3.0',
    '12.4.1',
    '13.0.0',
    '13.2.2',
  ];
  const REFUSED = ['11.5.9', '11.6.0', '11.6.10', '12.0.0', '12.0.9', '12.1.0', '12.1.6', '12.2.0', '12.2.4', '10.4.18'];

  it('declares the Grafana range that shares react/jsx-runtime (11.6.11+, 12.0.10+, 12.1.7+, 12.2.5+, 12.3.0+)', () => {
    expect(RANGE).toBe('>=11.6.11 <12 || >=12.0.10 <12.1 || >=12.1.7 <12.2 || >=12.2.5 <12.3 || >=12.3.0');
  });

  it('is a range node-semver (what the schema names as its validator) reads, with the right versions in and out', () => {
    expect(semver.validRange(RANGE)).not.toBeNull();
    expect(ACCEPTED.filter((v) => !semver.satisfies(v, RANGE))).toEqual([]);
    expect(REFUSED.filter((v) => semver.satisfies(v, RANGE))).toEqual([]);
    expect(semver.minVersion(RANGE)?.version).toBe('11.6.11');
  });

  // Skipped with the schema checks above, for the same reason, when the schema is nowhere to be found.
  schema.it('passes the grafanaDependency pattern of Grafana plugin.schema.json, which rejects other operators', () => {
    const pattern = new RegExp(schemaGrafanaDependencyPattern());
    expect(pattern.test(RANGE)).toBe(true);
    // The pattern itself discriminates: `&&` and a comma are not range syntax Grafana accepts.
    expect(pattern.test('>=11.6.11 && <12')).toBe(false);
    expect(pattern.test('>=11.6.11, <12')).toBe(false);
  });

  it('includes the @grafana/data line the bundle is built against', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(semver.satisfies(pkg.dependencies['@grafana/data'] as string, RANGE)).toBe(true);
  });
});
