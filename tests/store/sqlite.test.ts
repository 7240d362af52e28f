import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { listSqliteMigrations as listMigrations, migrateSqlite, SqliteStore, type ConnectorStore } from '../../src/connector/store';
import { describeConnectorStoreBehaviour } from './connector-store-suite';
import { describeEventStats, type Slot } from './event-stats-suite';
import { describeIngestGrouping, rowText, type TableDump } from './ingest-grouping-suite';
import { describeInvoiceBehaviour } from './invoices-suite';
import { describePricedRollupBehaviour } from './priced-rollups-suite';
import { describeHistoryMigrations } from './history-migrations-suite';
import { describePricedCallBehaviour } from './priced-calls-suite';
import { finishedCallsSql } from '../../src/connector/store/sqlite/calls';
import { describePricingInputBehaviour } from './pricing-input-suite';
import { describeReportDeliveryBehaviour } from './report-deliveries-suite';
import type { StoreEngine } from './store-engine';
import { describeStoreBehaviour, eventsOf, statusObject } from './store-suite';
import { describePricingVerdictBehaviour } from './store-suite-pricing-verdicts';

/**
 * The SQLite adapter: the shared behaviour suites (the whole `ConnectorStore`), then what only SQLite
 * has (its file, WAL mode, migrations run on a store with history).
 */

// Each store the suites open gets a file of its own in this test's folder.
let dir: string;
let files = 0;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-store-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const fileOf = new WeakMap<ConnectorStore, string>();
const sqlite: StoreEngine = {
  name: 'SqliteStore',
  open: async (options) => {
    const file = path.join(dir, `w${++files}.db`);
    const store = new SqliteStore(file, options);
    fileOf.set(store, file);
    return store;
  },
  openSame: async (store, options) => new SqliteStore(fileOf.get(store) as string, options),
};

describeStoreBehaviour(sqlite.name, sqlite.open);
describePricingVerdictBehaviour(sqlite.name, sqlite.open);
describeConnectorStoreBehaviour(sqlite);
describeInvoiceBehaviour(sqlite);
describeReportDeliveryBehaviour(sqlite);
describePricedRollupBehaviour(sqlite);
describePricedCallBehaviour(sqlite);
describeIngestGrouping(sqlite, async (store) => {
  const db = new Database(fileOf.get(store) as string, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as {
      name: string;
    }[];
    const out: TableDump = {};
    for (const { name } of tables)
      out[name] = (db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]).map((r) => rowText(name, r)).sort();
    return out;
  } finally {
    db.close();
  }
});

describe('SqliteStore ingest counters', () => {
  it("sums a transaction's usage per key without merging keys that only a separator would tell apart (ids come from webhook bodies)", async () => {
    const store = new SqliteStore(path.join(dir, 'sep.db'), { timezones: {} });
    try {
      const delivered = (waba: string, phone: string, wamid: string) =>
        eventsOf(waba, [
          {
            field: 'messages',
            value: {
              metadata: { phone_number_id: phone },
              statuses: [
                statusObject(wamid, 'delivered', '2025-07-10T12:00:00Z', { pricing: { category: 'utility', pricing_model: 'PMP' } }),
              ],
            },
          },
        ]);
      await store.ingest([...delivered('W\u0000P', 'Q', 'wamid.k1'), ...delivered('W', 'P\u0000Q', 'wamid.k2')], 0);
      const rows = await store.usageDaily({ fromDay: '2025-07-10', toDay: '2025-07-10' });
      expect(rows.map((r) => [r.wabaId, r.phoneNumberId, r.messages]).sort()).toEqual([
        ['W\u0000P', 'Q', 1],
        ['W', 'P\u0000Q', 1],
      ]);
    } finally {
      await store.close();
    }
  });
});
describePricingInputBehaviour(sqlite);
describeEventStats(sqlite, {
  openWithHistory: async (upTo, rows, options) => {
    const file = path.join(dir, `h${++files}.db`);
    const migrationsUpTo = (version: number) => {
      const old = path.join(dir, `migrations-${version}-${files}`);
      fs.mkdirSync(old);
      for (const m of listMigrations().filter((m) => m.version <= version)) fs.writeFileSync(path.join(old, m.name), m.sql);
      return old;
    };
    const db = new Database(file);
    try {
      migrateSqlite(db, migrationsUpTo(14));
      const insert = db.prepare(
        'INSERT INTO raw_events (dedupe_key, kind, waba_id, phone_number_id, at_ms, received_at_ms, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const r of rows) insert.run(r.dedupeKey, r.kind, r.wabaId, r.phoneNumberId, r.atMs, r.receivedAtMs, r.body);
      if (upTo === 15) migrateSqlite(db, migrationsUpTo(15));
    } finally {
      db.close();
    }
    const store = new SqliteStore(file, options);
    fileOf.set(store, file);
    return store;
  },
  slots: async (store) => {
    const db = new Database(fileOf.get(store) as string, { readonly: true });
    try {
      return db.prepare('SELECT id, events, last_received_at_ms AS last FROM raw_event_stats ORDER BY id').all() as Slot[];
    } finally {
      db.close();
    }
  },
  execute: async (store, sql) => {
    const db = new Database(fileOf.get(store) as string);
    try {
      db.prepare(sql).run();
    } finally {
      db.close();
    }
  },
});

describe('SqliteStore schema', () => {
  it('runs in WAL mode, records the migrations in order and does not re-apply them on reopen', async () => {
    const file = path.join(dir, 'w.db');
    await new SqliteStore(file, { timezones: {} }).close();
    const store = new SqliteStore(file, { timezones: {} });
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const versions = listMigrations().map((m) => ({ version: m.version }));
      expect(versions.slice(0, 4)).toEqual([1, 2, 3, 4].map((version) => ({ version })));
      expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual(versions);
    } finally {
      db.close();
    }
  });

  it('syncs every commit (synchronous = FULL, 2) unless opened for a bulk load (OFF, 0, with a page cache of up to 2 GiB)', async () => {
    // The setting belongs to the connection, so it is read through the store's own.
    const pragmas = (store: SqliteStore) => {
      const db = (store as unknown as { db: Database.Database }).db;
      return [db.pragma('synchronous', { simple: true }), db.pragma('cache_size', { simple: true })];
    };
    const durable = new SqliteStore(path.join(dir, 'durable.db'), { timezones: {} });
    const bulk = new SqliteStore(path.join(dir, 'bulk.db'), { timezones: {}, bulkLoad: true });
    const explicit = new SqliteStore(path.join(dir, 'explicit.db'), { timezones: {}, bulkLoad: false });
    try {
      // -16000: the cache better-sqlite3's build of SQLite defaults to (16,000 KiB).
      expect([pragmas(durable), pragmas(bulk), pragmas(explicit)]).toEqual([
        [2, -16000],
        [0, -2 * 1024 * 1024],
        [2, -16000],
      ]);
    } finally {
      for (const s of [durable, bulk, explicit]) await s.close();
    }
  });
});

describe('SqliteStore migration 009 on a store with history', () => {
  it('keeps counted history as one unit per message and fills the window openers from stored inbound messages and calls', async () => {
    const file = path.join(dir, 'old.db');
    const old = path.join(dir, 'migrations-008');
    fs.mkdirSync(old);
    for (const m of listMigrations().filter((m) => m.version <= 8)) fs.writeFileSync(path.join(old, m.name), m.sql);
    const db = new Database(file);
    migrateSqlite(db, old);
    const key = JSON.stringify(['2025-07-10', 'W1', 'P1', 'BR', 'Brazil', 'utility', 'regular', 'PMP', '']);
    db.prepare(
      "INSERT INTO messages (wamid, waba_id, phone_number_id, recipient, delivered_at_ms, category, counted_key) VALUES ('m1', 'W1', 'P1', '5511987654321', 1, 'utility', ?)",
    ).run(key);
    db.prepare("INSERT INTO usage_daily VALUES ('2025-07-10', 'W1', 'P1', 'BR', 'Brazil', 'utility', 'regular', 'PMP', '', 2)").run();
    const inbound = { id: 'in1', from: '5511987654321', timestamp: '1752141600', referral: { source_id: 'ad' } };
    db.prepare(
      "INSERT INTO raw_events (dedupe_key, kind, waba_id, phone_number_id, at_ms, received_at_ms, body) VALUES ('inbound:in1', 'inbound', 'W1', 'P1', 1752141600000, 0, ?)",
    ).run(JSON.stringify(inbound));
    db.prepare(
      "INSERT INTO calls (call_id, waba_id, phone_number_id, direction, user_number, connected_at_ms) VALUES ('c1', 'W1', 'P1', 'user_initiated', '5511987654321', 5)",
    ).run();
    db.close();

    await new SqliteStore(file, { timezones: { W1: 'UTC' } }).close();
    const after = new Database(file, { readonly: true });
    try {
      expect(after.prepare('SELECT messages, units FROM usage_daily').all()).toEqual([{ messages: 2, units: 2 }]);
      expect(after.prepare('SELECT verdict_source, counted_units FROM messages').all()).toEqual([
        { verdict_source: 'meta', counted_units: 1 },
      ]);
      expect(after.prepare('SELECT phone_number_id, contact, at_ms, kind, id, referral FROM contact_events ORDER BY at_ms').all()).toEqual([
        { phone_number_id: 'P1', contact: '5511987654321', at_ms: 5, kind: 'user_call', id: 'c1', referral: 0 },
        { phone_number_id: 'P1', contact: '5511987654321', at_ms: 1752141600000, kind: 'inbound_message', id: 'in1', referral: 1 },
      ]);
    } finally {
      after.close();
    }
  });
});

describe('SqliteStore migration 017 on a store with history', () => {
  it('marks every month already holding calls from its first day with calls, the earlier day winning over a mark already there', async () => {
    const file = path.join(dir, 'calls-016.db');
    const old = path.join(dir, 'migrations-016');
    fs.mkdirSync(old);
    for (const m of listMigrations().filter((m) => m.version <= 16)) fs.writeFileSync(path.join(old, m.name), m.sql);
    const db = new Database(file);
    migrateSqlite(db, old);
    const daily = db.prepare("INSERT INTO calls_daily VALUES (?, ?, 'P1', 'BR', 'Brazil', 'business_initiated', 1, 1, 30)");
    for (const [day, waba] of [
      ['2025-07-10', 'W1'],
      ['2025-07-03', 'W1'],
      ['2025-08-20', 'W1'],
      ['2025-07-15', 'W2'],
    ])
      daily.run(day, waba);
    // W2's July already owed from the 20th (usage), its calls from the 15th: the 15th; W1's August from the 2nd stays.
    db.prepare("INSERT INTO pricing_dirty VALUES ('W2', '2025-07', '2025-07-20', NULL)").run();
    db.prepare("INSERT INTO pricing_dirty VALUES ('W1', '2025-08', '2025-08-02', '2025-08-02')").run();
    db.close();

    const store = new SqliteStore(file, { timezones: {} });
    try {
      expect(await store.pricingDirty()).toEqual([
        { wabaId: 'W1', month: '2025-07', fromDay: '2025-07-03', touchedDay: '2025-07-03', kinds: ['usage', 'calls'] },
        { wabaId: 'W2', month: '2025-07', fromDay: '2025-07-15', touchedDay: '2025-07-15', kinds: ['usage', 'calls'] },
        { wabaId: 'W1', month: '2025-08', fromDay: '2025-08-02', touchedDay: '2025-08-02', kinds: ['usage', 'calls'] },
      ]);
    } finally {
      await store.close();
    }
  });
});

describe('SqliteStore finished calls', () => {
  it("reads a day range's finished calls through migration 018's index on the counted day, with or without a WABA", async () => {
    const file = path.join(dir, 'plan.db');
    await new SqliteStore(file, { timezones: {} }).close();
    const db = new Database(file, { readonly: true });
    try {
      const plan = (byWaba: boolean) =>
        (
          db.prepare(`EXPLAIN QUERY PLAN ${finishedCallsSql(byWaba)}`).all('2025-07-01', '2025-07-31', ...(byWaba ? ['W'] : [])) as {
            detail: string;
          }[]
        )
          .map((r) => r.detail)
          .join('\n');
      expect(plan(false)).toContain('USING INDEX calls_counted_day');
      expect(plan(true)).toContain('USING INDEX calls_counted_day');
    } finally {
      db.close();
    }
  });
});

describe('SQLite migrations landing out of order', () => {
  const writeMigrations = (sub: string, list: Record<string, string>) => {
    const d = path.join(dir, sub);
    fs.mkdirSync(d, { recursive: true });
    for (const [f, sql] of Object.entries(list)) fs.writeFileSync(path.join(d, f), sql);
    return d;
  };

  it('a store already at 010 still gets 009 when it arrives later, and nothing twice', () => {
    const early = writeMigrations('sqlite-early', {
      '001-a.sql': 'CREATE TABLE a (x INTEGER);',
      '010-c.sql': 'CREATE TABLE c (x INTEGER);',
    });
    const db = new Database(path.join(dir, 'order.db'));
    try {
      expect(migrateSqlite(db, early)).toEqual([1, 10]);
      const later = writeMigrations('sqlite-later', {
        '001-a.sql': 'CREATE TABLE a (x INTEGER);',
        '009-b.sql': 'CREATE TABLE b (x INTEGER);',
        '010-c.sql': 'CREATE TABLE c (x INTEGER);',
      });
      expect(migrateSqlite(db, later)).toEqual([9]);
      expect(migrateSqlite(db, later)).toEqual([]);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'b'").get()).toEqual({ name: 'b' });
    } finally {
      db.close();
    }
  });
});

describeHistoryMigrations('SqliteStore', {
  openWithRows: async (version, rows) => {
    const file = path.join(dir, `history-${version}.db`);
    const old = path.join(dir, `migrations-to-${version}`);
    fs.mkdirSync(old);
    for (const m of listMigrations().filter((m) => m.version <= version)) fs.writeFileSync(path.join(old, m.name), m.sql);
    const db = new Database(file);
    migrateSqlite(db, old);
    for (const r of rows)
      db.prepare(
        `INSERT INTO ${r.table}${r.columns ? ` (${r.columns.join(', ')})` : ''} VALUES (${r.values.map(() => '?').join(', ')})`,
      ).run(...r.values);
    db.close();
    const store = new SqliteStore(file, { timezones: {} });
    fileOf.set(store, file);
    return store;
  },
  count: async (store, table) => {
    const db = new Database(fileOf.get(store) as string, { readonly: true });
    try {
      return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  },
  select: async (store, sql) => {
    const db = new Database(fileOf.get(store) as string, { readonly: true });
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  },
});
