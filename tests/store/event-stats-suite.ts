/**
 * /health's store figures (`eventStats`: `events`, `lastEventAt`) come from one row that ingest
 * keeps in its own transaction (migration 015), not from a count over raw_events. They must still be
 * what the count was: the distinct events stored, and when the newest of them was received. Every
 * expectation below is counted by hand from the fixture, then checked against a real count over
 * raw_events (`countRawEvents`). Run by sqlite.test.ts and postgres.test.ts.
 */
import type { WebhookEvent } from '../../src/connector/ingest';
import type { ConnectorStore, StoreOptions } from '../../src/connector/store';
import type { StoreEngine } from './store-engine';
import {
  batchesOf,
  callEvents,
  connectObject,
  eventsOf,
  inboundEvents,
  mixedStream,
  seededRandom,
  shuffled,
  statusEvents,
  statusObject,
  terminateObject,
} from './store-suite';

const OPTIONS: StoreOptions = { timezones: { W_SP: 'America/Sao_Paulo', W_UTC: 'UTC' } };
const pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' };

/** One raw_events row as a connector before migration 015 stored it. */
export interface HistoryRow {
  dedupeKey: string;
  kind: string;
  wabaId: string;
  phoneNumberId: string | null;
  atMs: number;
  receivedAtMs: number;
  body: string;
}

/**
 * A store on a database migrated up to migration 014, holding `rows` in raw_events, then opened
 * (so migration 015 runs and backfills from them).
 */
export type OpenWithHistory = (rows: readonly HistoryRow[], options: StoreOptions) => Promise<ConnectorStore>;

const historyOf = (events: readonly WebhookEvent[], receivedAtMs: number): HistoryRow[] =>
  events.map((e) => ({
    dedupeKey: e.dedupeKey,
    kind: e.kind,
    wabaId: e.wabaId,
    phoneNumberId: e.phoneNumberId,
    atMs: e.atMs,
    receivedAtMs,
    body: JSON.stringify(e.raw),
  }));

export function describeEventStats(engine: StoreEngine, openWithHistory: OpenWithHistory): void {
  describe(`${engine.name}: /health event figures`, () => {
    const stores: ConnectorStore[] = [];
    const keep = (s: ConnectorStore) => {
      stores.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
    });

    it('counts each stored event once over several groups, duplicates in and across batches and replays, every event kind', async () => {
      const store = keep(await engine.open(OPTIONS));
      const sent1 = statusEvents('W_UTC', statusObject('m1', 'sent', '2025-07-10T10:00:00Z', { pricing }));
      const delivered1 = statusEvents('W_UTC', statusObject('m1', 'delivered', '2025-07-10T10:00:05Z', { pricing }));
      const read1 = statusEvents('W_UTC', statusObject('m1', 'read', '2025-07-10T11:00:00Z', { pricing }));
      const sent2 = statusEvents('W_SP', statusObject('m2', 'sent', '2025-07-10T12:00:00Z', { pricing }));
      const in1 = inboundEvents('W_SP', { id: 'in1', from: '5511987654321', timestamp: '1752141600', type: 'text' });
      const in2 = inboundEvents('W_UTC', { id: 'in2', from: '4915112345678', timestamp: '1752141700', type: 'text' });
      const connect = callEvents('W_UTC', connectObject('c1', '2025-07-10T13:00:00Z'));
      const terminate = callEvents('W_UTC', terminateObject('c1', '2025-07-10T13:00:00Z', 61));
      const tier = eventsOf('W_UTC', [
        { field: 'account_update', value: { event: 'VOLUME_BASED_PRICING_TIER_UPDATE', volume_tier_info: { tier: '1' } } },
      ]);
      const template = eventsOf('W_SP', [
        { field: 'template_category_update', value: { message_template_id: 7, previous_category: 'MARKETING', new_category: 'UTILITY' } },
      ]);
      const unknown = eventsOf('W_SP', [{ field: 'brand_new_thing', value: { x: 1 } }]);
      // Every fixture piece is one event, so the counts below are counts of the pieces named.
      for (const e of [sent1, delivered1, read1, sent2, in1, in2, connect, terminate, tier, template, unknown]) expect(e).toHaveLength(1);

      const g1 = [...sent1, ...delivered1, ...in1, ...connect];
      const g2 = [...delivered1, ...sent2, ...sent2, ...terminate, ...tier];
      const steps: { batch: WebhookEvent[]; at: number; inserted: number; events: number; last: number }[] = [
        // 4 new.
        { batch: g1, at: 1_000, inserted: 4, events: 4, last: 1_000 },
        // delivered1 again, sent2 twice in one batch (once new), terminate and tier new: 3 new.
        { batch: g2, at: 3_000, inserted: 3, events: 7, last: 3_000 },
        // A replica with a slower clock replays g1 (4 duplicates) and adds template and unknown: 2 new, the newest receipt stays 3,000.
        { batch: [...g1, ...template, ...unknown], at: 2_000, inserted: 2, events: 9, last: 3_000 },
        // Meta resends g2 later: nothing stored, so nothing received later than 3,000.
        { batch: g2, at: 9_000, inserted: 0, events: 9, last: 3_000 },
        // read1 and in2: 2 new.
        { batch: [...read1, ...in2], at: 4_000, inserted: 2, events: 11, last: 4_000 },
      ];
      expect(await store.eventStats()).toEqual({ events: 0, lastEventAt: null });
      for (const [i, s] of steps.entries()) {
        const r = await store.ingest(s.batch, s.at);
        expect({ step: i, inserted: r.inserted, stats: await store.eventStats() }).toEqual({
          step: i,
          inserted: s.inserted,
          stats: { events: s.events, lastEventAt: s.last },
        });
      }
      expect(await store.countRawEvents()).toBe(11);
      // A second handle (another replica, or the connector restarted) reads the same figures.
      const again = keep(await engine.openSame(store, OPTIONS));
      expect(await again.eventStats()).toEqual({ events: 11, lastEventAt: 4_000 });
    });

    it('counts the distinct events when two handles on one database ingest the same events in overlapping batches at once', async () => {
      const events = mixedStream(40, seededRandom(13));
      const distinct = new Set(events.map((e) => e.dedupeKey)).size;
      expect(distinct).toBe(events.length);
      const a = keep(await engine.open(OPTIONS));
      const b = keep(await engine.openSame(a, OPTIONS));
      const run = async (store: ConnectorStore, seed: number) => {
        const random = seededRandom(seed);
        const queue = batchesOf(shuffled(events, random), random, 5);
        const worker = async () => {
          for (let batch = queue.shift(); batch; batch = queue.shift()) await store.ingest(batch, 5_000);
        };
        await Promise.all([worker(), worker(), worker()]);
      };
      await Promise.all([run(a, 1), run(b, 2)]);
      expect(await a.eventStats()).toEqual({ events: events.length, lastEventAt: 5_000 });
      expect(await a.countRawEvents()).toBe(events.length);
    });

    it('backfills the figures from the events a store held before the migration, then keeps adding to them', async () => {
      const old = [
        ...statusEvents('W_UTC', statusObject('h1', 'sent', '2025-07-01T10:00:00Z', { pricing })),
        ...statusEvents('W_UTC', statusObject('h1', 'delivered', '2025-07-01T10:00:05Z', { pricing })),
        ...inboundEvents('W_SP', { id: 'hin1', from: '5511987654321', timestamp: '1751364000', type: 'text' }),
        ...callEvents('W_UTC', connectObject('hc1', '2025-07-01T13:00:00Z')),
        ...eventsOf('W_UTC', [
          { field: 'account_update', value: { event: 'VOLUME_BASED_PRICING_TIER_UPDATE', volume_tier_info: { tier: '2' } } },
        ]),
      ];
      expect(old).toHaveLength(5);
      // Received at 100..400 and, the newest, 900 (not the last row: the backfill takes the largest, not the latest).
      const rows = [...historyOf(old.slice(0, 2), 100), ...historyOf(old.slice(2, 3), 900), ...historyOf(old.slice(3), 400)];
      const store = keep(await openWithHistory(rows, OPTIONS));
      expect(await store.eventStats()).toEqual({ events: 5, lastEventAt: 900 });

      // Two of the old events again (duplicates of rows the migration counted) and three new ones, received before 900.
      const fresh = [
        ...statusEvents('W_UTC', statusObject('h1', 'read', '2025-07-01T11:00:00Z', { pricing })),
        ...statusEvents('W_SP', statusObject('h2', 'sent', '2025-07-02T10:00:00Z', { pricing })),
        ...callEvents('W_UTC', terminateObject('hc1', '2025-07-01T13:00:00Z', 30)),
      ];
      expect(await store.ingest([...old.slice(0, 2), ...fresh], 800)).toEqual({ inserted: 3, duplicates: 2 });
      expect(await store.eventStats()).toEqual({ events: 8, lastEventAt: 900 });
      expect(await store.countRawEvents()).toBe(8);
    });

    it('backfills an empty store to no events and no last event', async () => {
      const store = keep(await openWithHistory([], OPTIONS));
      expect(await store.eventStats()).toEqual({ events: 0, lastEventAt: null });
      await store.ingest(statusEvents('W_UTC', statusObject('e1', 'sent', '2025-07-01T10:00:00Z')), 50);
      expect(await store.eventStats()).toEqual({ events: 1, lastEventAt: 50 });
    });
  });
}
