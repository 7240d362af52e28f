import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { normaliseEnvelope, parseEnvelope } from '../ingest';
import { SqliteStore } from './sqlite-store';

const SP = 'W_SP';
const UTC = 'W_UTC';
const JULY = { fromDay: '2025-07-01', toDay: '2025-08-31' };
const pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' };

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-store-'));
  store = new SqliteStore(path.join(dir, 'w.db'), { timezones: { [SP]: 'America/Sao_Paulo', [UTC]: 'UTC' } });
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const secs = (iso: string) => String(Date.parse(iso) / 1000);
function status(wamid: string, st: string, iso: string, extra: Record<string, unknown> = {}) {
  return { id: wamid, status: st, timestamp: secs(iso), recipient_id: '5511987654321', ...extra };
}
async function post(wabaId: string, ...statuses: Record<string, unknown>[]) {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: wabaId, changes: [{ field: 'messages', value: { metadata: { phone_number_id: 'P1' }, statuses } }] }],
  });
  return store.ingest(normaliseEnvelope(parseEnvelope(body), 0), 0);
}
const total = async (range = JULY) => (await store.usageDaily(range)).reduce((n, r) => n + r.messages, 0);

describe('SqliteStore message counting', () => {
  it('counts a delivered, priced message once on its day with country and market', async () => {
    await post(UTC, status('m1', 'sent', '2025-07-10T10:00:00Z', { pricing }), status('m1', 'delivered', '2025-07-10T10:00:05Z', { pricing }));
    const rows = await store.usageDaily(JULY);
    expect(rows).toEqual([expect.objectContaining({ day: '2025-07-10', wabaId: UTC, phoneNumberId: 'P1', country: 'BR', category: 'utility', pricingType: 'regular', pricingModel: 'PMP', messages: 1 })]);
  });

  it('stores a replayed webhook once and does not count it again', async () => {
    const batch = [status('m1', 'sent', '2025-07-10T10:00:00Z', { pricing }), status('m1', 'delivered', '2025-07-10T10:00:05Z', { pricing })];
    expect(await post(UTC, ...batch)).toEqual({ inserted: 2, duplicates: 0 });
    expect(await post(UTC, ...batch)).toEqual({ inserted: 0, duplicates: 2 });
    expect(await store.countRawEvents()).toBe(2);
    expect(await store.eventStats()).toEqual({ events: 2, lastEventAt: 0 });
    expect(await total()).toBe(1);
  });

  it('counts on the delivery day when read arrives first, then moves nothing twice', async () => {
    await post(UTC, status('m1', 'read', '2025-07-11T00:30:00Z', { pricing }));
    expect((await store.usageDaily(JULY)).map((r) => [r.day, r.messages])).toEqual([['2025-07-11', 1]]);
    await post(UTC, status('m1', 'delivered', '2025-07-10T23:50:00Z', { pricing }));
    expect((await store.usageDaily(JULY)).map((r) => [r.day, r.messages])).toEqual([['2025-07-10', 1]]);
  });

  it('waits for the pricing verdict when delivered arrives before sent', async () => {
    await post(UTC, status('m1', 'delivered', '2025-07-10T10:00:05Z'));
    expect(await total()).toBe(0);
    await post(UTC, status('m1', 'sent', '2025-07-10T10:00:00Z', { pricing }));
    expect((await store.usageDaily(JULY)).map((r) => [r.day, r.messages])).toEqual([['2025-07-10', 1]]);
  });

  it('never counts a failed-only message, but counts failed-then-delivered once', async () => {
    await post(UTC, status('f1', 'failed', '2025-07-10T10:00:00Z', { errors: [{ code: 131049 }] }));
    await post(UTC, status('m2', 'failed', '2025-07-10T10:00:00Z', { errors: [{ code: 131026 }] }));
    expect(await total()).toBe(0);
    await post(UTC, status('m2', 'delivered', '2025-07-10T10:05:00Z', { pricing }));
    expect(await total()).toBe(1);
  });

  it('puts the day boundary at WABA-local midnight (America/Sao_Paulo is UTC-3)', async () => {
    const at = '2025-08-01T02:30:00Z';
    await post(SP, status('s1', 'delivered', at, { pricing }));
    await post(UTC, status('u1', 'delivered', at, { pricing }));
    const days = (await store.usageDaily(JULY)).map((r) => [r.wabaId, r.day]);
    expect(days).toEqual(expect.arrayContaining([[SP, '2025-07-31'], [UTC, '2025-08-01']]));
    expect(await store.usageDaily({ fromDay: '2025-08-01', toDay: '2025-08-01', wabaId: SP })).toEqual([]);
  });

  it('counts a recipient that is not a phone number under market Other with no country', async () => {
    await post(UTC, status('m1', 'delivered', '2025-07-10T10:00:00Z', { pricing, recipient_id: 'US.13491208655302741918' }));
    expect(await store.usageDaily(JULY)).toEqual([expect.objectContaining({ country: null, market: 'Other', messages: 1 })]);
  });

  it('counts unique contacts from delivered recipients and inbound senders, once per contact', async () => {
    await post(UTC, status('m1', 'delivered', '2025-07-10T10:00:00Z', { pricing }), status('m2', 'delivered', '2025-07-11T10:00:00Z', { pricing }));
    await post(UTC, status('m3', 'delivered', '2025-07-11T11:00:00Z', { pricing, recipient_id: '4915112345678' }));
    await post(UTC, status('f1', 'failed', '2025-07-11T11:00:00Z', { recipient_id: '4915100000000' }));
    const inbound = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: UTC, changes: [{ field: 'messages', value: {
      metadata: { phone_number_id: 'P1' }, messages: [{ id: 'in1', from: '447700900123', timestamp: secs('2025-07-12T09:00:00Z'), type: 'text' }] } }] }] });
    await store.ingest(normaliseEnvelope(parseEnvelope(inbound), 0), 0);
    await store.ingest(normaliseEnvelope(parseEnvelope(inbound), 0), 0);
    expect(await store.uniqueContacts(JULY)).toBe(3);
    expect(await store.inboundDaily(JULY)).toEqual([{ day: '2025-07-12', wabaId: UTC, phoneNumberId: 'P1', country: 'GB', referralSourceId: null, messages: 1 }]);
    expect(await store.uniqueContacts({ fromDay: '2025-07-11', toDay: '2025-07-11' })).toBe(2);
    expect(await store.uniqueContacts({ ...JULY, wabaId: SP })).toBe(0);
  });

  it('keeps the group (biz_opaque_callback_data) and the free pricing type', async () => {
    await post(UTC, status('m1', 'delivered', '2025-07-10T10:00:00Z', { biz_opaque_callback_data: 'spring-sale', pricing: { ...pricing, billable: false, type: 'free_customer_service', category: 'service' } }));
    expect(await store.usageDaily(JULY)).toEqual([expect.objectContaining({ group: 'spring-sale', category: 'service', pricingType: 'free_customer_service' })]);
  });
});

describe('SqliteStore schema', () => {
  it('runs in WAL mode, records the migrations in order and does not re-apply them on reopen', async () => {
    const file = path.join(dir, 'w.db');
    await store.close();
    store = new SqliteStore(file, { timezones: {} });
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual([1, 2, 3, 4, 5].map((version) => ({ version })));
    } finally {
      db.close();
    }
  });
});
