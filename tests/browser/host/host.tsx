// A minimal Grafana host for the browser test, bundled with esbuild into one script. The same source
// is bundled twice: against the root install (React 19, @grafana/* 13.2) and against
// tests/browser/host-react18 (React 18, @grafana/* 12.4); every bare import below resolves to the
// host's own copy. It shares those packages with the plugin the way that Grafana generation does
// (plugin-loader.ts), installs backendSrv/templateSrv, loads the unmodified dist/module.js with
// System.import, renders the plugin's ConfigEditor and QueryEditor, and draws dashboards with
// @grafana/ui's visualisations from the plugin's own queries (dashboard-view.tsx).
import React, { useRef, useState } from 'react';
import * as ReactAll from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import * as jsxRuntime from 'react/jsx-runtime';
import * as emotionCss from '@emotion/css';
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUI from '@grafana/ui';
import * as rxjs from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';
import { installLoader, type LoaderGeneration, type Shared, type SystemJSLike } from './plugin-loader';
import { DashboardView, expandRepeats, initTransformers, preparePanels, replacer, timeRangeOf } from './dashboard-view';

interface HostConfig {
  pluginId: string;
  proxyUrl: string;
  variables: Record<string, string[]>;
  range: { from: number; to: number };
  generation: LoaderGeneration;
}
interface DashboardRequest {
  dashboard: Record<string, any>;
  /** The dashboard's own time range, resolved by the test's clock ("now" of the demo data). */
  range: { from: number; to: number; raw: { from: string; to: string } };
  width: number;
}
declare global {
  interface Window {
    System: SystemJSLike;
    waspendHost: {
      versions: { react: string; grafana: string };
      start(config: HostConfig): Promise<void>;
      renderDashboard(request: DashboardRequest): Promise<void>;
    };
  }
}

function sharedPackages(generation: LoaderGeneration): Record<string, Shared> {
  // Grafana 12 patches the 6.4 -> 6.5 move of the plugin base classes onto @grafana/ui's namespace.
  const ui = { ...grafanaUI, PanelPlugin: grafanaData.PanelPlugin, DataSourcePlugin: grafanaData.DataSourcePlugin };
  const lazy = (m: object): Shared => (generation === '13' ? () => Promise.resolve(m) : m);
  return {
    react: lazy(ReactAll),
    'react-dom': lazy(ReactDOM),
    'react-dom/client': lazy(ReactDOMClient),
    'react/jsx-runtime': lazy(jsxRuntime),
    '@emotion/css': lazy(emotionCss),
    '@grafana/data': grafanaData,
    '@grafana/runtime': grafanaRuntime,
    '@grafana/ui': generation === '13' ? () => Promise.resolve(ui) : ui,
    rxjs: lazy(rxjs),
    'rxjs/operators': lazy(rxjsOperators),
  };
}

/** backendSrv.fetch over the browser's fetch: what the plugin's requests really do in Grafana. */
function browserBackendSrv() {
  return {
    fetch: (options: { url: string; method?: string }) =>
      new rxjs.Observable((subscriber) => {
        const controller = new AbortController();
        window
          .fetch(options.url, { method: options.method ?? 'GET', signal: controller.signal })
          .then(async (res) => {
            const data = await res.json().catch(() => undefined);
            if (!res.ok) return subscriber.error({ status: res.status, data, config: options });
            subscriber.next({ data, status: res.status, ok: true, config: options });
            subscriber.complete();
          })
          .catch((err) => subscriber.error({ status: 0, data: undefined, config: options, message: String(err) }));
        return () => controller.abort();
      }),
  };
}

/** The variables in force: the editor test's own, or a dashboard's variables at "All". */
const current: { variables: Record<string, string[]> } = { variables: {} };

function templateSrv() {
  return {
    getVariables: () => [],
    containsTemplate: (t?: string) => Boolean(t?.includes('$')),
    updateTimeRange: () => {},
    replace: (text?: string, vars?: grafanaData.ScopedVars, format?: unknown) =>
      (text ?? '').replace(/\$\{?(\w+)(?::\w+)?\}?/g, (whole, name: string) => {
        // A repeated panel's own value of the variable comes first, as in Grafana.
        if (vars?.[name]) return String(vars[name]!.value);
        return current.variables[name] ? current.variables[name]!.join(format === 'csv' ? ',' : '|') : whole;
      }),
  };
}

/** What the page shows the test: the frames (name and values) or the errors of the last run. */
function summarise(res: grafanaData.DataQueryResponse) {
  return {
    errors: (res.errors ?? []).map((e) => e.message),
    frames: (res.data as grafanaData.DataFrame[]).map((f) => ({
      name: f.name,
      fields: f.fields.map((x) => ({ name: x.name, values: [...x.values] })),
    })),
  };
}

const theme = grafanaData.createTheme({ colors: { mode: 'dark' } });
let loaded: { ds: grafanaData.DataSourceApi; generation: LoaderGeneration } | undefined;
let root: ReactDOMClient.Root | undefined;

async function start(config: HostConfig) {
  installLoader(window.System, config.generation, sharedPackages(config.generation));
  grafanaRuntime.setBackendSrv(browserBackendSrv() as never);
  grafanaRuntime.setTemplateSrv(templateSrv() as never);
  current.variables = config.variables;
  initTransformers(config.generation);

  const module = await window.System.import(`/public/plugins/${config.pluginId}/module.js`);
  const exported = (module.plugin ? module : module.default) as { plugin: grafanaData.DataSourcePlugin<grafanaData.DataSourceApi> };
  const plugin = exported.plugin;
  if (!(plugin instanceof grafanaData.DataSourcePlugin))
    throw new Error('module.js did not export a DataSourcePlugin from the shared @grafana/data');
  const settings = {
    id: 1,
    uid: 'browser',
    type: config.pluginId,
    name: 'waspend',
    url: config.proxyUrl,
    access: 'proxy',
    readOnly: false,
    jsonData: {},
    meta: {},
  };
  const DataSourceClass = plugin.DataSourceClass as unknown as new (s: object) => grafanaData.DataSourceApi;
  const ds = new DataSourceClass(settings);
  loaded = { ds, generation: config.generation };
  const QueryEditor = plugin.components.QueryEditor as unknown as React.ComponentType<Record<string, unknown>>;
  const ConfigEditor = plugin.components.ConfigEditor as unknown as React.ComponentType<Record<string, unknown>>;

  let runs = 0;
  const result = document.getElementById('result')!;
  const run = (query: object) => {
    const request = {
      requestId: `browser-${++runs}`,
      interval: '1d',
      intervalMs: 86400000,
      scopedVars: {},
      timezone: 'utc',
      app: 'dashboard',
      startTime: Date.now(),
      range: {
        from: grafanaData.dateTime(config.range.from),
        to: grafanaData.dateTime(config.range.to),
        raw: { from: 'now-1d', to: 'now' },
      },
      targets: [query],
    };
    const runNumber = runs;
    (ds.query(request as never) as rxjs.Observable<grafanaData.DataQueryResponse>).subscribe((res) => {
      result.dataset.run = String(runNumber);
      result.textContent = JSON.stringify(summarise(res));
    });
  };

  function Editors() {
    const initial = { refId: 'A', ...ds.getDefaultQuery?.(grafanaData.CoreApp.PanelEditor) };
    const [query, setQuery] = useState<object>(initial);
    const [options, setOptions] = useState<Record<string, unknown>>({
      ...settings,
      jsonData: { connectorUrl: 'http://connector:8080' },
      secureJsonFields: {},
    });
    // Grafana calls onChange then onRunQuery; the run must see the query just changed.
    const latest = useRef<object>(initial);
    return (
      <grafanaUI.ThemeContext.Provider value={theme}>
        {/* Grafana's global CSS (box sizing, fieldset reset, fonts): without it editors lay out differently. */}
        <grafanaUI.GlobalStyles />
        <div id="config-editor" style={{ padding: 16 }} data-options={JSON.stringify(options.jsonData)}>
          <ConfigEditor options={options} onOptionsChange={(o: Record<string, unknown>) => setOptions(o)} />
        </div>
        <div id="query-editor" style={{ padding: 16 }}>
          <QueryEditor
            query={query}
            datasource={ds}
            onChange={(q: object) => {
              latest.current = q;
              setQuery(q);
            }}
            onRunQuery={() => run(latest.current)}
          />
        </div>
      </grafanaUI.ThemeContext.Provider>
    );
  }
  root = ReactDOMClient.createRoot(document.getElementById('root')!);
  root.render(<Editors />);
  document.body.dataset.ready = 'true';
}

async function renderDashboard(request: DashboardRequest) {
  if (!loaded || !root) throw new Error('start() first');
  const variables: Record<string, string> = {};
  for (const v of (request.dashboard.templating?.list ?? []) as Array<Record<string, any>>)
    // Filter pickers at "All"; a single-value variable without "All" (the what-if share) at its current value.
    if (v.type !== 'datasource')
      variables[v.name] = String(!v.includeAll && v.current?.value !== undefined ? v.current.value : (v.allValue ?? '$__all'));
  current.variables = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, [v]]));
  const replace = replacer(variables);
  const range = timeRangeOf(request.range.from, request.range.to, request.range.raw);
  const panels = await preparePanels(await expandRepeats(request.dashboard, loaded.ds), loaded.ds, range, theme, replace);
  document.getElementById('result')!.textContent = '';
  root.render(
    <grafanaUI.ThemeContext.Provider value={theme}>
      <grafanaUI.GlobalStyles />
      <DashboardView
        title={String(request.dashboard.title)}
        panels={panels}
        width={request.width}
        theme={theme}
        range={range}
        replace={replace}
      />
    </grafanaUI.ThemeContext.Provider>,
  );
}

// The @grafana/data version this bundle was built from (set by the test's esbuild define).
declare const __HOST_GRAFANA_VERSION__: string;

window.waspendHost = {
  versions: { react: ReactAll.version, grafana: __HOST_GRAFANA_VERSION__ },
  start,
  renderDashboard,
};
