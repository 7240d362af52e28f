import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_WABAS, generateDemo, seedDemo } from '../demo';
import { createEnvelopeIngest } from './envelope-ingest';
import { SqliteStore } from './sqlite/store';

const OPTIONS = { seed: 'store-test', asOfMs: Date.parse('2025-09-03T12:00:00Z'), days: 3, scale: 0.02 };

/** Independent tally from the envelopes: wamids with a delivered/read status and some status carrying pricing. */
function expectedCounts() {
  const delivered = new Set<string>();
  const priced = new Set<string>();
  const keys = new Set<string>();
  const terminated = new Set<string>();
  const recipients = new Map<string, string>();
  const contacts = new Set<string>();
  const inbound = new Set<string>();
  const referrals = new Set<string>();
  for (const { envelope } of generateDemo(OPTIONS).envelopes()) {
    for (const change of envelope.entry[0]?.changes ?? []) {
      for (const m of (change.value.messages ?? []) as { id: string; from: string; referral?: unknown }[]) {
        contacts.add(m.from);
        inbound.add(m.id);
        if (m.referral) referrals.add(m.id);
      }
      for (const s of (change.value.statuses ?? []) as { id: string; status: string; recipient_id: string; pricing?: unknown }[]) {
        recipients.set(s.id, s.recipient_id);
        keys.add(`${s.id}|${s.status}`);
        if (s.status === 'delivered' || s.status === 'read') delivered.add(s.id);
        if (s.pricing) priced.add(s.id);
      }
      for (const c of (change.value.calls ?? []) as { id: string; event: string }[]) if (c.event === 'terminate') terminated.add(c.id);
    }
  }
  const counted = [...delivered].filter((id) => priced.has(id));
  for (const id of counted) contacts.add(recipients.get(id) as string);
  return {
    inbound: inbound.size,
    referrals: referrals.size,
    contacts: contacts.size,
    counted: counted.length,
    statusKeys: keys.size,
    calls: terminated.size,
  };
}

describe('seeding the demo through the store', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-seed-'));
    store = new SqliteStore(path.join(dir, 'w.db'), { timezones: Object.fromEntries(DEMO_WABAS.map((w) => [w.id, w.timezone])) });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts every delivered and priced message and every terminated call once, and a second seeding adds nothing', async () => {
    const expected = expectedCounts();
    expect(expected.counted).toBeGreaterThan(50);
    expect(expected.calls).toBeGreaterThan(0);
    expect(expected.referrals).toBeGreaterThan(0);
    const ingest = createEnvelopeIngest(store, () => OPTIONS.asOfMs);
    const range = { fromDay: '2025-08-01', toDay: '2025-09-30' };
    const total = async () => (await store.usageDaily(range)).reduce((n, r) => n + r.messages, 0);
    const calls = async () => (await store.callsDaily(range)).reduce((n, r) => n + r.calls, 0);

    const result = await seedDemo({ ...OPTIONS, ingest, sink: store });
    expect(await total()).toBe(expected.counted);
    expect(await calls()).toBe(expected.calls);
    const inbound = await store.inboundDaily(range);
    expect(inbound.reduce((n, r) => n + r.messages, 0)).toBe(expected.inbound);
    expect(inbound.filter((r) => r.referralSourceId !== null).reduce((n, r) => n + r.messages, 0)).toBe(expected.referrals);
    // HyperLogLog with 4,096 registers: about 1.6% standard error.
    expect(Math.abs((await store.uniqueContacts(range)) - expected.contacts)).toBeLessThanOrEqual(Math.ceil(expected.contacts * 0.05));
    const raw = await store.countRawEvents();
    expect(raw).toBeGreaterThanOrEqual(expected.statusKeys);

    await seedDemo({ ...OPTIONS, ingest, sink: store });
    expect(await total()).toBe(expected.counted);
    expect(await store.countRawEvents()).toBe(raw);
    expect(await calls()).toBe(expected.calls);
    expect(result.metaPricingRows).toBeGreaterThan(0);
    expect((await store.pulledPricing('meta_pricing', range)).length).toBe(result.metaPricingRows);
  });
});
