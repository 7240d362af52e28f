// Loading dist/module.js the way Grafana does, for tests that run in Node (jest, jsdom environment):
// an AMD define() whose dependencies are the host's shared packages, and a backendSrv that behaves
// like Grafana's data-source proxy (plugin.json route applied server-side, then forwarded).
import http from 'node:http';
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { Observable } from 'rxjs';
import { applyProxyRoute, type PluginManifest } from './stand-ins';

/** Globals Node has and a browser lacks; the bundle is evaluated with them shadowed as undefined. */
export const NODE_ONLY_GLOBALS = ['Buffer', 'process', 'global', 'require', 'module', 'exports', '__dirname', '__filename', 'setImmediate'];

/** The ids the bundle's define() asks for. */
export function amdDependencies(text: string): string[] {
  const m = /^define\((\[[^\]]*\])/.exec(text);
  if (!m) throw new Error(`dist/module.js does not start with define([...]): ${text.slice(0, 60)}`);
  return JSON.parse(m[1]!);
}

/**
 * Grafana-style AMD evaluation: each dependency id resolves through `resolve` (the test's own
 * `require`, so the bundle shares this test's React and @grafana/runtime instances).
 */
export function evaluateBundle(text: string, pluginId: string, resolve: (id: string) => unknown): Record<string, unknown> {
  let exported: Record<string, unknown> | undefined;
  const define = (deps: string[], factory: (...mods: unknown[]) => Record<string, unknown>) => {
    exported = factory(...deps.map((id) => (id === 'module' ? { uri: `public/plugins/${pluginId}/module.js` } : resolve(id))));
  };
  define.amd = true;
  new Function('define', ...NODE_ONLY_GLOBALS, text)(define, ...NODE_ONLY_GLOBALS.map(() => undefined));
  if (!exported) throw new Error('dist/module.js never called define()');
  return exported;
}

/** Grafana's data-source proxy as the plugin's backendSrv sees it: route applied, then forwarded. */
export function fakeDataSourceProxy(
  manifest: PluginManifest,
  proxyUrl: string,
  jsonData: Record<string, string>,
  secureJsonData: Record<string, string>,
): Pick<BackendSrv, 'fetch'> {
  return {
    fetch: <T>(options: BackendSrvRequest) =>
      new Observable<FetchResponse<T>>((subscriber) => {
        const fail = (status: number, data: unknown) => subscriber.error({ status, data, config: options });
        const routed = applyProxyRoute(manifest, proxyUrl, options.url, jsonData, secureJsonData);
        if (!routed) return fail(404, { message: `no plugin route for ${options.url}` });
        const req = http.request(routed.target, { method: options.method ?? 'GET', headers: routed.headers }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => {
            const data = body ? JSON.parse(body) : undefined;
            const status = res.statusCode ?? 0;
            // Grafana's proxy hides an upstream 401 behind a 400 with a text body (pkg/api/pluginproxy/
            // ds_proxy.go, modifyResponse), which backendSrv.processRequestError wraps in an object.
            if (status === 401) {
              const text = 'Authentication to data source failed';
              return subscriber.error({
                status: 400,
                statusText: 'Bad Request',
                data: { error: 'Bad Request', response: text, message: text },
                config: options,
              });
            }
            if (status >= 400) return fail(status, data);
            subscriber.next({
              data,
              status,
              ok: true,
              headers: new Headers(),
              redirected: false,
              statusText: '',
              type: 'basic',
              url: options.url,
              config: options,
            } as FetchResponse<T>);
            subscriber.complete();
          });
        });
        req.on('error', () => fail(502, {}));
        req.end();
        return () => req.destroy();
      }),
  };
}
