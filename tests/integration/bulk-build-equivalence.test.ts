/**
 * The bench's bulk builder (bench/bulk-build.ts) writes the tables the webhook route writes. A
 * sample plan (statuses, finished calls, inbound messages with and without ad referrals, and Meta's
 * tier announcements, i.e. account_update changes) is built twice on each engine: once by the
 * webhook builder posting to the connector's HTTP app in this process, then by the bulk builder
 * twice: in 1,000-event transactions (several, each larger than the route's groups) and with the
 * bench's default (50,000 events: the whole sample in one). Then every table of the stores is
 * read whole, each row as the engine's own text of every column (SQLite `quote()`, PostgreSQL the
 * row's text form), sorted, and compared row for row.
 *
 * One column is normalised: `schema_migrations.applied_at_ms`, the wall-clock time each migration
 * ran when the store was opened, before either builder wrote anything; it cannot be the same in two
 * stores made at different moments. `raw_events.received_at_ms` is NOT normalised: the route's
 * clock (`now`) and the bulk builder's are the same fixed instant here, so it is compared as is.
 * The route gets one request at a time: with several in flight, `raw_events.seq` would follow the
 * order in which bodies happened to arrive, not the plan's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { writeBenchConfig } from '../../bench/bench-config';
import { buildStoreViaWebhooks, type BuildResult } from '../../bench/build-store';
import { buildStoreInProcess } from '../../bench/bulk-build';
import type { BuildPlan } from '../../bench/store-plan';
import { loadConfig } from '../../src/connector/config';
import { buildApp } from '../../src/connector/http';
import { PgStore, SqliteStore, type Store } from '../../src/connector/store';
import { requirePrerequisite } from '../helpers/prerequisites';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

const ENDSEC = Math.floor(Date.UTC(2026, 10, 20) / 1000);
const PLAN: BuildPlan = { messages: 1_500, days: 90, countries: 10, phones: 4, endSec: ENDSEC };
/** The receive time both builders stamp (the route's `now`, the bulk builder's `now`). */
const RECEIVED_AT_MS = Date.UTC(2026, 10, 20, 6, 0, 0);
/** Wall-clock columns, replaced by this text in both stores before comparing (see above). */
const NORMALISED: Record<string, readonly string[]> = { schema_migrations: ['applied_at_ms'] };
const MASK = 'normalised: wall clock';

/** The bulk builds compared with the route's: `several` 1,000-event transactions, or the bench's default size (`one` for this sample). */
type Variant = 'several' | 'one';
const VARIANTS: Record<Variant, number | undefined> = { several: 1_000, one: undefined };

/** Every table of a SQLite store: name -> its rows, each every column's `quote()` joined, sorted. */
function sqliteTables(file: string): Map<string, string[]> {
  const db = new Database(file, { readonly: true });
  try {
    const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
      (r) => r.name,
    );
    const out = new Map<string, string[]>();
    for (const t of names) {
      const cols = (db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(t) as { name: string }[]).map((r) => r.name);
      const cells = cols.map((c) => (NORMALISED[t]?.includes(c) ? `'${MASK}'` : `quote("${c}")`));
      const rows = db.prepare(`SELECT ${cells.join(" || '|' || ")} AS r FROM "${t}" ORDER BY r`).all() as { r: string }[];
      out.set(t, [cols.join('|'), ...rows.map((r) => r.r)]);
    }
    return out;
  } finally {
    db.close();
  }
}

/** Every table of a PostgreSQL store: name -> its rows as ROW(every column)::text, sorted bytewise; and every sequence's state. */
async function postgresTables(url: string): Promise<Map<string, string[]>> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const names = (
      await c.query<{ t: string }>(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
      )
    ).rows.map((r) => r.t);
    const out = new Map<string, string[]>();
    for (const t of names) {
      const cols = (
        await c.query<{ c: string }>(
          'SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position',
          [t],
        )
      ).rows.map((r) => r.c);
      const cells = cols.map((col) => (NORMALISED[t]?.includes(col) ? `'${MASK}'::text` : `"${col}"`));
      const rows = await c.query<{ r: string }>(
        `SELECT r FROM (SELECT ROW(${cells.join(', ')})::text AS r FROM "${t}") s ORDER BY r COLLATE "C"`,
      );
      out.set(t, [cols.join('|'), ...rows.rows.map((r) => r.r)]);
    }
    const seqs = (
      await c.query<{ s: string }>(
        'SELECT sequence_name AS s FROM information_schema.sequences WHERE sequence_schema = current_schema() ORDER BY 1',
      )
    ).rows;
    for (const { s } of seqs) {
      const v = await c.query<{ r: string }>(`SELECT ROW(last_value, is_called)::text AS r FROM "${s}"`);
      out.set(
        `sequence ${s}`,
        v.rows.map((r) => r.r),
      );
    }
    return out;
  } finally {
    await c.end();
  }
}

interface Engine {
  /** Two empty stores' URLs (`sqlite:PATH` or postgres://) and how to drop them. */
  make(dir: string): Promise<{ webhook: string; bulk: Record<Variant, string>; drop(): Promise<void> }>;
  open(db: string, timezones: Record<string, string>): Promise<Store>;
  tables(db: string): Promise<Map<string, string[]>>;
  /** raw_events per kind and receive time. */
  rawKinds(db: string): Promise<Array<{ kind: string; received: string; n: number }>>;
}

const RAW_KINDS = 'SELECT kind, CAST(received_at_ms AS TEXT) AS received, COUNT(*) AS n FROM raw_events GROUP BY 1, 2 ORDER BY 1, 2';

const engines: Array<[string, jest.Describe, Engine]> = [
  [
    'SQLite',
    describe,
    {
      make: async (dir) => ({
        webhook: `sqlite:${path.join(dir, 'webhook.sqlite')}`,
        bulk: { several: `sqlite:${path.join(dir, 'bulk-several.sqlite')}`, one: `sqlite:${path.join(dir, 'bulk-one.sqlite')}` },
        drop: async () => undefined,
      }),
      open: async (db, timezones) => new SqliteStore(db.slice('sqlite:'.length), { timezones }),
      tables: async (db) => sqliteTables(db.slice('sqlite:'.length)),
      rawKinds: async (db) => {
        const s = new Database(db.slice('sqlite:'.length), { readonly: true });
        try {
          return s.prepare(RAW_KINDS).all() as Array<{ kind: string; received: string; n: number }>;
        } finally {
          s.close();
        }
      },
    },
  ],
  [
    'PostgreSQL',
    requirePrerequisite('PostgreSQL').describe,
    {
      make: async () => {
        const made: TestDatabase[] = [
          await createTestDatabase('bulk_webhook'),
          await createTestDatabase('bulk_several'),
          await createTestDatabase('bulk_one'),
        ];
        return {
          webhook: made[0]!.url,
          bulk: { several: made[1]!.url, one: made[2]!.url },
          drop: async () => {
            for (const d of made) await d.drop();
          },
        };
      },
      open: (db, timezones) => PgStore.open(db, { timezones }),
      tables: postgresTables,
      rawKinds: async (db) => {
        const c = new Client({ connectionString: db });
        await c.connect();
        try {
          const rows = (await c.query<{ kind: string; received: string; n: string }>(RAW_KINDS)).rows;
          return rows.map((r) => ({ ...r, n: Number(r.n) }));
        } finally {
          await c.end();
        }
      },
    },
  ],
];

for (const [name, describeOn, engine] of engines)
  describeOn(`bulk build on ${name}: the same tables as the webhook route, byte for byte`, () => {
    let dir: string;
    let drop: () => Promise<void> = async () => undefined;
    let viaWebhook: BuildResult;
    const viaBulk = {} as Record<Variant, BuildResult>;
    let webhookTables: Map<string, string[]>;
    const bulkTables = {} as Record<Variant, Map<string, string[]>>;
    let rawKinds: Awaited<ReturnType<Engine['rawKinds']>>;

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulk-equivalence-'));
      const config = writeBenchConfig(dir, PLAN.phones);
      const dbs = await engine.make(dir);
      drop = dbs.drop;

      // The webhook route as `waspend serve` mounts it, on a store opened with the config's time zones.
      const timezones = Object.fromEntries(loadConfig(config).wabas.map((w) => [w.id, w.timezone]));
      const store = await engine.open(dbs.webhook, timezones);
      const app = await buildApp({ store, now: () => RECEIVED_AT_MS });
      try {
        const url = await app.listen({ host: '127.0.0.1', port: 0 });
        viaWebhook = await buildStoreViaWebhooks(url, PLAN, { concurrency: 1 });
      } finally {
        await app.close();
        await store.close();
      }

      for (const [variant, size] of Object.entries(VARIANTS) as Array<[Variant, number | undefined]>) {
        const db = dbs.bulk[variant];
        viaBulk[variant] = await buildStoreInProcess(db, config, PLAN, {
          now: () => RECEIVED_AT_MS,
          ...(size === undefined ? {} : { eventsPerTransaction: size }),
        });
        bulkTables[variant] = await engine.tables(db);
      }
      webhookTables = await engine.tables(dbs.webhook);
      rawKinds = await engine.rawKinds(dbs.webhook);
    }, 240_000);

    afterAll(async () => {
      await drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('both builders took every planned item, the bulk one in fewer, larger transactions', () => {
      const { path: webhookPath, requests: posts, seconds: _w, eventsPerSec: _we, ...webhookCounts } = viaWebhook;
      const { path: bulkPath, requests: transactions, seconds: _b, eventsPerSec: _be, ...bulkCounts } = viaBulk.several;
      const { path: onePath, requests: oneTransaction, seconds: _o, eventsPerSec: _oe, ...oneCounts } = viaBulk.one;
      expect([webhookPath, bulkPath, onePath]).toEqual(['webhook', 'bulk', 'bulk']);
      expect(bulkCounts).toEqual(webhookCounts);
      expect(oneCounts).toEqual(webhookCounts);
      expect(oneTransaction).toBe(1);
      // Sent and delivered for every message, read for some.
      expect(webhookCounts.events).toBeGreaterThan(2 * PLAN.messages);
      expect(webhookCounts.events).toBeLessThan(3 * PLAN.messages);
      expect(webhookCounts.calls).toBe(PLAN.messages / 20);
      expect(webhookCounts.inbound).toBe(PLAN.messages / 10);
      expect(webhookCounts.tierAnnouncements).toBeGreaterThan(0);
      const total = webhookCounts.events + 2 * webhookCounts.calls + webhookCounts.inbound + webhookCounts.tierAnnouncements;
      // Whole bodies per transaction: at least 1,000 events each, so at most one per 1,000 and more than one.
      expect(transactions).toBeGreaterThan(1);
      expect(transactions).toBeLessThanOrEqual(Math.ceil(total / 1_000));
      expect(posts).toBeGreaterThan(transactions * 3);
    });

    it('the sample holds every kind of event the plan produces, each stamped with the one receive time', () => {
      const { events, calls, inbound, tierAnnouncements } = viaWebhook;
      const at = String(RECEIVED_AT_MS);
      expect(rawKinds).toEqual([
        { kind: 'account_update', received: at, n: tierAnnouncements },
        { kind: 'call', received: at, n: 2 * calls },
        { kind: 'inbound', received: at, n: inbound },
        { kind: 'status', received: at, n: events },
      ]);
    });

    it.each(Object.keys(VARIANTS))('the same tables (bulk: %s)', (variant) => {
      expect([...bulkTables[variant as Variant].keys()]).toEqual([...webhookTables.keys()]);
      expect(webhookTables.size).toBeGreaterThanOrEqual(20);
    });

    it.each(Object.keys(VARIANTS))('every table, row for row (bulk: %s)', (variant) => {
      const differing: string[] = [];
      for (const [table, rows] of webhookTables) {
        const other = bulkTables[variant as Variant].get(table) ?? [];
        if (rows.length !== other.length || rows.some((r, i) => r !== other[i])) differing.push(table);
      }
      // Named first, so a failure says which tables differ; the next test shows their rows.
      expect(differing).toEqual([]);
      // The tables the build fills hold rows (an empty pair would compare equal and prove nothing).
      for (const t of ['raw_events', 'messages', 'usage_daily', 'usage_pricing', 'calls', 'calls_daily'])
        expect([t, (webhookTables.get(t)?.length ?? 0) > 1]).toEqual([t, true]);
      // (conversations stays empty: it holds CBP conversations, and the sample's days are all PMP.)
      for (const t of ['inbound_daily', 'contacts_daily', 'contact_events', 'pricing_dirty'])
        expect([t, (webhookTables.get(t)?.length ?? 0) > 1]).toEqual([t, true]);
    });

    it.each(Object.keys(VARIANTS))('row detail of any differing table (bulk: %s)', (variant) => {
      for (const [table, rows] of webhookTables) expect([table, bulkTables[variant as Variant].get(table)]).toEqual([table, rows]);
    });
  });
