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
  messages: number;
  /** Status events posted (sent, delivered, read). */
  events: number;
  calls: number;
  inbound: number;
  tierAnnouncements: number;
  requests: number;
  seconds: number;
  eventsPerSec: number;
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

/**
 * Posts the whole plan (store-plan.ts) to the webhook route: statuses `perBody` to a body, calls
 * and inbound messages a tenth of that per body (each grouped per phone number, as Meta's
 * envelope requires), tier announcements one per body.
 */
export async function buildStoreViaWebhooks(
  baseUrl: string,
  plan: BuildPlan,
  opts: { perBody?: number; concurrency?: number } = {},
): Promise<BuildResult> {
  const perBody = opts.perBody ?? 200;
  const perOtherBody = Math.max(1, Math.floor(perBody / 10));
  const concurrency = opts.concurrency ?? 8;
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const buckets = new Map<string, Bucket>();
  const inflight = new Set<Promise<void>>();
  let events = 0;
  let calls = 0;
  let inbound = 0;
  let tierAnnouncements = 0;
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
  const add = async <K extends Bucket['kind']>(kind: K, waba: BenchWaba, phone: string, items: Extract<Bucket, { kind: K }>['items']) => {
    const key = `${kind}|${phone}`;
    let bucket = buckets.get(key);
    if (!bucket) buckets.set(key, (bucket = { kind, waba, phone, items: [] } as unknown as Bucket));
    (bucket.items as unknown[]).push(...items);
    if (bucket.items.length >= (kind === 'statuses' ? perBody : perOtherBody)) {
      const body = bodyOf(bucket);
      bucket.items = [];
      await send(body);
    }
  };

  for (const item of planStore(plan)) {
    switch (item.kind) {
      case 'message':
        events += item.message.events.length;
        await add('statuses', item.message.waba, item.message.phone, item.message.events);
        break;
      case 'call':
        calls++;
        await add('calls', item.call.waba, item.call.phone, [item.call]);
        break;
      case 'inbound':
        inbound++;
        await add('inbound', item.inbound.waba, item.inbound.phone, [item.inbound]);
        break;
      case 'tier':
        tierAnnouncements++;
        await send(tierWebhookBody(item.tier));
        break;
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  store build: ${events.toLocaleString('en')} status events, ${Math.round(events / ((lastLog - t0) / 1000))} events/s`);
    }
  }
  for (const b of buckets.values()) if (b.items.length > 0) await send(bodyOf(b));
  await Promise.all(inflight);
  agent.destroy();
  if (failure) throw failure;
  const seconds = (Date.now() - t0) / 1000;
  return {
    messages: plan.messages,
    events,
    calls,
    inbound,
    tierAnnouncements,
    requests,
    seconds,
    eventsPerSec: Math.round(events / seconds),
  };
}
