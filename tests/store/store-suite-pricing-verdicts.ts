/**
 * Issue 11 behaviour every Store must have (run from sqlite.test.ts and postgres.test.ts):
 * unknown categories are kept and counted, nothing answered is lost, CBP days count a conversation
 * once, and messages without Meta's pricing get an inferred verdict that Meta's verdict replaces.
 * Expected figures are counted by hand from the inputs written here.
 */
import { loadMetaFixture } from '../fakes/load-meta-fixture';
import { normaliseEnvelope, parseEnvelope } from '../../src/connector/ingest';
import { batchesOf, inboundEvents, seededRandom, shuffled, statusEvents, statusObject, type OpenStore } from './store-suite';
import type { Store } from '../../src/connector/store';

const UTC = 'W_UTC';
const TIMEZONES = { W_SP: 'America/Sao_Paulo', [UTC]: 'UTC' };
const USER = '5511987654321';

/** Meta's documented status (status_webhook_sent_marketing_pmp.json) with another id, status, time and pricing. */
function documentedStatus(id: string, status: string, iso: string, pricing: Record<string, unknown> | null): Record<string, unknown> {
  const fixture = loadMetaFixture('status_webhook_sent_marketing_pmp.json') as {
    entry: { changes: { value: { statuses: Record<string, unknown>[] } }[] }[];
  };
  const base = { ...(fixture.entry[0]?.changes[0]?.value.statuses[0] as Record<string, unknown>) };
  const out: Record<string, unknown> = { ...base, id, status, timestamp: String(Date.parse(iso) / 1000) };
  if (pricing === null) delete out.pricing;
  else out.pricing = { ...(base.pricing as Record<string, unknown>), ...pricing };
  return out;
}

/** The fixture's envelope (its WABA, metadata and shape) carrying the given statuses. */
function documentedEnvelope(statuses: Record<string, unknown>[]): string {
  const fixture = loadMetaFixture('status_webhook_sent_marketing_pmp.json') as {
    entry: { id: string; changes: { field: string; value: Record<string, unknown> }[] }[];
  };
  const entry = fixture.entry[0] as (typeof fixture.entry)[number];
  const change = entry.changes[0] as (typeof entry.changes)[number];
  return JSON.stringify({ ...fixture, entry: [{ ...entry, changes: [{ ...change, value: { ...change.value, statuses } }] }] });
}

const byCategory = async (store: Store, range: { fromDay: string; toDay: string }) => {
  const out: Record<string, { messages: number; units: number }> = {};
  for (const r of await store.usageDaily(range)) {
    const c = (out[r.category] ??= { messages: 0, units: 0 });
    c.messages += r.messages;
    c.units += r.units;
  }
  return out;
};

export function describePricingVerdictBehaviour(name: string, open: OpenStore, cleanup: () => Promise<void> = async () => undefined): void {
  describe(`${name}: issue 11 (unknown categories, CBP conversations, inferred verdicts)`, () => {
    let store: Store;
    const opened: Store[] = [];
    const openStore = async () => {
      const s = await open({ timezones: TIMEZONES });
      opened.push(s);
      return s;
    };
    beforeEach(async () => {
      store = await openStore();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await cleanup();
    });
    const post = (...statuses: Record<string, unknown>[]) => store.ingest(statusEvents(UTC, ...statuses), 0);
    const OCT = { fromDay: '2026-10-01', toDay: '2026-10-31' };

    describe('unknown categories and types are kept', () => {
      it("stores and counts every status of Meta's documented shape: marketing, meta_business_agent and a made-up category", async () => {
        const body = documentedEnvelope([
          documentedStatus('wamid.MKT', 'delivered', '2026-10-05T10:00:00Z', { category: 'marketing' }),
          documentedStatus('wamid.MBA', 'delivered', '2026-10-05T10:01:00Z', { category: 'meta_business_agent' }),
          documentedStatus('wamid.NEW', 'delivered', '2026-10-05T10:02:00Z', { category: 'Quantum Upsell' }),
          documentedStatus('wamid.TYP', 'delivered', '2026-10-05T10:03:00Z', { category: 'utility', type: 'per_token' }),
        ]);
        const events = normaliseEnvelope(parseEnvelope(body), 0);
        expect(await store.ingest(events, 0)).toEqual({ inserted: 4, duplicates: 0 });
        // The fixture's WABA has no configured zone: UTC; its recipient 16505551234 is in the US.
        const rows = await store.usageDaily(OCT);
        expect(rows.map((r) => [r.day, r.category, r.pricingType, r.pricingModel, r.country, r.messages, r.units])).toEqual([
          ['2026-10-05', 'marketing', 'regular', 'PMP', 'US', 1, 1],
          ['2026-10-05', 'meta_business_agent', 'regular', 'PMP', 'US', 1, 1],
          ['2026-10-05', 'quantum_upsell', 'regular', 'PMP', 'US', 1, 1],
          ['2026-10-05', 'utility', 'per_token', 'PMP', 'US', 1, 1],
        ]);
        expect(await store.messageVerdict('wamid.MBA')).toMatchObject({ category: 'meta_business_agent', source: 'meta' });
      });

      it('nothing lost: every delivered status of a shuffled, duplicated stream is counted once, unknown categories included', async () => {
        const categories = ['marketing', 'utility', 'META_BUSINESS_AGENT', 'service', 'Brand New-Thing', 'authentication'];
        const statuses: Record<string, unknown>[] = [];
        const expected: Record<string, number> = {};
        let delivered = 0;
        for (let i = 0; i < 48; i++) {
          const raw = categories[i % categories.length] as string;
          const pricing = { billable: true, pricing_model: 'PMP', type: i % 5 === 0 ? 'brand_new_type' : 'regular', category: raw };
          const at = `2026-10-${String(10 + (i % 3)).padStart(2, '0')}T12:${String(i).padStart(2, '0')}:00Z`;
          statuses.push(statusObject(`n${i}`, 'sent', at, { pricing }));
          if (i % 8 === 7) {
            statuses.push(statusObject(`n${i}`, 'failed', at, { errors: [{ code: 131026 }] }));
            continue;
          }
          statuses.push(statusObject(`n${i}`, i % 4 === 0 ? 'read' : 'delivered', at, { pricing }));
          delivered++;
          // Lower snake case, written out: the store must use the same spelling.
          const norm = { META_BUSINESS_AGENT: 'meta_business_agent', 'Brand New-Thing': 'brand_new_thing' }[raw] ?? raw;
          expected[norm] = (expected[norm] ?? 0) + 1;
        }
        expect(delivered).toBe(42); // 48 messages, 6 of them (i = 7, 15, ..., 47) failed
        const events = statusEvents(UTC, ...statuses);
        const random = seededRandom(11);
        for (const batch of batchesOf(shuffled([...events, ...events.slice(0, 20)], random), random, 7)) await store.ingest(batch, 0);
        const counted = await byCategory(store, OCT);
        expect(Object.fromEntries(Object.entries(counted).map(([c, v]) => [c, v.messages]))).toEqual(expected);
        expect(Object.values(counted).reduce((n, v) => n + v.messages, 0)).toBe(delivered);
        expect(await store.countRawEvents()).toBe(events.length);
      });
    });

    describe('CBP days: a conversation is one charged unit', () => {
      const MAR = { fromDay: '2025-03-01', toDay: '2025-03-31' };
      const cbp = { billable: true, pricing_model: 'CBP', type: 'regular', category: 'marketing' };
      const conversation = (id: string, origin = 'marketing') => ({ id, expiration_timestamp: '1741680000', origin: { type: origin } });
      const template = (wamid: string, iso: string, convId: string) => [
        statusObject(wamid, 'sent', iso, { pricing: cbp, conversation: conversation(convId) }),
        statusObject(wamid, 'delivered', iso, { pricing: cbp, conversation: conversation(convId) }),
      ];

      it('three marketing templates in one conversation on 2025-03-10: 3 delivered, 1 charged unit, in any order and with duplicates', async () => {
        const statuses = [
          ...template('c1', '2025-03-10T09:00:00Z', 'CONV-1'),
          ...template('c2', '2025-03-10T12:00:00Z', 'CONV-1'),
          ...template('c3', '2025-03-10T20:00:00Z', 'CONV-1'),
        ];
        await post(...statuses);
        expect(await byCategory(store, MAR)).toEqual({ marketing: { messages: 3, units: 1 } });
        const other = await openStore();
        for (const s of [...statuses].reverse()) await other.ingest(statusEvents(UTC, s), 0);
        await other.ingest(statusEvents(UTC, ...statuses), 0);
        expect(await other.usageDaily(MAR)).toEqual(await store.usageDaily(MAR));
        expect((await other.usageDaily(MAR)).map((r) => [r.day, r.pricingModel, r.messages, r.units])).toEqual([
          ['2025-03-10', 'CBP', 3, 1],
        ]);
      });

      it('a later-arriving earlier message moves the conversation to its day', async () => {
        await post(...template('late', '2025-03-11T00:10:00Z', 'CONV-2'));
        expect((await store.usageDaily(MAR)).map((r) => [r.day, r.messages, r.units])).toEqual([['2025-03-11', 1, 1]]);
        await post(...template('early', '2025-03-10T23:50:00Z', 'CONV-2'));
        expect((await store.usageDaily(MAR)).map((r) => [r.day, r.messages, r.units])).toEqual([
          ['2025-03-10', 1, 1],
          ['2025-03-11', 1, 0],
        ]);
      });

      it("counts the unit in the category of the conversation's origin", async () => {
        const service = { billable: true, pricing_model: 'CBP', type: 'regular', category: 'service' };
        await post(
          statusObject('u1', 'delivered', '2025-03-10T09:00:00Z', { pricing: service, conversation: conversation('CONV-3', 'utility') }),
        );
        expect(await byCategory(store, MAR)).toEqual({ service: { messages: 1, units: 0 }, utility: { messages: 0, units: 1 } });
      });

      it('messages on PMP days are each a unit', async () => {
        const pmp = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' };
        await post(
          statusObject('p1', 'delivered', '2026-10-05T09:00:00Z', { pricing: pmp }),
          statusObject('p2', 'delivered', '2026-10-05T09:05:00Z', { pricing: pmp }),
        );
        expect(await byCategory(store, OCT)).toEqual({ marketing: { messages: 2, units: 2 } });
      });
    });

    describe('messages without pricing get an inferred verdict', () => {
      const SEP = { fromDay: '2026-09-01', toDay: '2026-09-30' };
      const inbound = (id: string, iso: string, referral = false) =>
        store.ingest(
          inboundEvents(UTC, {
            id,
            from: USER,
            timestamp: String(Date.parse(iso) / 1000),
            type: 'text',
            ...(referral ? { referral: { source_id: 'ad-1', source_type: 'ad', source_url: 'https://fb.me/x' } } : {}),
          }),
          0,
        );

      it('a reply inside the customer service window is service, free, marked inferred; Meta’s later verdict replaces it', async () => {
        await inbound('in1', '2026-09-10T10:00:00Z');
        await post(statusObject('r1', 'delivered', '2026-09-10T10:30:00Z'));
        expect(await store.messageVerdict('r1')).toMatchObject({
          category: 'service',
          pricingType: 'free_customer_service',
          pricingModel: 'PMP',
          source: 'inferred',
        });
        expect(await byCategory(store, SEP)).toEqual({ service: { messages: 1, units: 1 } });
        await post(
          statusObject('r1', 'sent', '2026-09-10T10:29:58Z', {
            pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' },
          }),
        );
        expect(await store.messageVerdict('r1')).toMatchObject({ category: 'utility', pricingType: 'regular', source: 'meta' });
        expect(await byCategory(store, SEP)).toEqual({ utility: { messages: 1, units: 1 } });
      });

      it('outside every window a message with no hint is a template of unknown category, counted, not dropped', async () => {
        await post(statusObject('t1', 'delivered', '2026-09-10T10:30:00Z'));
        expect(await store.messageVerdict('t1')).toMatchObject({ category: 'unknown', pricingType: 'regular', source: 'inferred' });
        expect(await byCategory(store, SEP)).toEqual({ unknown: { messages: 1, units: 1 } });
      });

      it('an inbound message that arrives after the status is used: the message is classified again', async () => {
        await post(statusObject('t2', 'delivered', '2026-09-10T10:30:00Z'));
        await inbound('in2', '2026-09-10T10:00:00Z');
        expect(await store.messageVerdict('t2')).toMatchObject({
          category: 'service',
          pricingType: 'free_customer_service',
          source: 'inferred',
        });
        expect(await byCategory(store, SEP)).toEqual({ service: { messages: 1, units: 1 } });
      });

      it('uses an inbound message of the same batch, whichever comes first in it', async () => {
        const opener = inboundEvents(UTC, {
          id: 'in3',
          from: USER,
          timestamp: String(Date.parse('2026-09-10T10:00:00Z') / 1000),
          type: 'text',
        });
        const reply = statusEvents(UTC, statusObject('t3', 'delivered', '2026-09-10T10:30:00Z'));
        await store.ingest([...reply, ...opener], 0);
        const other = await openStore();
        await other.ingest([...opener, ...reply], 0);
        for (const s of [store, other])
          expect(await s.messageVerdict('t3')).toMatchObject({
            category: 'service',
            pricingType: 'free_customer_service',
            source: 'inferred',
          });
      });

      it('the first reply after an ad referral opens a free entry point window', async () => {
        await inbound('ad1', '2026-09-10T09:00:00Z', true);
        await post(statusObject('f1', 'delivered', '2026-09-10T09:30:00Z'), statusObject('f2', 'delivered', '2026-09-11T12:00:00Z'));
        expect(await store.messageVerdict('f1')).toMatchObject({ category: 'referral_conversion', pricingType: 'free_entry_point' });
        // 26.5 h after the reply: the CSW (24 h from the inbound) is closed, the 72 h FEP is open.
        expect(await store.messageVerdict('f2')).toMatchObject({ category: 'referral_conversion', pricingType: 'free_entry_point' });
      });

      it("a CBP-day status without pricing but with the conversation's origin counts its conversation once", async () => {
        const MAR = { fromDay: '2025-03-01', toDay: '2025-03-31' };
        const conv = { id: 'CONV-9', origin: { type: 'marketing' } };
        await post(
          statusObject('h1', 'delivered', '2025-03-10T09:00:00Z', { conversation: conv }),
          statusObject('h2', 'delivered', '2025-03-10T10:00:00Z', { conversation: conv }),
        );
        expect(await store.messageVerdict('h2')).toMatchObject({
          category: 'marketing',
          pricingModel: 'CBP',
          source: 'inferred',
          conversationId: 'CONV-9',
        });
        expect(await byCategory(store, MAR)).toEqual({ marketing: { messages: 2, units: 1 } });
      });
    });
  });
}
