/**
 * Builds the query store through the connector's real webhook ingest: bodies of many statuses
 * (Meta's envelope allows a batch per POST), several requests in flight. Because it IS the real
 * ingest path, the tables it produces are by construction the ones production ingest produces.
 */
import http from 'node:http';
import { buildWabas, planMessage, rng, statusWebhookBody, type BenchWaba, type StatusEvent } from './webhook-bodies';
import { log } from './stats';

export interface BuildPlan {
  messages: number;
  days: number;
  countries: number;
  phones: number;
  /** End of the data, epoch seconds (exclusive). */
  endSec: number;
}

export interface BuildResult {
  messages: number;
  events: number;
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

export async function buildStoreViaWebhooks(
  baseUrl: string,
  plan: BuildPlan,
  opts: { perBody?: number; concurrency?: number } = {},
): Promise<BuildResult> {
  const perBody = opts.perBody ?? 200;
  const concurrency = opts.concurrency ?? 8;
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const wabas = buildWabas(plan.phones);
  const rand = rng(20261122);
  const buckets = new Map<string, { waba: BenchWaba; phone: string; events: StatusEvent[] }>();
  const inflight = new Set<Promise<void>>();
  let events = 0;
  let requests = 0;
  let failure: Error | null = null;
  const t0 = Date.now();
  let lastLog = t0;

  const send = async (waba: BenchWaba, phone: string, batch: StatusEvent[]) => {
    while (inflight.size >= concurrency) await Promise.race(inflight);
    if (failure) throw failure;
    const p = post(agent, url, statusWebhookBody(waba.id, phone, batch)).catch((err: Error) => {
      failure = err;
    });
    const tracked = p.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
    requests++;
    events += batch.length;
  };

  for (let i = 0; i < plan.messages; i++) {
    const m = planMessage(i, rand, { wabas, countries: plan.countries, days: plan.days, endSec: plan.endSec, messages: plan.messages });
    const key = m.phone;
    let bucket = buckets.get(key);
    if (!bucket) buckets.set(key, (bucket = { waba: m.waba, phone: m.phone, events: [] }));
    bucket.events.push(...m.events);
    if (bucket.events.length >= perBody) {
      await send(bucket.waba, bucket.phone, bucket.events);
      bucket.events = [];
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(
        `  store build: ${i.toLocaleString('en')} / ${plan.messages.toLocaleString('en')} messages, ${Math.round(events / ((lastLog - t0) / 1000))} events/s`,
      );
    }
  }
  for (const b of buckets.values()) if (b.events.length > 0) await send(b.waba, b.phone, b.events);
  await Promise.all(inflight);
  agent.destroy();
  if (failure) throw failure;
  const seconds = (Date.now() - t0) / 1000;
  return { messages: plan.messages, events, requests, seconds, eventsPerSec: Math.round(events / seconds) };
}

export { buildWabas };
