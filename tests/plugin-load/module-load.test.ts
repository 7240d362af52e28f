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

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

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

  // plugin.json admits Grafana 11.6.11+ / 12.x (React 18). Their shared packages are the long-standing
  // ones plus react/jsx-runtime (backported in 11.6.11, 12.0.10, 12.1.7, 12.2.5; grafana/grafana #117500-
  // #117503); react-dom/client is left out because 11.6's list may lack it.
  it('imports only packages that every Grafana in the declared range shares', () => {
    const SHARED_SINCE_11_6_11 = new Set([
      '@emotion/css',
      '@emotion/react',
      '@grafana/data',
      '@grafana/runtime',
      '@grafana/ui',
      'i18next',
      'lodash',
      'moment',
      'react',
      'react-dom',
      'react/jsx-runtime',
      'react-redux',
      'react-router-dom',
      'redux',
      'rxjs',
      'rxjs/operators',
      'module',
    ]);
    expect(amdDependencies(source).filter((d) => !SHARED_SINCE_11_6_11.has(d))).toEqual([]);
  });

  it('uses nothing that React 18 lacks (React 19-only exports, by name, in the bundle and the plugin source)', () => {
    // React 18.3.1's exports (Object.keys(require('react')) of react@18.3.1), the host of Grafana 11/12.
    const REACT_18 = new Set(
      (
        'Children Component Fragment Profiler PureComponent StrictMode Suspense act cloneElement createContext createElement ' +
        'createFactory createRef forwardRef isValidElement lazy memo startTransition unstable_act useCallback useContext ' +
        'useDebugValue useDeferredValue useEffect useId useImperativeHandle useInsertionEffect useLayoutEffect useMemo ' +
        'useReducer useRef useState useSyncExternalStore useTransition version'
      ).split(' '),
    );
    const react19Only = Object.keys(require('react') as object).filter((n) => !n.startsWith('__') && !REACT_18.has(n));
    // The check has teeth only if the installed React is 19 and adds names (use, useActionState, ...).
    expect(react19Only).toEqual(expect.arrayContaining(['use', 'useActionState', 'useOptimistic']));
    // Webpack keeps imported names as property reads on the external (`(0,f.useState)`), minified or not.
    expect(react19Only.filter((n) => new RegExp(`\\.${n}\\b`).test(source))).toEqual([]);
    // The bundle does read React through such property reads (otherwise the scan above would prove nothing).
    expect(source).toMatch(/\(0,\w+\.useState\)/);
    const pluginSource = listFiles(path.join(repoRoot, 'src', 'plugin'))
      .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f))
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    const used = new Set<string>();
    for (const m of pluginSource.matchAll(/import\s+(?:React\s*,\s*)?\{([^}]*)\}\s+from\s+'react'/g))
      for (const name of m[1]!.split(','))
        if (name.trim())
          used.add(
            name
              .trim()
              .replace(/^type\s+/, '')
              .split(/\s+as\s+/)[0]!,
          );
    for (const m of pluginSource.matchAll(/\bReact\.(\w+)/g)) used.add(m[1]!);
    const typeOnly = new Set(['ChangeEvent', 'ReactNode', 'FormEvent', 'ComponentType', 'FC', 'ReactElement', 'KeyboardEvent']);
    expect([...used].filter((n) => !REACT_18.has(n) && !typeOnly.has(n))).toEqual([]);
    // React 19 patterns that are not exports: `ref` read as a plain prop of a function component
    // (React 18 strips it unless forwardRef) and a context rendered as its own provider (`<Ctx value>`).
    expect(pluginSource.match(/(?:function\s+[A-Z]\w*|const\s+[A-Z]\w*\s*=\s*)\(\s*\{[^}]*\bref\b[^}]*\}/g) ?? []).toEqual([]);
    expect(pluginSource.match(/<\w*Context\b(?!\.Provider|\.Consumer)[^>]*\bvalue=/g) ?? []).toEqual([]);
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
