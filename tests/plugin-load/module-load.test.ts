// The built dist/module.js, unmodified, evaluated the way Grafana's SystemJS loader does: an AMD
// define() whose dependencies are the host's shared packages (here: the same node_modules instances
// this test uses). Proves the externals are right (one React, one @grafana/runtime), the plugin
// export is a DataSourcePlugin, a query runs through the data-source proxy route from plugin.json,
// and the editors render with the host's React.
// Runs in jest.slow.config.js after `npm test` has built dist/.
import fs from 'node:fs';
import path from 'node:path';
import React from 'react';
import { render, screen } from '@testing-library/react';
import {
  DataSourcePlugin,
  dateTime,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
} from '@grafana/data';
import { setBackendSrv, setTemplateSrv, type BackendSrv } from '@grafana/runtime';
import { lastValueFrom, type Observable } from 'rxjs';
import { amdDependencies, evaluateBundle, fakeDataSourceProxy } from './bundle-harness';
import { readBuiltManifest, startStandInConnector, type StandInConnector } from './stand-ins';

const repoRoot = path.resolve(__dirname, '..', '..');
const dist = path.join(repoRoot, 'dist');
const PROXY_URL = '/api/datasources/proxy/uid/waspend-load';
const TOKEN = 'load-test-token';

// What Grafana provides to plugins (its sharedDependenciesMap); a define() dependency outside this
// list would fail to load in Grafana.
const GRAFANA_SHARED = new Set([
  '@emotion/css',
  '@emotion/react',
  '@grafana/data',
  '@grafana/runtime',
  '@grafana/ui',
  '@grafana/slate-react',
  'd3',
  'emotion',
  'i18next',
  'jquery',
  'lodash',
  'moment',
  'prismjs',
  'react',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'react-dom',
  'react-dom/client',
  'react-inlinesvg',
  'react-redux',
  'react-router',
  'react-router-dom',
  'redux',
  'rxjs',
  'rxjs/operators',
  'slate',
  'slate-react',
  'module',
]);

function readDist(file: string): string {
  const p = path.join(dist, file);
  if (!fs.existsSync(p))
    throw new Error(`dist/${file} is missing: run \`npm run build\` first (\`npm test\` builds before the slow suites)`);
  return fs.readFileSync(p, 'utf8');
}

const source = readDist('module.js');
const manifest = readBuiltManifest(dist);

describe('dist/module.js as Grafana loads it', () => {
  it('is an AMD module whose dependencies are all Grafana shared packages', () => {
    expect(source.startsWith('define([')).toBe(true);
    const deps = amdDependencies(source);
    expect(deps.filter((d) => !GRAFANA_SHARED.has(d))).toEqual([]);
    for (const needed of ['react', '@grafana/data', '@grafana/ui', '@grafana/runtime', 'rxjs']) expect(deps).toContain(needed);
  });

  it('bundles none of React, react-dom or @grafana/ui', () => {
    const markers = [
      '__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED', // React 18 internals
      '__CLIENT_INTERNALS_DO_NOT_USE_OR_WARN_USERS_THEY_CANNOT_UPGRADE', // React 19 internals
      'ReactCurrentOwner',
      'react.transitional.element', // React 19 element tag (webpack drops unused internals, not this)
      'react.dev/errors', // React 19 production error URLs
      'react.production',
      'react-dom.production',
      'uPlot', // charting library inside @grafana/ui
      'react-select', // @grafana/ui Select implementation
    ];
    expect(markers.filter((m) => source.includes(m))).toEqual([]);
    // Node-only code (e.g. csv-parse, which @core's rate-card reader imports) breaks loading in a browser.
    expect(source.match(/.{0,40}\b(Buffer|process\.|__dirname|setImmediate)\b.{0,20}/g) ?? []).toEqual([]);
    // @grafana/ui alone is several MB; the plugin with zod is well under one.
    expect(source.length).toBeLessThan(1024 * 1024);
  });

  it('ships a filled-in plugin.json and the source map', () => {
    expect(manifest.id).toBe('waspend-whatsapp-datasource');
    expect(manifest.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(fs.existsSync(path.join(dist, 'module.js.map'))).toBe(true);
    expect(fs.existsSync(path.join(dist, 'img', 'logo.svg'))).toBe(true);
  });
});

describe('the plugin export from dist/module.js', () => {
  let plugin: DataSourcePlugin<DataSourceApi>;
  let connector: StandInConnector;

  beforeAll(async () => {
    plugin = evaluateBundle(source, manifest.id, require).plugin as DataSourcePlugin<DataSourceApi>;
    connector = await startStandInConnector(TOKEN);
    setBackendSrv(fakeDataSourceProxy(manifest, PROXY_URL, { connectorUrl: connector.url }, { apiToken: TOKEN }) as BackendSrv);
    const vars: Record<string, string[]> = { country: ['BR', 'IN', 'MX'] };
    setTemplateSrv({
      getVariables: () => [],
      replace: (text?: string, _v?: unknown, format?: unknown) =>
        (text ?? '').replace(/\$(\w+)/g, (w, n: string) => (vars[n] ? vars[n]!.join(format === 'csv' ? ',' : '|') : w)),
      containsTemplate: (t?: string) => Boolean(t?.includes('$')),
      updateTimeRange: () => {},
    } as never);
  });
  afterAll(() => connector.close());

  const instance = () =>
    new (plugin.DataSourceClass as unknown as new (s: unknown) => DataSourceApi)({
      id: 1,
      uid: 'waspend-load',
      type: manifest.id,
      name: 'waspend',
      url: PROXY_URL,
      access: 'proxy',
      readOnly: false,
      meta: {},
      jsonData: { connectorUrl: connector.url },
    });

  it('is a DataSourcePlugin from the host @grafana/data, with config and query editors', () => {
    expect(plugin).toBeInstanceOf(DataSourcePlugin);
    expect(typeof plugin.components.ConfigEditor).toBe('function');
    expect(typeof plugin.components.QueryEditor).toBe('function');
    const ds = instance();
    expect(ds.annotations).toBeDefined();
    expect(ds.variables).toBeDefined();
  });

  it('runs a query through the proxy route: token added server-side, variables applied, frames back', async () => {
    const ds = instance();
    const request = {
      requestId: 'load1',
      interval: '1d',
      intervalMs: 86400000,
      scopedVars: {},
      timezone: 'utc',
      app: 'dashboard',
      startTime: 0,
      range: { from: dateTime(Date.UTC(2026, 2, 1)), to: dateTime(Date.UTC(2026, 2, 2)), raw: { from: 'now-1d', to: 'now' } },
      targets: [
        {
          refId: 'A',
          schemaVersion: 1,
          kind: 'messages',
          groupBy: ['category'],
          filters: { country: ['$country'], category: ['marketing', 'utility'] },
        },
      ],
    } as unknown as DataQueryRequest;
    const res: DataQueryResponse = await lastValueFrom(ds.query(request) as Observable<DataQueryResponse>);
    expect(res.errors).toEqual([]);
    const usage = connector.seen.filter((s) => s.path === '/api/v1/usage');
    expect(usage).toHaveLength(1);
    expect(usage[0]!.auth).toBe(`Bearer ${TOKEN}`);
    expect(usage[0]!.params).toMatchObject({ country: 'BR,IN,MX', category: 'marketing,utility', by: 'category' });
    const byName = Object.fromEntries((res.data as DataFrame[]).map((f) => [f.name, f.fields[1]!.values[0]]));
    expect(byName).toEqual({ Marketing: connector.servedUsage[0]!.messages, Utility: connector.servedUsage[1]!.messages });
  });

  it('reports the connector in Save & test and a wrong token as a token problem', async () => {
    await expect(instance().testDatasource()).resolves.toMatchObject({ status: 'success', message: expect.stringContaining('stand-in') });
    setBackendSrv(fakeDataSourceProxy(manifest, PROXY_URL, { connectorUrl: connector.url }, { apiToken: 'wrong' }) as BackendSrv);
    try {
      await expect(instance().testDatasource()).resolves.toMatchObject({
        status: 'error',
        message: expect.stringMatching(/refused the API token/),
      });
    } finally {
      setBackendSrv(fakeDataSourceProxy(manifest, PROXY_URL, { connectorUrl: connector.url }, { apiToken: TOKEN }) as BackendSrv);
    }
  });

  it('fills a template variable from a connector list', async () => {
    await expect(instance().metricFindQuery!({ list: 'countries' })).resolves.toEqual([{ text: 'Brazil', value: 'BR' }]);
  });

  it('renders its editors with the host React (hooks would throw with a second copy)', () => {
    const QueryEditor = plugin.components.QueryEditor as unknown as React.ComponentType<Record<string, unknown>>;
    render(
      React.createElement(QueryEditor, {
        query: { refId: 'A', schemaVersion: 1, kind: 'cost', filters: { waba: ['$waba'] } },
        onChange: () => {},
        onRunQuery: () => {},
        datasource: instance(),
      }),
    );
    expect((screen.getByLabelText('Filter WABA') as HTMLInputElement).value).toBe('$waba');
    const ConfigEditor = plugin.components.ConfigEditor as unknown as React.ComponentType<Record<string, unknown>>;
    render(
      React.createElement(ConfigEditor, {
        options: { jsonData: { connectorUrl: connector.url }, secureJsonFields: { apiToken: true } },
        onOptionsChange: () => {},
      }),
    );
    expect((screen.getByLabelText('Connector URL') as HTMLInputElement).value).toBe(connector.url);
    expect(screen.getByRole('button', { name: /reset/i })).toBeTruthy();
  });
});
