/**
 * /health's store figures (`eventStats`: `events`, `lastEventAt`) come from sixteen slots that ingest
 * keeps in its own transaction (raw_event_stats, migrations 015 and 016), not from a count over
 * raw_events. They must still be what the count was: the distinct events stored, and when the newest
 * of them was received. Every expectation below is counted by hand from the fixture, then checked
 * against a real count over raw_events (`countRawEvents`). Run by sqlite.test.ts and
 * postgres.test.ts; `describeEventStatsSlots` (PostgreSQL only) holds one replica's ingest open and
 * shows another's does not wait for it.
 */
import type { WebhookEvent } from '../../src/connector/ingest';
import type { ConnectorStore, PgStoreOptions, StoreOptions } from '../../src/connector/store';
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

/** One row of raw_event_stats as stored. */
export interface Slot {
  id: number;
  events: number;
  last: number | null;
}

/** What the suite needs of an engine besides the store itself. */
export interface EventStatsAccess {
  /**
   * A store on a database migrated up to migration 014 holding `rows` in raw_events, then, with
   * `upTo` 15, migrated to 015 (its backfill counts them into its one row), then opened, so the
   * remaining migrations run.
   */
  openWithHistory(upTo: 14 | 15, rows: readonly HistoryRow[], options: StoreOptions): Promise<ConnectorStore>;
  /** Every row of raw_event_stats, by id, read on a connection of its own. */
  slots(store: ConnectorStore): Promise<Slot[]>;
  /** Runs one statement on a connection of its own; rejects with the engine's error. */
  execute(store: ConnectorStore, sql: string): Promise<void>;
}

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

export function describeEventStats(engine: StoreEngine, access: EventStatsAccess): void {
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
      const store = keep(await access.openWithHistory(14, rows, OPTIONS));
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
      const store = keep(await access.openWithHistory(14, [], OPTIONS));
      expect(await store.eventStats()).toEqual({ events: 0, lastEventAt: null });
      await store.ingest(statusEvents('W_UTC', statusObject('e1', 'sent', '2025-07-01T10:00:00Z')), 50);
      expect(await store.eventStats()).toEqual({ events: 1, lastEventAt: 50 });
    });

    it('keeps the figures in sixteen slots, 1 to 16, and refuses a seventeenth, so a probe reads at most sixteen rows', async () => {
      const store = keep(await engine.open(OPTIONS));
      const empty = Array.from({ length: 16 }, (_, i) => ({ id: i + 1, events: 0, last: null }));
      expect(await access.slots(store)).toEqual(empty);
      // One handle ingesting one transaction at a time: nothing else holds slot 1, so it takes them all.
      await store.ingest(statusEvents('W_UTC', statusObject('s1', 'sent', '2025-07-01T10:00:00Z', { pricing })), 700);
      await store.ingest(statusEvents('W_UTC', statusObject('s1', 'delivered', '2025-07-01T10:00:05Z', { pricing })), 600);
      expect(await access.slots(store)).toEqual([{ id: 1, events: 2, last: 700 }, ...empty.slice(1)]);
      // The message, not toThrow: better-sqlite3's errors come from the realm of the first test file that loaded
      // its addon in this jest worker, so they are not `instanceof Error` in a later file and toThrow ignores them.
      for (const id of [0, 17]) {
        const refused = await access
          .execute(store, `INSERT INTO raw_event_stats (id, events, last_received_at_ms) VALUES (${id}, 0, NULL)`)
          .then(
            () => 'stored',
            (err: unknown) => String((err as { message?: unknown }).message),
          );
        expect({ id, refused }).toEqual({ id, refused: expect.stringMatching(/CHECK constraint|check constraint/) });
      }
      expect(await access.slots(store)).toHaveLength(16);
    });

    it("migration 016 keeps a store's count from 015 as slot 1 and adds fifteen empty slots", async () => {
      const old = [
        ...statusEvents('W_UTC', statusObject('k1', 'sent', '2025-07-01T10:00:00Z', { pricing })),
        ...statusEvents('W_UTC', statusObject('k1', 'delivered', '2025-07-01T10:00:05Z', { pricing })),
        ...statusEvents('W_SP', statusObject('k2', 'sent', '2025-07-01T11:00:00Z', { pricing })),
      ];
      // 015's backfill counts 3 events, the newest received at 300; 016 must carry both over.
      const store = keep(await access.openWithHistory(15, [...historyOf(old.slice(0, 1), 300), ...historyOf(old.slice(1), 200)], OPTIONS));
      const empty = Array.from({ length: 15 }, (_, i) => ({ id: i + 2, events: 0, last: null }));
      expect(await access.slots(store)).toEqual([{ id: 1, events: 3, last: 300 }, ...empty]);
      expect(await store.eventStats()).toEqual({ events: 3, lastEventAt: 300 });
      // k1 delivered again (stored already) and k2 delivered (new): one more, received at 400.
      expect(
        await store.ingest(
          [...old.slice(1, 2), ...statusEvents('W_SP', statusObject('k2', 'delivered', '2025-07-01T11:00:05Z', { pricing }))],
          400,
        ),
      ).toEqual({
        inserted: 1,
        duplicates: 1,
      });
      expect(await store.eventStats()).toEqual({ events: 4, lastEventAt: 400 });
      expect(await store.countRawEvents()).toBe(4);
    });
  });
}

/** What the PostgreSQL-only cases need besides `EventStatsAccess`. */
export interface LockAccess extends EventStatsAccess {
  /** Sessions on the store's database waiting for a lock right now. */
  lockWaiters(store: ConnectorStore): Promise<number>;
}

/**
 * `work`'s result, or a rejection as soon as any session on the database waits for a lock while it
 * runs. Polls between round trips (no timer decides anything): with the held transaction still
 * open, an ingest that needs its row lock waits for as long as the test lets it, so it is seen.
 */
async function withoutLockWaits<T>(work: Promise<T>, lockWaiters: () => Promise<number>): Promise<T> {
  let done = false;
  const finished = work.finally(() => {
    done = true;
  });
  const watch = (async () => {
    while (!done) {
      const waiting = await lockWaiters();
      if (waiting > 0 && !done) throw new Error(`${waiting} session(s) wait for a lock the held ingest transaction holds`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return finished;
  })();
  return Promise.race([finished, watch]);
}

/**
 * Several replicas on one PostgreSQL: each ingest adds to a slot no other transaction holds, so one
 * replica's ingest does not wait for another's commit (with migration 015's one row it did: the row
 * lock is held until COMMIT). Replica A's ingest transaction is held open after its last statement
 * (PgStoreOptions.beforeIngestCommit); replica B's ingests complete meanwhile, and no session waits
 * for a lock. A and B store events of different WABAs and days, so they share no other row.
 */
export function describeEventStatsSlots(engine: StoreEngine, access: LockAccess): void {
  describe(`${engine.name}: /health event figures with replicas ingesting at once`, () => {
    it("a replica's ingest completes while another's holds its transaction open after its count; totals exact over both slots, with replays", async () => {
      let hold: { reached: () => void; gate: Promise<void> } | null = null;
      const holdNext = () => {
        let release: () => void = () => undefined;
        let reached: () => void = () => undefined;
        const atCount = new Promise<void>((resolve) => (reached = resolve));
        hold = { reached, gate: new Promise<void>((resolve) => (release = resolve)) };
        return { atCount, release };
      };
      const held: PgStoreOptions = {
        ...OPTIONS,
        beforeIngestCommit: async () => {
          const h = hold;
          hold = null;
          if (!h) return;
          h.reached();
          await h.gate;
        },
      };
      const a = await engine.open(held);
      const b = await engine.openSame(a, OPTIONS);
      const waits = () => access.lockWaiters(a);
      let release: () => void = () => undefined;
      try {
        // A: three W_UTC statuses on 1 July. B: three W_SP statuses on 2 July.
        const a1 = statusEvents(
          'W_UTC',
          statusObject('x1', 'sent', '2025-07-01T10:00:00Z', { pricing }),
          statusObject('x2', 'sent', '2025-07-01T10:01:00Z', { pricing }),
          statusObject('x3', 'sent', '2025-07-01T10:02:00Z', { pricing }),
        );
        const b1 = statusEvents(
          'W_SP',
          statusObject('y1', 'sent', '2025-07-02T15:00:00Z', { pricing }),
          statusObject('y1', 'delivered', '2025-07-02T15:00:05Z', { pricing }),
          statusObject('y2', 'sent', '2025-07-02T15:01:00Z', { pricing }),
        );
        expect([a1.length, b1.length]).toEqual([3, 3]);

        // Round 1: A holds slot 1 (uncommitted); B takes slot 2 and commits.
        let round = holdNext();
        release = round.release;
        const aFirst = a.ingest(a1, 1_000);
        await round.atCount;
        expect(await withoutLockWaits(b.ingest(b1, 2_000), waits)).toEqual({ inserted: 3, duplicates: 0 });
        // Only B's events are committed.
        expect(await b.eventStats()).toEqual({ events: 3, lastEventAt: 2_000 });
        round.release();
        expect(await aFirst).toEqual({ inserted: 3, duplicates: 0 });
        expect(await b.eventStats()).toEqual({ events: 6, lastEventAt: 2_000 });

        // Round 2, replays across slots: A replays B's three and adds x1 delivered and x4 sent (2 new) at 4,000,
        // and holds; B replays A's three and adds y3 sent (1 new) at 3,000.
        const a2 = [
          ...b1,
          ...statusEvents(
            'W_UTC',
            statusObject('x1', 'delivered', '2025-07-01T10:00:05Z', { pricing }),
            statusObject('x4', 'sent', '2025-07-01T10:03:00Z', { pricing }),
          ),
        ];
        const b2 = [...a1, ...statusEvents('W_SP', statusObject('y3', 'sent', '2025-07-02T15:02:00Z', { pricing }))];
        round = holdNext();
        release = round.release;
        const aSecond = a.ingest(a2, 4_000);
        await round.atCount;
        expect(await withoutLockWaits(b.ingest(b2, 3_000), waits)).toEqual({ inserted: 1, duplicates: 3 });
        expect(await b.eventStats()).toEqual({ events: 7, lastEventAt: 3_000 });
        round.release();
        expect(await aSecond).toEqual({ inserted: 2, duplicates: 3 });

        // A's 3 + 2 in slot 1 (newest 4,000), B's 3 + 1 in slot 2 (newest 3,000): 9, newest 4,000.
        const empty = Array.from({ length: 14 }, (_, i) => ({ id: i + 3, events: 0, last: null }));
        expect(await access.slots(a)).toEqual([{ id: 1, events: 5, last: 4_000 }, { id: 2, events: 4, last: 3_000 }, ...empty]);
        expect(await a.eventStats()).toEqual({ events: 9, lastEventAt: 4_000 });
        expect(await b.eventStats()).toEqual({ events: 9, lastEventAt: 4_000 });
        expect(await a.countRawEvents()).toBe(9);
      } finally {
        // A failed expectation must not leave A's transaction (and the stores' pools) hanging.
        release();
        await a.close();
        await b.close();
      }
    });
  });
}
