/**
 * Behaviour every Store must have, run against each adapter (sqlite.test.ts, postgres.test.ts) so
 * SQLite and PostgreSQL cannot drift apart. Not a test file itself: it only declares `describe`
 * blocks when called from one. The rest of `ConnectorStore` is in connector-store-suite.ts,
 * invoices-suite.ts and report-deliveries-suite.ts.
 */
import { loadMetaFixture } from '../fakes/load-meta-fixture';
import { Rng } from '../../src/connector/demo/rng';
import { normaliseEnvelope, parseEnvelope, type WebhookEvent } from '../../src/connector/ingest';
import type { MetaPricingRow } from '../../src/connector/pull/pull-sink';
import type { Store, StoreOptions } from '../../src/connector/store';

export type OpenStore = (options: StoreOptions) => Promise<Store>;

const SP = 'W_SP';
const UTC = 'W_UTC';
const JULY = { fromDay: '2025-07-01', toDay: '2025-08-31' };
const pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' };
const TIMEZONES = { [SP]: 'America/Sao_Paulo', [UTC]: 'UTC' };

const secs = (iso: string) => String(Date.parse(iso) / 1000);

export function statusObject(wamid: string, st: string, iso: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: wamid, status: st, timestamp: secs(iso), recipient_id: '5511987654321', ...extra };
}

/** Normalised events of one webhook envelope with the given changes. */
export function eventsOf(wabaId: string, changes: { field: string; value: unknown }[], receivedAtMs = 0): WebhookEvent[] {
  return normaliseEnvelope(
    parseEnvelope(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: wabaId, changes }] })),
    receivedAtMs,
  );
}

export const statusEvents = (wabaId: string, ...statuses: Record<string, unknown>[]) =>
  eventsOf(wabaId, [{ field: 'messages', value: { metadata: { phone_number_id: 'P1' }, statuses } }]);
export const inboundEvents = (wabaId: string, ...messages: Record<string, unknown>[]) =>
  eventsOf(wabaId, [{ field: 'messages', value: { metadata: { phone_number_id: 'P1' }, messages } }]);
export const callEvents = (wabaId: string, ...calls: Record<string, unknown>[]) =>
  eventsOf(wabaId, [{ field: 'calls', value: { metadata: { phone_number_id: 'P1' }, calls } }]);

export const connectObject = (id: string, iso: string) => ({
  id,
  event: 'connect',
  from: '5511987654321',
  to: '551130000000',
  timestamp: secs(iso),
});
export const terminateObject = (id: string, startIso: string, duration: number, direction = 'USER_INITIATED') => ({
  id,
  event: 'terminate',
  direction,
  from: '5511987654321',
  to: '551130000000',
  timestamp: secs(startIso),
  start_time: secs(startIso),
  duration,
});

/** A deterministic PRNG (the demo's mulberry32) so shuffles are reproducible from the seed in a failure message. */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Splits into batches of 1..maxSize events. */
export function batchesOf<T>(items: readonly T[], random: () => number, maxSize: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length;) {
    const n = 1 + Math.floor(random() * maxSize);
    out.push(items.slice(i, i + n));
    i += n;
  }
  return out;
}

/**
 * A mixed stream: messages (sent/delivered/read with a consistent pricing verdict, some failed, some
 * delivered around a WABA-local midnight), calls (connect and terminate) and inbound messages with and
 * without ad referrals. Every event's final effect is independent of arrival order.
 */
export function mixedStream(messages: number, random: () => number): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  const base = Date.parse('2025-07-10T02:00:00Z');
  const iso = (ms: number) => new Date(ms).toISOString();
  const categories = ['utility', 'marketing', 'authentication', 'service'];
  const recipients = ['5511987654321', '4915112345678', '447700900123', '14155550123', '919876543210', 'US.13491208655302741918'];
  for (let i = 0; i < messages; i++) {
    const waba = i % 3 === 0 ? SP : UTC;
    const at = base + Math.floor(random() * 4 * 86_400) * 1000;
    const p = {
      ...pricing,
      category: categories[i % categories.length],
      ...(i % 7 === 0 ? { billable: false, type: 'free_customer_service', category: 'service' } : {}),
    };
    const extra = {
      pricing: p,
      recipient_id: recipients[i % recipients.length],
      ...(i % 5 === 0 ? { biz_opaque_callback_data: `g${i % 2}` } : {}),
    };
    const wamid = `wamid.${i}`;
    if (i % 11 === 0) {
      events.push(
        ...statusEvents(waba, statusObject(wamid, 'failed', iso(at), { recipient_id: extra.recipient_id, errors: [{ code: 131026 }] })),
      );
      continue;
    }
    events.push(...statusEvents(waba, statusObject(wamid, 'sent', iso(at), extra)));
    if (i % 4 !== 0) events.push(...statusEvents(waba, statusObject(wamid, 'delivered', iso(at + 5_000), extra)));
    if (i % 3 !== 0) events.push(...statusEvents(waba, statusObject(wamid, 'read', iso(at + 3_600_000), extra)));
    // Delivered without a verdict: must wait for sent's pricing.
    if (i % 4 === 0 && i % 3 === 0)
      events.push(...statusEvents(waba, statusObject(wamid, 'delivered', iso(at + 4_000), { recipient_id: extra.recipient_id })));
  }
  for (let i = 0; i < Math.ceil(messages / 4); i++) {
    const at = base + Math.floor(random() * 3 * 86_400) * 1000;
    const id = `call.${i}`;
    const duration = i % 4 === 0 ? 0 : 30 + i;
    // A business-initiated call says so on connect too, so both events name the same user number.
    const business = { direction: 'BUSINESS_INITIATED', from: '551130000000', to: '4915112345678' };
    events.push(...callEvents(SP, i % 5 === 0 ? { ...connectObject(id, iso(at)), ...business } : connectObject(id, iso(at))));
    events.push(
      ...callEvents(SP, i % 5 === 0 ? { ...terminateObject(id, iso(at), duration), ...business } : terminateObject(id, iso(at), duration)),
    );
  }
  for (let i = 0; i < Math.ceil(messages / 3); i++) {
    const at = base + Math.floor(random() * 3 * 86_400) * 1000;
    const referral =
      i % 4 === 0 ? { referral: { source_id: `ad${i % 2}`, source_type: 'ad', source_url: 'https://example.invalid/ad' } } : {};
    events.push(
      ...inboundEvents(i % 2 === 0 ? UTC : SP, {
        id: `in.${i}`,
        from: recipients[i % 5],
        timestamp: secs(iso(at)),
        type: 'text',
        ...referral,
      }),
    );
  }
  return events;
}

/** Everything a store reports about its contents, for comparing two stores. */
export async function snapshotOf(store: Store, range = JULY) {
  return {
    usage: await store.usageDaily(range),
    calls: await store.callsDaily(range),
    inbound: await store.inboundDaily(range),
    contacts: await store.uniqueContacts(range),
    rawEvents: await store.countRawEvents(),
  };
}

const pricingRow = (day: string, volume: number, cost: bigint | null): MetaPricingRow => ({
  day,
  wabaId: 'W1',
  phoneNumberId: 'P1',
  country: 'BR',
  category: 'utility',
  pricingType: 'regular',
  tier: '0:100000',
  volume,
  costMicros: cost,
  currency: 'USD',
});

/**
 * Declares the shared behaviour tests. `open` must give a store on a new, empty database each time
 * it is called (some tests open a second store next to the first); `cleanup` runs after each test,
 * once every store it opened is closed.
 */
export function describeStoreBehaviour(name: string, open: OpenStore, cleanup: () => Promise<void> = async () => undefined): void {
  describe(`${name}: Store behaviour`, () => {
    let store: Store;
    const stores: Store[] = [];
    const openStore = async (options: StoreOptions = { timezones: TIMEZONES }) => {
      const s = await open(options);
      stores.push(s);
      return s;
    };
    beforeEach(async () => {
      store = await openStore();
    });
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
      await cleanup();
    });

    const post = (wabaId: string, ...statuses: Record<string, unknown>[]) => store.ingest(statusEvents(wabaId, ...statuses), 0);
    const total = async (range = JULY) => (await store.usageDaily(range)).reduce((n, r) => n + r.messages, 0);
    const dayCounts = async () => (await store.usageDaily(JULY)).map((r) => [r.day, r.messages]);

    describe('message counting', () => {
      it('counts a delivered, priced message once on its day with country and market', async () => {
        await post(
          UTC,
          statusObject('m1', 'sent', '2025-07-10T10:00:00Z', { pricing }),
          statusObject('m1', 'delivered', '2025-07-10T10:00:05Z', { pricing }),
        );
        expect(await store.usageDaily(JULY)).toEqual([
          {
            day: '2025-07-10',
            wabaId: UTC,
            phoneNumberId: 'P1',
            country: 'BR',
            market: expect.any(String),
            category: 'utility',
            pricingType: 'regular',
            pricingModel: 'PMP',
            group: null,
            messages: 1,
            units: 1,
          },
        ]);
      });

      it('stores a replayed webhook once and does not count it again', async () => {
        const batch = [
          statusObject('m1', 'sent', '2025-07-10T10:00:00Z', { pricing }),
          statusObject('m1', 'delivered', '2025-07-10T10:00:05Z', { pricing }),
        ];
        expect(await post(UTC, ...batch)).toEqual({ inserted: 2, duplicates: 0 });
        expect(await post(UTC, ...batch)).toEqual({ inserted: 0, duplicates: 2 });
        expect(await store.countRawEvents()).toBe(2);
        expect(await store.eventStats()).toEqual({ events: 2, lastEventAt: 0 });
        expect(await total()).toBe(1);
      });

      it('counts an event repeated within one batch once, as one insert and one duplicate', async () => {
        const delivered = statusObject('m1', 'delivered', '2025-07-10T10:00:05Z', { pricing });
        expect(await post(UTC, delivered, delivered)).toEqual({ inserted: 1, duplicates: 1 });
        expect(await total()).toBe(1);
        expect(await store.countRawEvents()).toBe(1);
      });

      it('keeps and counts once a message whose id and group contain a NUL character', async () => {
        const odd = statusObject('m\u0000x', 'delivered', '2025-07-10T10:00:05Z', { pricing, biz_opaque_callback_data: 'g\u0000' });
        expect(await post(UTC, odd)).toEqual({ inserted: 1, duplicates: 0 });
        expect(await post(UTC, odd)).toEqual({ inserted: 0, duplicates: 1 });
        expect(await store.usageDaily(JULY)).toEqual([expect.objectContaining({ messages: 1, group: expect.stringMatching(/^g.$/) })]);
        expect(await store.usageDaily({ ...JULY, wabaId: 'W\u0000' })).toEqual([]);
        expect(await store.accountEvents({ fromMs: 0, toMs: 2e12, wabaId: 'W\u0000' })).toEqual([]);
        expect(await store.getCursor('W\u0000', 'meta_pricing')).toEqual({ lastCompleteDay: null });
      });

      it('reports no events and no last event on an empty store, and the newest receive time after ingests', async () => {
        expect(await store.eventStats()).toEqual({ events: 0, lastEventAt: null });
        expect(await store.ingest([], 5)).toEqual({ inserted: 0, duplicates: 0 });
        await store.ingest(statusEvents(UTC, statusObject('m1', 'sent', '2025-07-10T10:00:00Z')), 1_750_000_000_123);
        await store.ingest(statusEvents(UTC, statusObject('m2', 'sent', '2025-07-10T10:00:00Z')), 1_750_000_000_001);
        expect(await store.eventStats()).toEqual({ events: 2, lastEventAt: 1_750_000_000_123 });
      });

      it('counts on the delivery day when read arrives first, then moves nothing twice', async () => {
        await post(UTC, statusObject('m1', 'read', '2025-07-11T00:30:00Z', { pricing }));
        expect(await dayCounts()).toEqual([['2025-07-11', 1]]);
        await post(UTC, statusObject('m1', 'delivered', '2025-07-10T23:50:00Z', { pricing }));
        expect(await dayCounts()).toEqual([['2025-07-10', 1]]);
      });

      it('moves the count to the earlier day within a single batch too', async () => {
        await post(
          UTC,
          statusObject('m1', 'read', '2025-07-11T00:30:00Z', { pricing }),
          statusObject('m1', 'delivered', '2025-07-10T23:50:00Z', { pricing }),
          statusObject('m2', 'read', '2025-07-11T00:30:00Z', { pricing }),
        );
        expect(await dayCounts()).toEqual([
          ['2025-07-10', 1],
          ['2025-07-11', 1],
        ]);
      });

      it("counts a delivery that arrives before Meta's verdict on an inferred one, then under Meta's", async () => {
        await post(UTC, statusObject('m1', 'delivered', '2025-07-10T10:00:05Z'));
        expect((await store.usageDaily(JULY)).map((r) => [r.day, r.category, r.messages])).toEqual([['2025-07-10', 'unknown', 1]]);
        await post(UTC, statusObject('m1', 'sent', '2025-07-10T10:00:00Z', { pricing }));
        expect((await store.usageDaily(JULY)).map((r) => [r.day, r.category, r.messages])).toEqual([['2025-07-10', 'utility', 1]]);
      });

      it('never counts a failed-only message, but counts failed-then-delivered once', async () => {
        await post(UTC, statusObject('f1', 'failed', '2025-07-10T10:00:00Z', { errors: [{ code: 131049 }] }));
        await post(UTC, statusObject('m2', 'failed', '2025-07-10T10:00:00Z', { errors: [{ code: 131026 }] }));
        expect(await total()).toBe(0);
        await post(UTC, statusObject('m2', 'delivered', '2025-07-10T10:05:00Z', { pricing }));
        expect(await total()).toBe(1);
      });

      it('puts the day boundary at WABA-local midnight (America/Sao_Paulo is UTC-3)', async () => {
        const at = '2025-08-01T02:30:00Z';
        await post(SP, statusObject('s1', 'delivered', at, { pricing }));
        await post(UTC, statusObject('u1', 'delivered', at, { pricing }));
        const days = (await store.usageDaily(JULY)).map((r) => [r.wabaId, r.day]);
        expect(days).toEqual(
          expect.arrayContaining([
            [SP, '2025-07-31'],
            [UTC, '2025-08-01'],
          ]),
        );
        expect(await store.usageDaily({ fromDay: '2025-08-01', toDay: '2025-08-01', wabaId: SP })).toEqual([]);
      });

      it('uses the default time zone for WABAs without one, and UTC without a default', async () => {
        const at = '2025-08-01T02:30:00Z';
        const other = await openStore({ timezones: {}, defaultTimezone: 'America/Sao_Paulo' });
        await other.ingest(statusEvents('W_NEW', statusObject('n1', 'delivered', at, { pricing })), 0);
        expect((await other.usageDaily(JULY)).map((r) => r.day)).toEqual(['2025-07-31']);
        await post('W_NEW', statusObject('n1', 'delivered', at, { pricing }));
        expect((await store.usageDaily(JULY)).map((r) => r.day)).toEqual(['2025-08-01']);
      });

      it('counts a recipient that is not a phone number under market Other with no country', async () => {
        await post(UTC, statusObject('m1', 'delivered', '2025-07-10T10:00:00Z', { pricing, recipient_id: 'US.13491208655302741918' }));
        expect(await store.usageDaily(JULY)).toEqual([expect.objectContaining({ country: null, market: 'Other', messages: 1 })]);
      });

      it('keeps the group (biz_opaque_callback_data) and the free pricing type', async () => {
        await post(
          UTC,
          statusObject('m1', 'delivered', '2025-07-10T10:00:00Z', {
            biz_opaque_callback_data: 'spring-sale',
            pricing: { ...pricing, billable: false, type: 'free_customer_service', category: 'service' },
          }),
        );
        expect(await store.usageDaily(JULY)).toEqual([
          expect.objectContaining({ group: 'spring-sale', category: 'service', pricingType: 'free_customer_service' }),
        ]);
      });

      it('filters by WABA and by inclusive day range', async () => {
        await post(
          UTC,
          statusObject('a', 'delivered', '2025-07-10T10:00:00Z', { pricing }),
          statusObject('b', 'delivered', '2025-07-12T10:00:00Z', { pricing }),
        );
        await post(SP, statusObject('c', 'delivered', '2025-07-10T10:00:00Z', { pricing }));
        expect((await store.usageDaily({ fromDay: '2025-07-10', toDay: '2025-07-10' })).map((r) => r.wabaId)).toEqual([SP, UTC]);
        expect((await store.usageDaily({ fromDay: '2025-07-10', toDay: '2025-07-12', wabaId: UTC })).map((r) => r.day)).toEqual([
          '2025-07-10',
          '2025-07-12',
        ]);
        expect(await store.usageDaily({ fromDay: '2025-07-11', toDay: '2025-07-11' })).toEqual([]);
      });
    });

    describe('unique contacts and inbound messages', () => {
      const inbound = (id: string, from: string, iso: string, extra: Record<string, unknown> = {}) => ({
        id,
        from,
        timestamp: secs(iso),
        type: 'text',
        ...extra,
      });

      it('counts unique contacts from delivered recipients and inbound senders, once per contact', async () => {
        await post(
          UTC,
          statusObject('m1', 'delivered', '2025-07-10T10:00:00Z', { pricing }),
          statusObject('m2', 'delivered', '2025-07-11T10:00:00Z', { pricing }),
        );
        await post(UTC, statusObject('m3', 'delivered', '2025-07-11T11:00:00Z', { pricing, recipient_id: '4915112345678' }));
        await post(UTC, statusObject('f1', 'failed', '2025-07-11T11:00:00Z', { recipient_id: '4915100000000' }));
        const msg = inboundEvents(UTC, inbound('in1', '447700900123', '2025-07-12T09:00:00Z'));
        await store.ingest(msg, 0);
        await store.ingest(msg, 0);
        expect(await store.uniqueContacts(JULY)).toBe(3);
        expect(await store.inboundDaily(JULY)).toEqual([
          { day: '2025-07-12', wabaId: UTC, phoneNumberId: 'P1', country: 'GB', referralSourceId: null, messages: 1 },
        ]);
        expect(await store.uniqueContacts({ fromDay: '2025-07-11', toDay: '2025-07-11' })).toBe(2);
        expect(await store.uniqueContacts({ ...JULY, wabaId: SP })).toBe(0);
      });

      it('merges contacts of later batches into the same day sketch', async () => {
        for (const [i, r] of ['5511987650001', '5511987650002', '5511987650001', '5511987650003'].entries()) {
          await post(UTC, statusObject(`m${i}`, 'delivered', '2025-07-10T10:00:00Z', { pricing, recipient_id: r }));
        }
        expect(await store.uniqueContacts(JULY)).toBe(3);
      });

      it("names each WABA's first and last WABA-local day with usage, inbound or calls, and reads its day sketches in day order", async () => {
        expect(await store.dataDays(UTC)).toBeNull();
        await post(UTC, statusObject('m1', 'delivered', '2025-07-10T10:00:00Z', { pricing }));
        await store.ingest(inboundEvents(UTC, inbound('in1', '447700900123', '2025-07-14T09:00:00Z')), 0);
        // Sao Paulo is UTC-3: the inbound message is on 06-30 there, the call (started 08-01 02:00 UTC) on 07-31.
        await store.ingest(inboundEvents(SP, inbound('in2', '5511987654321', '2025-07-01T02:00:00Z')), 0);
        await store.ingest(callEvents(SP, terminateObject('c1', '2025-08-01T02:00:10Z', 10)), 0);
        expect(await store.dataDays(UTC)).toEqual({ fromDay: '2025-07-10', toDay: '2025-07-14' });
        expect(await store.dataDays(SP)).toEqual({ fromDay: '2025-06-30', toDay: '2025-07-31' });
        expect(await store.dataDays('W_NONE')).toBeNull();
        const sketches = await store.daySketches({ fromDay: '1900-01-01', toDay: '2999-12-31', wabaId: UTC });
        expect(sketches.map((r) => [r.day, r.wabaId])).toEqual([
          ['2025-07-10', UTC],
          ['2025-07-14', UTC],
        ]);
        expect((await store.daySketches({ fromDay: '2025-07-11', toDay: '2025-07-31', wabaId: UTC })).map((r) => r.day)).toEqual([
          '2025-07-14',
        ]);
      });

      it('keeps ad referrals and senders that are not phone numbers apart, on the WABA-local day', async () => {
        await store.ingest(
          inboundEvents(
            SP,
            inbound('in1', '5511987654321', '2025-08-01T02:00:00Z', {
              referral: { source_id: 'ad-7', source_type: 'ad', source_url: 'https://example.invalid' },
            }),
            inbound('in2', '5511987654321', '2025-08-01T02:10:00Z', {
              referral: { source_id: 'ad-7', source_type: 'ad', source_url: 'https://example.invalid' },
            }),
            inbound('in3', 'US.13491208655302741918', '2025-08-01T12:00:00Z'),
          ),
          0,
        );
        expect(await store.inboundDaily({ ...JULY, wabaId: SP })).toEqual([
          { day: '2025-07-31', wabaId: SP, phoneNumberId: 'P1', country: 'BR', referralSourceId: 'ad-7', messages: 2 },
          { day: '2025-08-01', wabaId: SP, phoneNumberId: 'P1', country: null, referralSourceId: null, messages: 1 },
        ]);
        expect(await store.uniqueContacts({ ...JULY, wabaId: SP })).toBe(2);
      });
    });

    describe('call rollup', () => {
      const postCalls = (...calls: Record<string, unknown>[]) => store.ingest(callEvents(SP, ...calls), 0);
      const summary = async () =>
        (await store.callsDaily(JULY)).map((r) => [r.day, r.direction, r.country, r.calls, r.connectedCalls, r.durationSec]);

      it('counts a call once on terminate, on the WABA-local day it started, whatever the order', async () => {
        await postCalls(connectObject('c1', '2025-08-01T02:00:00Z'));
        expect(await summary()).toEqual([]);
        await postCalls(terminateObject('c1', '2025-08-01T02:00:10Z', 125));
        await postCalls(terminateObject('c1', '2025-08-01T02:00:10Z', 125));
        await postCalls(terminateObject('c2', '2025-08-01T04:00:00Z', 0));
        await postCalls(connectObject('c2', '2025-08-01T04:00:00Z'));
        expect(await summary()).toEqual([
          ['2025-07-31', 'user_initiated', 'BR', 1, 1, 125],
          ['2025-08-01', 'user_initiated', 'BR', 1, 0, 0],
        ]);
      });

      it('keeps business-initiated calls apart, keyed by the user number in `to`', async () => {
        await postCalls({
          ...terminateObject('b1', '2025-08-05T15:00:00Z', 60, 'BUSINESS_INITIATED'),
          from: '551130000000',
          to: '4915112345678',
        });
        expect(await summary()).toEqual([['2025-08-05', 'business_initiated', 'DE', 1, 1, 60]]);
        expect(await store.callsDaily(JULY)).toEqual([
          {
            day: '2025-08-05',
            wabaId: SP,
            phoneNumberId: 'P1',
            country: 'DE',
            market: expect.any(String),
            direction: 'business_initiated',
            calls: 1,
            connectedCalls: 1,
            durationSec: 60,
          },
        ]);
      });

      it('moves a call counted on its terminate day to its connect day when start_time is missing', async () => {
        const { start_time: _omit, ...noStart } = terminateObject('c3', '2025-08-02T12:00:00Z', 40);
        await postCalls(noStart);
        expect(await summary()).toEqual([['2025-08-02', 'user_initiated', 'BR', 1, 1, 40]]);
        await postCalls(connectObject('c3', '2025-08-01T12:00:00Z'));
        expect(await summary()).toEqual([['2025-08-01', 'user_initiated', 'BR', 1, 1, 40]]);
      });
    });

    describe('account events', () => {
      const ingest = (body: unknown) => store.ingest(normaliseEnvelope(parseEnvelope(JSON.stringify(body)), 0), 0);

      it('returns tier updates and template recategorisations once, not unknown kinds', async () => {
        const tier = loadMetaFixture('account_update_volume_tier_webhook.json');
        await ingest(tier);
        await ingest(tier);
        const template = {
          object: 'whatsapp_business_account',
          entry: [
            {
              id: '102290129340398',
              time: 1743452000,
              changes: [
                {
                  field: 'template_category_update',
                  value: { message_template_id: 1, previous_category: 'MARKETING', new_category: 'UTILITY' },
                },
                { field: 'something_new', value: { a: 1 } },
              ],
            },
          ],
        };
        await ingest(template);
        const all = await store.accountEvents({ fromMs: 0, toMs: 2e12 });
        expect(all.map((e) => [e.kind, e.atMs])).toEqual([
          ['account_update', 1743451903000],
          ['template_category', 1743452000000],
        ]);
        expect(all[0]?.value).toMatchObject({ volume_tier_info: { tier: '25000001:50000000' } });
        expect(all[1]).toEqual({
          atMs: 1743452000000,
          wabaId: '102290129340398',
          kind: 'template_category',
          value: { message_template_id: 1, previous_category: 'MARKETING', new_category: 'UTILITY' },
        });
        expect(await store.accountEvents({ fromMs: 1743451904000, toMs: 2e12, wabaId: '102290129340398' })).toHaveLength(1);
        expect(await store.accountEvents({ fromMs: 0, toMs: 1743452000000 })).toHaveLength(1);
        expect(await store.accountEvents({ fromMs: 0, toMs: 2e12, wabaId: 'other' })).toEqual([]);
        expect(await store.countRawEvents()).toBe(3);
      });

      it('returns events of the same moment in the order they arrived', async () => {
        const changes = [3, 1, 4, 2, 5].map((id) => ({
          field: 'template_category_update',
          value: { message_template_id: id, previous_category: 'MARKETING', new_category: 'UTILITY' },
        }));
        await ingest({ object: 'whatsapp_business_account', entry: [{ id: 'W1', time: 1743452000, changes }] });
        const got = await store.accountEvents({ fromMs: 0, toMs: 2e12 });
        expect(got.map((e) => (e.value as { message_template_id: number }).message_template_id)).toEqual([3, 1, 4, 2, 5]);
      });
    });

    describe('as PullSink', () => {
      const range = { fromDay: '2025-07-01', toDay: '2025-07-31' };

      it('starts with no cursor and advances it with the rows', async () => {
        expect(await store.getCursor('W1', 'meta_pricing')).toEqual({ lastCompleteDay: null });
        await store.replaceDays(
          'W1',
          'meta_pricing',
          ['2025-07-01'],
          { pricing: [pricingRow('2025-07-01', 10, 80_000n)] },
          { lastCompleteDay: '2025-07-01' },
        );
        expect(await store.getCursor('W1', 'meta_pricing')).toEqual({ lastCompleteDay: '2025-07-01' });
        expect(await store.getCursor('W1', 'meta_calls')).toEqual({ lastCompleteDay: null });
        expect(await store.getCursor('W2', 'meta_pricing')).toEqual({ lastCompleteDay: null });
      });

      it('replaces a partial day instead of adding to it, leaving other days and sources alone', async () => {
        await store.replaceDays(
          'W1',
          'meta_pricing',
          ['2025-07-01', '2025-07-02'],
          { pricing: [pricingRow('2025-07-01', 10, 80_000n), pricingRow('2025-07-02', 3, null)] },
          { lastCompleteDay: '2025-07-01' },
        );
        await store.replaceDays(
          'W1',
          'd360_usage',
          ['2025-07-02'],
          { pricing: [pricingRow('2025-07-02', 99, 1n)] },
          { lastCompleteDay: '2025-07-02' },
        );
        await store.replaceDays(
          'W1',
          'meta_pricing',
          ['2025-07-02'],
          { pricing: [pricingRow('2025-07-02', 7, 56_000n)] },
          { lastCompleteDay: '2025-07-02' },
        );
        expect((await store.pulledPricing('meta_pricing', range)).map((r) => [r.day, r.volume, r.costMicros])).toEqual([
          ['2025-07-01', 10, 80_000n],
          ['2025-07-02', 7, 56_000n],
        ]);
        expect((await store.pulledPricing('d360_usage', range)).map((r) => r.volume)).toEqual([99]);
      });

      it('returns pulled rows whole, in the order given, with costs beyond 2^53 exact', async () => {
        const rows = [
          {
            ...pricingRow('2025-07-05', 5, 12_345_678_901_234_567_890n),
            phoneNumberId: null,
            country: null,
            category: null,
            pricingType: null,
            tier: null,
          },
          pricingRow('2025-07-04', 1, 0n),
          pricingRow('2025-07-05', 2, null),
        ];
        await store.replaceDays('W1', 'meta_pricing', ['2025-07-04', '2025-07-05'], { pricing: rows }, { lastCompleteDay: null });
        expect(await store.pulledPricing('meta_pricing', range)).toEqual(rows);
        expect(await store.pulledPricing('meta_pricing', { ...range, wabaId: 'W2' })).toEqual([]);
        expect(await store.getCursor('W1', 'meta_pricing')).toEqual({ lastCompleteDay: null });
      });

      it('stores call rows and rejects rows outside the replaced days without writing anything', async () => {
        const call = {
          day: '2025-07-03',
          wabaId: 'W1',
          phoneNumberId: null,
          country: 'BR',
          direction: 'user_initiated' as const,
          count: 4,
          costMicros: null,
          averageDurationSec: 61.5,
          currency: 'USD',
        };
        await store.replaceDays('W1', 'meta_calls', ['2025-07-03'], { calls: [call] }, { lastCompleteDay: '2025-07-03' });
        expect(await store.pulledCalls('meta_calls', range)).toEqual([call]);
        await expect(
          store.replaceDays('W1', 'meta_calls', ['2025-07-04'], { calls: [call] }, { lastCompleteDay: '2025-07-04' }),
        ).rejects.toThrow(/outside the replaced days/);
        await expect(
          store.replaceDays('W1', 'meta_calls', ['2025-07-03'], { calls: [{ ...call, wabaId: 'W2' }] }, { lastCompleteDay: '2025-07-04' }),
        ).rejects.toThrow(/outside the replaced days/);
        expect(await store.getCursor('W1', 'meta_calls')).toEqual({ lastCompleteDay: '2025-07-03' });
        expect(await store.pulledCalls('meta_calls', range)).toEqual([call]);
      });

      it('never moves the cursor back: a replica whose run began from an older cursor commits after another', async () => {
        const chunk = (day: string, cursor: string | null) =>
          store.replaceDays('W1', 'meta_pricing', [day], { pricing: [pricingRow(day, 1, 8_000n)] }, { lastCompleteDay: cursor });
        // Replica A's run wrote up to the 10th; B's run, planned from no cursor, then commits its first chunk (the 3rd).
        await chunk('2025-07-10', '2025-07-10');
        await chunk('2025-07-03', '2025-07-03');
        expect(await store.getCursor('W1', 'meta_pricing')).toEqual({ lastCompleteDay: '2025-07-10' });
        // The rows of the later commit are stored all the same; a cursor of null changes nothing either.
        expect((await store.pulledPricing('meta_pricing', range)).map((r) => r.day).sort()).toEqual(['2025-07-03', '2025-07-10']);
        await chunk('2025-07-04', null);
        expect(await store.getCursor('W1', 'meta_pricing')).toEqual({ lastCompleteDay: '2025-07-10' });
        await chunk('2025-07-11', '2025-07-11');
        expect(await store.getCursor('W1', 'meta_pricing')).toEqual({ lastCompleteDay: '2025-07-11' });
      });

      it('empties a day that is replaced with no rows', async () => {
        await store.replaceDays(
          'W1',
          'meta_pricing',
          ['2025-07-01'],
          { pricing: [pricingRow('2025-07-01', 10, 80_000n)] },
          { lastCompleteDay: '2025-07-01' },
        );
        await store.replaceDays('W1', 'meta_pricing', ['2025-07-01'], {}, { lastCompleteDay: '2025-07-01' });
        expect(await store.pulledPricing('meta_pricing', range)).toEqual([]);
      });
    });

    describe('ingest order', () => {
      it('ends with the same figures whatever the order and batching of a mixed stream', async () => {
        const events = mixedStream(60, seededRandom(7));
        await store.ingest(events, 0);
        const expected = await snapshotOf(store);
        expect(expected.rawEvents).toBe(events.length);
        expect(expected.usage.length).toBeGreaterThan(5);
        expect(expected.calls.length).toBeGreaterThan(1);
        expect(expected.inbound.length).toBeGreaterThan(1);

        for (const seed of [1, 2]) {
          const random = seededRandom(seed);
          const other = await openStore();
          for (const batch of batchesOf(shuffled(events, random), random, 9)) await other.ingest(batch, 0);
          expect({ seed, ...(await snapshotOf(other)) }).toEqual({ seed, ...expected });
        }
      });
    });

    it('answers ping while open', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
