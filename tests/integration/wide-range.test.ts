/**
 * Queries over any range cost what the data costs (issue 13 item 6): a range widened to 1900..2999
 * answers exactly what the data's own range answers, unique contacts come from one sketch read per
 * WABA (same figures as the former one-store-call-per-bucket-and-WABA reads, recomputed here from
 * the store), and a webhook posted while such a query runs is acknowledged and counted.
 * No timing assertions: equality, call counts and outcomes only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { contactsQuery } from '../../src/contract';
import { addDays, dayStartMs } from '../../src/core';
import { DEMO_WABAS } from '../../src/connector/demo';
import { contactsSeries } from '../../src/connector/query/other-series';
import type { QueryContext, WabaInfo } from '../../src/connector/query/query-context';
import type { RunningConnector } from '../../src/connector/runtime/connector';
import { demoConfig } from '../../src/connector/runtime/demo-config';
import { openStore } from '../../src/connector/runtime/open-store';
import type { ConnectorStore } from '../../src/connector/store';
import { DEMO_TIMEZONES, seedDemoStore, startInProcess } from '../helpers/in-process-connector';
import { envelopeWithStatuses } from '../helpers/webhook-envelopes';

jest.setTimeout(120_000);

const TOKEN = 'wide-range-token-0123456789abcdef';
const AS_OF = Date.parse('2026-09-12T15:00:00Z');
const WIDE = 'from=1900-01-01&to=2999-12-31';

describe('queries over ranges far wider than the data', () => {
  let dir: string;
  let db: string;
  let running: RunningConnector;
  /** A second handle on the same file, to compute expectations from the stored rows directly. */
  let store: ConnectorStore;
  let first: string;
  let last: string;

  const get = async <T = { rows: Record<string, unknown>[] }>(q: string): Promise<T> => {
    const res = await fetch(`${running.url}/api/v1${q}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${q} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-wide-'));
    db = `sqlite:${path.join(dir, 'wide.sqlite')}`;
    await seedDemoStore(db, { seed: 'wide-range', asOfMs: AS_OF, days: 6, scale: 0.05 });
    running = await startInProcess({ config: demoConfig(TOKEN), db, asOfMs: AS_OF });
    store = await openStore(db, { timezones: DEMO_TIMEZONES });
    // The data's own day range, from the rollups themselves (not from dataDays, which is under test).
    const everything = { fromDay: '1900-01-01', toDay: '2999-12-31' };
    const days = [
      ...(await store.usageDaily(everything)).map((r) => r.day),
      ...(await store.callsDaily(everything)).map((r) => r.day),
      ...(await store.inboundDaily(everything)).map((r) => r.day),
    ].sort();
    first = days[0] as string;
    last = days.at(-1) as string;
  });
  afterAll(async () => {
    await store?.close();
    await running?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the store names the first and last day with data per WABA, and none for a WABA without any', async () => {
    const everything = { fromDay: '1900-01-01', toDay: '2999-12-31' };
    for (const w of DEMO_WABAS) {
      const days = [
        ...(await store.usageDaily({ ...everything, wabaId: w.id })).map((r) => r.day),
        ...(await store.callsDaily({ ...everything, wabaId: w.id })).map((r) => r.day),
        ...(await store.inboundDaily({ ...everything, wabaId: w.id })).map((r) => r.day),
        ...(await store.daySketches({ ...everything, wabaId: w.id })).map((r) => r.day),
      ].sort();
      expect(days.length).toBeGreaterThan(0);
      expect(await store.dataDays(w.id)).toEqual({ fromDay: days[0], toDay: days.at(-1) });
    }
    expect(await store.dataDays('no-such-waba')).toBeNull();
    expect(last > first).toBe(true);
  });

  const queries = [
    'usage?interval=day&by=category,country',
    'usage?interval=month&by=waba,pricing_type,phone,group',
    'usage?interval=day&source=meta&by=category',
    'calls?interval=day&by=country,direction',
    'calls?interval=month&source=meta',
    'pricing-input?by=country',
    'contacts?interval=day',
    'contacts?interval=month',
    `contacts?interval=day&waba=${DEMO_WABAS[1]?.id}`,
  ];

  it.each(queries)('%s: 1900..2999 and a range sticking out on both sides answer what the data range answers', async (q) => {
    const own = await get<Record<string, unknown>>(`/${q}&from=${first}&to=${last}`);
    const wide = await get<Record<string, unknown>>(`/${q}&${WIDE}`);
    const around = await get<Record<string, unknown>>(`/${q}&from=${addDays(first, -40)}&to=${addDays(last, 40)}`);
    // As Grafana sends a 1900..2999 dashboard range: epoch milliseconds, negative before 1970.
    const epochs = await get<Record<string, unknown>>(`/${q}&from=${Date.UTC(1900, 0, 1)}&to=${Date.UTC(3000, 0, 1)}`);
    expect((own.rows as unknown[]).length).toBeGreaterThan(0);
    expect(wide).toEqual(own);
    expect(around).toEqual(own);
    expect(epochs).toEqual(own);
  });

  it('unique contacts: buckets and total equal the per-bucket, per-WABA store reads, from one sketch read per WABA', async () => {
    const wabas = new Map<string, WabaInfo>(
      DEMO_WABAS.map((w) => [
        w.id,
        { id: w.id, name: w.name, timezone: w.timezone, currencies: [{ from: '', code: w.currency }], portfolio: w.portfolio },
      ]),
    );
    const calls: string[] = [];
    const counting = new Proxy(store, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls.push(String(prop));
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const ctx: QueryContext = { store: counting, wabas, priceBook: () => ({}) as never, generation: () => 0, now: () => AS_OF };
    const zone = DEMO_WABAS[0]?.timezone as string;
    for (const interval of ['day', 'month'] as const) {
      calls.length = 0;
      const got = await contactsSeries(ctx, contactsQuery.parse({ from: '1900-01-01', to: '2999-12-31', interval }));
      // Bounded by the WABAs, not by the days of the range: one dataDays and one daySketches each.
      expect(calls.filter((c) => c === 'daySketches')).toHaveLength(wabas.size);
      expect(calls.filter((c) => c !== 'daySketches' && c !== 'dataDays')).toEqual([]);

      // The former algorithm, per bucket of the first WABA's calendar over the data's days, one store union per WABA.
      const expected: { time: number; bucket: string; contacts: number }[] = [];
      for (let day = first; day <= last; day = addDays(day, 1)) {
        const bucket = interval === 'month' ? day.slice(0, 7) : day;
        const prev = expected.at(-1);
        if (prev?.bucket === bucket) continue;
        const bucketLast =
          interval === 'month' ? (last.slice(0, 7) === bucket ? last : addDays(`${addDays(`${bucket}-28`, 4).slice(0, 7)}-01`, -1)) : day;
        let contacts = 0;
        for (const w of DEMO_WABAS) contacts += await store.uniqueContacts({ fromDay: day, toDay: bucketLast, wabaId: w.id });
        expected.push({ time: interval === 'month' ? dayStartMs(`${bucket}-01`, zone) : dayStartMs(day, zone), bucket, contacts });
      }
      let total = 0;
      for (const w of DEMO_WABAS) total += await store.uniqueContacts({ fromDay: '1900-01-01', toDay: '2999-12-31', wabaId: w.id });
      expect(got.rows).toEqual(expected);
      expect(got.total).toBe(total);
      expect(total).toBeGreaterThan(0);
    }
  });

  it('a webhook posted while contacts over 1900..2999 runs is acknowledged and counted; the query answers the data range figures', async () => {
    const [a, b] = DEMO_WABAS;
    if (!a || !b) throw new Error('the demo has two WABAs or more');
    const before = await get<{ rows: unknown[]; total: number }>(`/contacts?interval=day&waba=${a.id}&from=${first}&to=${last}`);
    const phone = b.phones[0]?.id as string;
    const at = Math.floor(AS_OF / 1000) - 3600;
    const envelope = envelopeWithStatuses({ waba: b.id, phone, display: `+${phone}` }, [
      {
        id: 'wamid.wide-range-1',
        status: 'delivered',
        timestamp: String(at),
        recipient_id: '5511900000001',
        pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' },
      },
    ]);
    // Both requests are in flight together; the webhook is for another WABA, so the contacts answer must not move.
    const query = get<{ rows: unknown[]; total: number }>(`/contacts?interval=day&waba=${a.id}&${WIDE}`);
    const ack = fetch(`${running.url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope),
    });
    const [answer, res] = await Promise.all([query, ack]);
    expect(res.status).toBe(200);
    expect(answer).toEqual(before);
    // Acknowledged means committed: the status is in the store with Meta's verdict.
    expect(await store.messageVerdict('wamid.wide-range-1')).toMatchObject({ category: 'utility', pricingType: 'regular', source: 'meta' });
  });
});
