// Stand-ins for the two servers the plugin talks to at run time, shared by the bundle load test and
// the browser test: the waspend connector (loopback, contract-valid answers, bearer token checked)
// and Grafana's data-source proxy (plugin.json routes applied server-side).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { callsResponse, healthResponse, listResponse, usageResponse } from '@contract';

export interface PluginManifest {
  id: string;
  info: { version: string; updated: string };
  routes: Array<{ path: string; url: string; headers?: Array<{ name: string; content: string }> }>;
}

export function readBuiltManifest(dist: string): PluginManifest {
  const file = path.join(dist, 'plugin.json');
  if (!fs.existsSync(file))
    throw new Error('dist/plugin.json is missing: run `npm run build` first (`npm test` builds before the slow suites)');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export interface SeenRequest {
  path: string;
  params: Record<string, string>;
  auth: string | undefined;
}

export interface StandInConnector {
  url: string;
  seen: SeenRequest[];
  /** Usage rows served, in order, so tests compare frames with what was actually sent. */
  servedUsage: Array<{ category: string; messages: number; cost: string }>;
  close: () => Promise<void>;
}

/** A connector on 127.0.0.1 that checks `Authorization: Bearer <token>` on /api/v1; each answer passes the contract schema. */
export function startStandInConnector(token: string): Promise<StandInConnector> {
  const seen: SeenRequest[] = [];
  const servedUsage: StandInConnector['servedUsage'] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://connector.invalid');
    const params = Object.fromEntries(url.searchParams);
    seen.push({ path: url.pathname, params, auth: req.headers.authorization });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    // Like the real connector, /health answers without a token (liveness probes); the API needs it.
    if (url.pathname === '/health') {
      return send(
        200,
        healthResponse.parse({
          status: 'ok',
          version: 'stand-in',
          store: { ok: true, kind: 'sqlite', events: 7, lastEventAt: null },
          pulls: [],
        }),
      );
    }
    if (req.headers.authorization !== `Bearer ${token}`)
      return send(401, { error: 'unauthorized', message: 'missing or wrong bearer token' });
    const from = Number(params.from);
    switch (url.pathname) {
      case '/api/v1/usage': {
        // One row per requested category, sized from the request so nothing is fixed in advance.
        const countries = (params.country ?? '').split(',').filter(Boolean).length || 1;
        const rows = (params.category ?? 'marketing').split(',').map((category, i) => {
          const messages = (i + 1) * countries;
          const cost = (messages * 0.0625).toFixed(4);
          servedUsage.push({ category, messages, cost });
          return { time: from, bucket: 'b', currency: 'USD', category, messages, billable: messages, cost };
        });
        return send(200, usageResponse.parse({ source: params.source, interval: params.interval, rows, problems: [] }));
      }
      case '/api/v1/calls':
        return send(
          200,
          callsResponse.parse({
            source: params.source,
            interval: params.interval,
            rows: [{ time: from, bucket: 'b', currency: 'USD', calls: 3, durationSec: 90, pulses: 15, cost: '0.3000' }],
            problems: [],
          }),
        );
      case '/api/v1/lists/countries':
        return send(200, listResponse.parse({ items: [{ value: 'BR', text: 'Brazil' }] }));
      case '/api/v1/lists/wabas':
        return send(200, listResponse.parse({ items: [{ value: '111', text: 'Stand-in WABA' }] }));
      default:
        return send(404, { error: 'not_found', message: url.pathname });
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, seen, servedUsage, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

/**
 * What Grafana's data-source proxy does with `<proxyBase>/<route path>/rest`: pick the plugin.json
 * route, fill `{{ .JsonData.x }}` / `{{ .SecureJsonData.x }}` on the server side and return where
 * to forward and with which headers. Undefined when no route matches (Grafana answers 404).
 */
export function applyProxyRoute(
  manifest: PluginManifest,
  proxyBase: string,
  requestUrl: string,
  jsonData: Record<string, string>,
  secureJsonData: Record<string, string>,
): { target: URL; headers: Record<string, string> } | undefined {
  if (!requestUrl.startsWith(`${proxyBase}/`)) return undefined;
  const rest = requestUrl.slice(proxyBase.length + 1);
  const route = manifest.routes.find((r) => rest === r.path || rest.startsWith(`${r.path}/`) || rest.startsWith(`${r.path}?`));
  if (!route) return undefined;
  const fill = (template: string) =>
    template
      .replace(/\{\{\s*\.JsonData\.(\w+)\s*\}\}/g, (_, k: string) => jsonData[k] ?? '')
      .replace(/\{\{\s*\.SecureJsonData\.(\w+)\s*\}\}/g, (_, k: string) => secureJsonData[k] ?? '');
  return {
    target: new URL(fill(route.url) + rest.slice(route.path.length)),
    headers: Object.fromEntries((route.headers ?? []).map((h) => [h.name, fill(h.content)])),
  };
}
