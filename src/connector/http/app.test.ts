import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { healthResponse } from '@contract';
import { Registry } from 'prom-client';
import { loadMetaFixture } from '../../../tests/fakes/load-meta-fixture';
import { signBody } from '../ingest';
import { registerIngestMetrics } from '../metrics';
import { SqliteStore } from '../store';
import { buildApp } from './app';
import type { AppOptions } from './app-options';

const SECRET = 'app-secret';
const secs = (iso: string) => String(Date.parse(iso) / 1000);
const pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' };
const envelope = (statuses: unknown[]) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: 'W1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: 'P1' }, statuses } }] }],
});
const delivered = (wamid: string) => ({
  id: wamid,
  status: 'delivered',
  timestamp: secs('2025-07-10T12:00:00Z'),
  recipient_id: '5511987654321',
  pricing,
});

describe('connector HTTP app', () => {
  let dir: string;
  let store: SqliteStore;
  let app: FastifyInstance;
  let base: string;
  // In-process on a loopback port: fastify.inject's light-my-request loads an ESM-only dependency jest cannot require.
  async function start(extra: Partial<AppOptions> = {}) {
    app = await buildApp({ store, appSecret: SECRET, verifyToken: 'vt', now: () => 1_752_000_000_000, ...extra });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  }
  async function request(opts: { method: 'GET' | 'POST'; url: string; payload?: string; headers?: Record<string, string> }) {
    const res = await fetch(base + opts.url, { method: opts.method, body: opts.payload, headers: opts.headers });
    const body = await res.text();
    return { statusCode: res.status, body, json: () => JSON.parse(body) as unknown };
  }
  const postSigned = (body: string, headers: Record<string, string> = {}) =>
    request({
      method: 'POST',
      url: '/webhooks/whatsapp',
      payload: body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(Buffer.from(body), SECRET), ...headers },
    });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-app-'));
    store = new SqliteStore(path.join(dir, 'w.db'), { timezones: { W1: 'UTC' } });
  });
  afterEach(async () => {
    await app?.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges a signed webhook after its events are stored, and a replay counts once', async () => {
    await start();
    const body = JSON.stringify(envelope([delivered('m1')]));
    const first = await postSigned(body);
    expect(first.statusCode).toBe(200);
    expect(await store.countRawEvents()).toBe(1);
    expect((await postSigned(body)).statusCode).toBe(200);
    const rows = await store.usageDaily({ fromDay: '2025-07-10', toDay: '2025-07-10' });
    expect(rows.map((r) => r.messages)).toEqual([1]);
  });

  it("answers 200 to Meta's documented status shape with an unknown category, stores every status and counts the unpriced one", async () => {
    const registry = new Registry();
    await start({ metrics: { registry, ingest: registerIngestMetrics(registry) } });
    const doc = loadMetaFixture('status_webhook_sent_marketing_pmp.json') as {
      entry: { changes: { value: { statuses: Record<string, unknown>[] } }[] }[];
    };
    const documented = doc.entry[0]?.changes[0]?.value.statuses[0] as Record<string, unknown>;
    const at = secs('2026-10-05T10:00:00Z');
    const status = (id: string, category: string) => ({
      ...documented,
      id,
      status: 'delivered',
      timestamp: at,
      pricing: { ...(documented.pricing as object), category },
    });
    // The envelope as documented, its one status replaced by three delivered ones.
    const body = JSON.stringify(doc).replace(
      JSON.stringify(doc.entry[0]?.changes[0]?.value.statuses),
      JSON.stringify([status('w.mkt', 'marketing'), status('w.mba', 'meta_business_agent'), status('w.new', 'Made Up Category')]),
    );
    expect(body).toContain('meta_business_agent');
    expect((await postSigned(body)).statusCode).toBe(200);
    const rows = await store.usageDaily({ fromDay: '2026-10-05', toDay: '2026-10-05' });
    expect(rows.map((r) => [r.category, r.messages])).toEqual([
      ['made_up_category', 1],
      ['marketing', 1],
      ['meta_business_agent', 1],
    ]);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('waspend_unpriced_messages_total{category="meta_business_agent"} 1');
    expect(text).toContain('waspend_unpriced_messages_total{category="made_up_category"} 1');
    expect(text).not.toContain('waspend_unpriced_messages_total{category="marketing"}');
  });

  it('acknowledges each of 30 concurrent webhooks only after its events are committed', async () => {
    const committed = new Set<string>();
    const ingest = store.ingest.bind(store);
    store.ingest = async (events, at) => {
      const result = await ingest(events, at);
      for (const e of events) committed.add(e.dedupeKey);
      return result;
    };
    await start();
    const ids = Array.from({ length: 30 }, (_, i) => `c${i}`);
    // Each response is checked the moment it arrives: its status must already be committed.
    const seenAtAck = await Promise.all(
      ids.map(async (id) => {
        const res = await postSigned(JSON.stringify(envelope([delivered(id)])));
        return [res.statusCode, committed.has(`status:${id}:delivered`)];
      }),
    );
    expect(seenAtAck).toEqual(ids.map(() => [200, true]));
    expect(await store.countRawEvents()).toBe(30);
  });

  it('rejects a missing or wrong signature with 401 and stores nothing', async () => {
    await start();
    const body = JSON.stringify(envelope([delivered('m1')]));
    expect(
      (await request({ method: 'POST', url: '/webhooks/whatsapp', payload: body, headers: { 'content-type': 'application/json' } }))
        .statusCode,
    ).toBe(401);
    expect((await postSigned(body, { 'x-hub-signature-256': signBody(Buffer.from(body), 'other') })).statusCode).toBe(401);
    expect(await store.countRawEvents()).toBe(0);
  });

  it('accepts the 360Dialog shared-secret header instead of a signature', async () => {
    await start({ appSecret: undefined, sharedSecret: { header: 'X-D360-Secret', value: 'shh' } });
    const body = JSON.stringify(envelope([delivered('m1')]));
    const send = (v: string) =>
      request({
        method: 'POST',
        url: '/webhooks/whatsapp',
        payload: body,
        headers: { 'content-type': 'application/json', 'x-d360-secret': v },
      });
    expect((await send('nope')).statusCode).toBe(401);
    expect((await send('shh')).statusCode).toBe(200);
  });

  it('answers 400 naming the offending path, and 413 for an oversize body', async () => {
    await start({ bodyLimitBytes: 2048 });
    const bad = await postSigned(JSON.stringify(envelope([{ ...delivered('m1'), timestamp: 'later' }])));
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'entry[0].changes[0].value.statuses[0].timestamp' });
    expect((await postSigned('{not json')).json()).toMatchObject({ field: '(body)' });
    const big = await postSigned(JSON.stringify(envelope(Array.from({ length: 40 }, (_, i) => delivered(`m${i}`)))));
    expect(big.statusCode).toBe(413);
    expect(await store.countRawEvents()).toBe(0);
  });

  it("answers Meta's verification handshake only with the right token", async () => {
    await start();
    const ok = await request({ method: 'GET', url: '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=12345' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('12345');
    expect(
      (await request({ method: 'GET', url: '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=no&hub.challenge=1' })).statusCode,
    ).toBe(403);
  });

  it('reports store health in the contract shape, and 503 when the store is gone', async () => {
    await start();
    await postSigned(JSON.stringify(envelope([delivered('m1')])));
    const res = await request({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = healthResponse.parse(res.json());
    expect(body.store).toEqual({ ok: true, kind: 'sqlite', events: 1, lastEventAt: 1_752_000_000_000 });
    await store.close();
    const down = await request({ method: 'GET', url: '/health' });
    expect(down.statusCode).toBe(503);
    expect(healthResponse.parse(down.json()).store.ok).toBe(false);
  });
});
