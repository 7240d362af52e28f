import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseFields, queryPoints, type FakeChannel, type FakeDataset, type FakePoint, type FakeWaba } from './fake-analytics';

export type { FakeDataset, FakeWaba, FakeChannel, FakePoint } from './fake-analytics';

/**
 * A local fake of Meta's Graph API (WABA `currency`, `phone_numbers`, `pricing_analytics`,
 * `call_analytics`, `conversation_analytics`) and of 360Dialog's Partner API channel-usage endpoint,
 * on 127.0.0.1 with a free port. It serves an in-memory dataset with the documented response shapes,
 * records every request, and plays scripted faults for the reliability tests.
 */

export type FaultKind = 'rate_limit' | 'server_error' | 'hang' | 'truncated' | 'expired_token' | 'reset';

export interface Fault {
  kind: FaultKind;
  /** How many matching requests get this fault (default 1). */
  times?: number;
  /** Only requests whose decoded path+query contains this text (default: any request). */
  match?: string;
  /** Retry-After seconds sent with rate_limit / server_error. */
  retryAfterSec?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  apiKey: string | null;
  /** The fault played for this request, if any. */
  fault: FaultKind | null;
}

export interface FakeMetaServer {
  url: string;
  graphBaseUrl: string;
  d360BaseUrl: string;
  dataset: FakeDataset;
  requests: RecordedRequest[];
  fail(fault: Fault): void;
  /** Faults queued and not yet played. */
  pendingFaults(): number;
  close(): Promise<void>;
}

export interface FakeServerOptions {
  /** Data points per page; when set, Graph responses carry `paging.next` (with access_token, as Meta's do). */
  pageSize?: number;
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const EXPIRED = {
  error: { message: 'Error validating access token: Session has expired.', type: 'OAuthException', code: 190, error_subcode: 463 },
};

export async function startFakeMetaServer(dataset: FakeDataset, options: FakeServerOptions = {}): Promise<FakeMetaServer> {
  const faults: (Fault & { left: number })[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let base = '';

  function takeFault(target: string): Fault | null {
    const i = faults.findIndex((f) => !f.match || target.includes(f.match));
    if (i < 0) return null;
    const fault = faults[i] as Fault & { left: number };
    if (--fault.left <= 0) faults.splice(i, 1);
    return fault;
  }

  function page(points: FakePoint[], req: URL, token: string): { slice: FakePoint[]; paging?: object } {
    if (!options.pageSize) return { slice: points };
    const offset = Number(req.searchParams.get('after') ?? 0);
    const slice = points.slice(offset, offset + options.pageSize);
    if (offset + options.pageSize >= points.length) return { slice };
    const next = new URL(req.toString());
    next.searchParams.set('after', String(offset + options.pageSize));
    next.searchParams.set('access_token', token);
    return { slice, paging: { cursors: { after: String(offset + options.pageSize) }, next: `${base}${next.pathname}${next.search}` } };
  }

  function graphField(waba: FakeWaba, url: URL, res: http.ServerResponse): void {
    const body: Record<string, unknown> = { id: waba.id };
    for (const q of parseFields(url.searchParams.get('fields') ?? '')) {
      if (q.name === 'currency') body.currency = waba.currency;
      else if (q.name === 'pricing_analytics') {
        if (waba.rejectPhoneDimension && (q.filters.get('dimensions') ?? []).some((d) => d.toUpperCase() === 'PHONE')) {
          return send(res, 400, { error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100 } });
        }
        const { slice, paging } = page(queryPoints(waba.pricing, q, { withholdCost: Boolean(waba.costWithheld) }), url, waba.token);
        if (slice.length) body.pricing_analytics = { data: [{ data_points: slice }], ...(paging ? { paging } : {}) };
      } else if (q.name === 'call_analytics') {
        const { slice, paging } = page(queryPoints(waba.calls, q, { withholdCost: Boolean(waba.costWithheld) }), url, waba.token);
        body.call_analytics = {
          granularity: q.filters.get('granularity')?.[0] ?? 'DAILY',
          data_points: slice,
          ...(paging ? { paging } : {}),
        };
      } else if (q.name === 'conversation_analytics') {
        const metrics = (q.filters.get('metric_types') ?? []).map((m) => m.toUpperCase());
        const asksCost = metrics.includes('COST');
        if (waba.costWithheld && asksCost && (metrics.length === 1 || waba.costErrorOnAnyCost)) {
          return send(res, 400, { error: { message: 'Cost not available', type: 'OAuthException', code: 100 } });
        }
        const { slice, paging } = page(queryPoints(waba.conversations, q, { withholdCost: Boolean(waba.costWithheld) }), url, waba.token);
        if (slice.length) body.conversation_analytics = { data: [{ data_points: slice }], ...(paging ? { paging } : {}) };
      } else return send(res, 400, { error: { message: `(#100) Tried accessing nonexisting field (${q.name})`, code: 100 } });
    }
    send(res, 200, body);
  }

  function d360Usage(channel: FakeChannel, url: URL, res: http.ServerResponse): void {
    const q = {
      name: 'usage',
      filters: new Map([
        ['start', [url.searchParams.get('start_date') ?? '0']],
        ['end', [url.searchParams.get('end_date') ?? '0']],
      ]),
    };
    const pricing = queryPoints(channel.pricing, q, { withholdCost: false, endInclusive: true });
    const calls = queryPoints(channel.calls, q, { withholdCost: false, endInclusive: true });
    if (channel.shape === 'flat') return send(res, 200, { currency: channel.currency ?? 'USD', usage: [...pricing, ...calls] });
    send(res, 200, {
      pricing_analytics: { data: [{ data_points: pricing }] },
      call_analytics: { granularity: 'DAILY', data_points: calls },
    });
  }

  function route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', base);
    const graph = /^\/(v\d+\.\d+)\/([^/]+)(\/phone_numbers)?$/.exec(url.pathname);
    const usage = /^\/api\/v2\/partners\/([^/]+)\/clients\/([^/]+)\/channels\/([^/]+)\/info\/usage$/.exec(url.pathname);
    if (graph) {
      const waba = dataset.wabas.find((w) => w.id === graph[2]);
      if (!waba) return send(res, 400, { error: { message: 'Unsupported get request.', code: 100 } });
      if (req.headers.authorization !== `Bearer ${waba.token}`) return send(res, 401, EXPIRED);
      if (graph[3]) return send(res, 200, { data: waba.phoneNumbers.map((p) => ({ id: p.id, display_phone_number: p.display })) });
      return graphField(waba, url, res);
    }
    if (usage) {
      const channel = dataset.channels.find((c) => c.partnerId === usage[1] && c.clientId === usage[2] && c.channelId === usage[3]);
      if (!channel) return send(res, 404, { meta: { developer_message: 'Not found', http_code: 404 } });
      if (req.headers['x-api-key'] !== channel.apiKey)
        return send(res, 401, { meta: { developer_message: 'Unauthorized', http_code: 401 } });
      return d360Usage(channel, url, res);
    }
    send(res, 404, { error: { message: `no route ${url.pathname}` } });
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const fault = takeFault(decodeURIComponent(`${url.pathname}${url.search}`));
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()),
      authorization: req.headers.authorization ?? null,
      apiKey: (req.headers['x-api-key'] as string | undefined) ?? null,
      fault: fault?.kind ?? null,
    });
    switch (fault?.kind) {
      case 'hang':
        return; // never answers; the client's timeout must fire
      case 'reset':
        return req.socket.destroy();
      case 'rate_limit':
        return send(
          res,
          429,
          { error: { message: '(#4) Application request limit reached', code: 4 } },
          fault.retryAfterSec !== undefined ? { 'retry-after': String(fault.retryAfterSec) } : {},
        );
      case 'server_error':
        return send(
          res,
          500,
          { error: { message: 'An unknown error has occurred.', code: 1 } },
          fault.retryAfterSec !== undefined ? { 'retry-after': String(fault.retryAfterSec) } : {},
        );
      case 'expired_token':
        return send(res, 401, EXPIRED);
      case 'truncated': {
        const text = '{"pricing_analytics":{"data":[{"data_points":[{"start":17';
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        return res.end(text);
      }
      default:
        return route(req, res);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    graphBaseUrl: base,
    d360BaseUrl: `${base}/api/v2`,
    dataset,
    requests,
    fail: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    pendingFaults: () => faults.length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
