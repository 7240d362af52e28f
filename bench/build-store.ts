/**
 * Builds the query store through the connector's real webhook ingest: bodies of many statuses
 * (Meta's envelope allows a batch per POST), several requests in flight. Because it IS the real
 * ingest path, the tables it produces are by construction the ones production ingest produces.
 */
import http from 'node:http';
import { planStore, type BuildPlan } from './store-plan';
import { log } from './stats';
import {
  callsWebhookBody,
  inboundWebhookBody,
  statusWebhookBody,
  tierWebhookBody,
  type BenchWaba,
  type CallPlan,
  type InboundPlan,
  type StatusEvent,
} from './webhook-bodies';

export type { BuildPlan };

export interface BuildResult {
  /**
   * Which builder wrote the store: `webhook` (this file, over HTTP) or `bulk` (bulk-build.ts,
   * in-process); `reused` when `--reuse-store` gave a store an earlier run built (no build timed).
   */
  path: 'webhook' | 'bulk' | 'reused';
  messages: number;
  /** Status events posted (sent, delivered, read). */
  events: number;
  calls: number;
  inbound: number;
  tierAnnouncements: number;
  /** POSTs (webhook) or ingest transactions (bulk). */
  requests: number;
  /** Null for a reused store: this run did not build it. */
  seconds: number | null;
  eventsPerSec: number | null;
}

function post(agent: http.Agent, url: URL, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: '/webhooks/whatsapp',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text.length < 500 ? (text += d.toString()) : undefined));
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`webhook answered ${res.statusCode}: ${text}`))));
      },
    );
    req.setTimeout(120_000, () => req.destroy(new Error('webhook request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

type Bucket =
  | { kind: 'statuses'; waba: BenchWaba; phone: string; items: StatusEvent[] }
  | { kind: 'calls'; waba: BenchWaba; phone: string; items: CallPlan[] }
  | { kind: 'inbound'; waba: BenchWaba; phone: string; items: InboundPlan[] };

function bodyOf(b: Bucket): string {
  switch (b.kind) {
    case 'statuses':
      return statusWebhookBody(b.waba.id, b.phone, b.items);
    case 'calls':
      return callsWebhookBody(b.waba.id, b.phone, b.items);
    case 'inbound':
      return inboundWebhookBody(b.waba.id, b.phone, b.items);
  }
}

/** What a build wrote: status events (sent, delivered, read), finished calls, inbound messages, tier announcements. */
export interface BuildCounts {
  events: number;
  calls: number;
  inbound: number;
  tierAnnouncements: number;
}

export const emptyCounts = (): BuildCounts => ({ events: 0, calls: 0, inbound: 0, tierAnnouncements: 0 });

/**
 * The whole plan (store-plan.ts) as webhook bodies, in the order every builder sends them:
 * statuses `perBody` to a body, calls and inbound messages a tenth of that per body (each grouped
 * per phone number, as Meta's envelope requires), tier announcements one per body, the part-filled
 * bodies last. `counts` is added to as the plan's items are taken, so a caller can log progress.
 * The webhook builder posts these bodies and the bulk builder (bulk-build.ts) parses the same ones,
 * so both store the same events in the same order.
 */
export function* planBodies(plan: BuildPlan, perBody: number, counts: BuildCounts): Generator<string> {
  const perOtherBody = Math.max(1, Math.floor(perBody / 10));
  const buckets = new Map<string, Bucket>();
  function* add<K extends Bucket['kind']>(kind: K, waba: BenchWaba, phone: string, items: Extract<Bucket, { kind: K }>['items']) {
    const key = `${kind}|${phone}`;
    let bucket = buckets.get(key);
    if (!bucket) buckets.set(key, (bucket = { kind, waba, phone, items: [] } as unknown as Bucket));
    (bucket.items as unknown[]).push(...items);
    if (bucket.items.length >= (kind === 'statuses' ? perBody : perOtherBody)) {
      const body = bodyOf(bucket);
      bucket.items = [];
      yield body;
    }
  }
  for (const item of planStore(plan)) {
    switch (item.kind) {
      case 'message':
        counts.events += item.message.events.length;
        yield* add('statuses', item.message.waba, item.message.phone, item.message.events);
        break;
      case 'call':
        counts.calls++;
        yield* add('calls', item.call.waba, item.call.phone, [item.call]);
        break;
      case 'inbound':
        counts.inbound++;
        yield* add('inbound', item.inbound.waba, item.inbound.phone, [item.inbound]);
        break;
      case 'tier':
        counts.tierAnnouncements++;
        yield tierWebhookBody(item.tier);
        break;
    }
  }
  for (const b of buckets.values()) if (b.items.length > 0) yield bodyOf(b);
}

/** Posts every body of planBodies to the webhook route, `concurrency` requests in flight. */
export async function buildStoreViaWebhooks(
  baseUrl: string,
  plan: BuildPlan,
  opts: { perBody?: number; concurrency?: number } = {},
): Promise<BuildResult> {
  const perBody = opts.perBody ?? 200;
  const concurrency = opts.concurrency ?? 8;
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const inflight = new Set<Promise<void>>();
  const counts = emptyCounts();
  let requests = 0;
  let failure: Error | null = null;
  const t0 = Date.now();
  let lastLog = t0;

  const send = async (body: string) => {
    while (inflight.size >= concurrency) await Promise.race(inflight);
    if (failure) throw failure;
    const p = post(agent, url, body).catch((err: Error) => {
      failure = err;
    });
    const tracked = p.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
    requests++;
  };

  for (const body of planBodies(plan, perBody, counts)) {
    await send(body);
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(
        `  store build: ${counts.events.toLocaleString('en')} status events, ${Math.round(counts.events / ((lastLog - t0) / 1000))} events/s`,
      );
    }
  }
  await Promise.all(inflight);
  agent.destroy();
  if (failure) throw failure;
  const seconds = (Date.now() - t0) / 1000;
  return { path: 'webhook', messages: plan.messages, ...counts, requests, seconds, eventsPerSec: Math.round(counts.events / seconds) };
}
