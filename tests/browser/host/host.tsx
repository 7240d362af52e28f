// A minimal Grafana host for the browser test, bundled with esbuild into one script: it shares the
// packages Grafana shares with plugins through SystemJS (`package:<name>` + an import map, as
// Grafana's plugin loader does), installs backendSrv/templateSrv, loads the unmodified
// dist/module.js with System.import and renders the plugin's QueryEditor like a panel editor would.
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

interface SystemJSLike {
  set(id: string, module: object): void;
  addImportMap(map: { imports: Record<string, string> }, base?: string): void;
  import(id: string): Promise<Record<string, unknown>>;
}
interface HostConfig {
  pluginId: string;
  proxyUrl: string;
  variables: Record<string, string[]>;
  range: { from: number; to: number };
}
declare global {
  interface Window {
    System: SystemJSLike;
    waspendHost: { start(config: HostConfig): Promise<void> };
  }
}

const SHARED: Record<string, object> = {
  react: ReactAll,
  'react-dom': ReactDOM,
  'react-dom/client': ReactDOMClient,
  'react/jsx-runtime': jsxRuntime,
  '@emotion/css': emotionCss,
  '@grafana/data': grafanaData,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUI,
  rxjs,
  'rxjs/operators': rxjsOperators,
};

function shareWithPlugins(system: SystemJSLike) {
  for (const [name, module] of Object.entries(SHARED)) system.set(`package:${name}`, module);
  system.addImportMap({ imports: Object.fromEntries(Object.keys(SHARED).map((name) => [name, `package:${name}`])) });
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

function templateSrv(variables: Record<string, string[]>) {
  return {
    getVariables: () => [],
    containsTemplate: (t?: string) => Boolean(t?.includes('$')),
    updateTimeRange: () => {},
    replace: (text?: string, _vars?: unknown, format?: unknown) =>
      (text ?? '').replace(/\$\{?(\w+)(?::\w+)?\}?/g, (whole, name: string) =>
        variables[name] ? variables[name]!.join(format === 'csv' ? ',' : '|') : whole,
      ),
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

async function start(config: HostConfig) {
  shareWithPlugins(window.System);
  grafanaRuntime.setBackendSrv(browserBackendSrv() as never);
  grafanaRuntime.setTemplateSrv(templateSrv(config.variables) as never);

  const loaded = await window.System.import(`/public/plugins/${config.pluginId}/module.js`);
  const exported = (loaded.plugin ? loaded : loaded.default) as { plugin: grafanaData.DataSourcePlugin<grafanaData.DataSourceApi> };
  const plugin = exported.plugin;
  if (!(plugin instanceof grafanaData.DataSourcePlugin))
    throw new Error('module.js did not export a DataSourcePlugin from the shared @grafana/data');
  const DataSourceClass = plugin.DataSourceClass as unknown as new (s: object) => grafanaData.DataSourceApi;
  const ds = new DataSourceClass({
    id: 1,
    uid: 'browser',
    type: config.pluginId,
    name: 'waspend',
    url: config.proxyUrl,
    access: 'proxy',
    readOnly: false,
    jsonData: {},
    meta: {},
  });
  const QueryEditor = plugin.components.QueryEditor as unknown as React.ComponentType<Record<string, unknown>>;

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

  const theme = grafanaData.createTheme({ colors: { mode: 'dark' } });
  function PanelEditor() {
    const initial = { refId: 'A', ...ds.getDefaultQuery?.(grafanaData.CoreApp.PanelEditor) };
    const [query, setQuery] = useState<object>(initial);
    // Grafana calls onChange then onRunQuery; the run must see the query just changed.
    const latest = useRef<object>(initial);
    return (
      <grafanaUI.ThemeContext.Provider value={theme}>
        {/* Grafana's global CSS (box sizing, fieldset reset, fonts): without it editors lay out differently. */}
        <grafanaUI.GlobalStyles />
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
  ReactDOMClient.createRoot(document.getElementById('root')!).render(<PanelEditor />);
  document.body.dataset.ready = 'true';
}

window.waspendHost = { start };
