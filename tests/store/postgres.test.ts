import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Pool, type PoolClient } from 'pg';
import { BatchedWrites, createAndLock } from '../../src/connector/store/postgres/batched-statements';
import { createSchemaUrl, createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { requirePrerequisite } from '../helpers/prerequisites';
import type { WebhookEvent } from '../../src/connector/ingest';
import {
  listPostgresMigrations,
  migratePostgres,
  PgStore,
  type ConnectorStore,
  type IngestResult,
  type StoreOptions,
} from '../../src/connector/store';
import { describeConnectorStoreBehaviour } from './connector-store-suite';
import { describeEventStats, describeEventStatsSlots, type LockAccess } from './event-stats-suite';
import { describeIngestGrouping, rowText, type TableDump } from './ingest-grouping-suite';
import { describeInvoiceBehaviour } from './invoices-suite';
import { describePricedRollupBehaviour } from './priced-rollups-suite';
import { describeHistoryMigrations } from './history-migrations-suite';
import { describePricedCallBehaviour } from './priced-calls-suite';
import { finishedCallsSql } from '../../src/connector/store/postgres/store';
import { describePricingInputBehaviour } from './pricing-input-suite';
import { describeReportDeliveryBehaviour } from './report-deliveries-suite';
import type { StoreEngine } from './store-engine';
import {
  batchesOf,
  describeStoreBehaviour,
  mixedStream,
  seededRandom,
  shuffled,
  snapshotOf,
  inboundEvents,
  statusEvents,
  statusObject,
} from './store-suite';
import { describePricingVerdictBehaviour } from './store-suite-pricing-verdicts';

/**
 * The PostgreSQL adapter: the shared behaviour suites (the whole `ConnectorStore`), then what only
 * PostgreSQL has (replicas migrating and ingesting at once, connection errors). Needs PostgreSQL
 * (docs/testing.md): without it every test here is skipped with the reason, or fails under CI=true.
 */

const TIMEZONES: StoreOptions = { timezones: { W_SP: 'America/Sao_Paulo', W_UTC: 'UTC' } };

const postgres = requirePrerequisite('PostgreSQL');
if (!postgres.available) {
  postgres.describe('PgStore', () => {
    it('runs the store behaviour suites on PostgreSQL', () => undefined);
  });
} else {
  /*
   * One database for this file; every store the tests open gets a schema of its own in it (through
   * search_path in the URL), which is much cheaper than a database per test and just as empty.
   */
  let db: TestDatabase;
  let schemas = 0;
  beforeAll(async () => {
    db = await createTestDatabase('waspend_pgstore');
  });
  afterAll(async () => {
    await db?.drop();
  });

  const freshSchemaUrl = () => createSchemaUrl(db, `store_${++schemas}`);

  const urlOf = new WeakMap<ConnectorStore, string>();
  const postgresEngine: StoreEngine = {
    name: 'PgStore',
    open: async (options) => {
      const url = await freshSchemaUrl();
      const store = await PgStore.open(url, options);
      urlOf.set(store, url);
      return store;
    },
    openSame: async (store, options) => PgStore.open(urlOf.get(store) as string, options),
  };

  describeStoreBehaviour(postgresEngine.name, postgresEngine.open);
  describePricingVerdictBehaviour(postgresEngine.name, postgresEngine.open);
  describeConnectorStoreBehaviour(postgresEngine);
  describeInvoiceBehaviour(postgresEngine);
  describeReportDeliveryBehaviour(postgresEngine);
  describePricedRollupBehaviour(postgresEngine);
  describePricedCallBehaviour(postgresEngine);
  describeIngestGrouping(postgresEngine, async (store) => {
    const c = new Client({ connectionString: urlOf.get(store) as string });
    await c.connect();
    try {
      const tables = await c.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY table_name",
      );
      const out: TableDump = {};
      for (const { table_name: name } of tables.rows)
        out[name] = (await c.query<Record<string, unknown>>(`SELECT * FROM "${name}"`)).rows.map((r) => rowText(name, r)).sort();
      return out;
    } finally {
      await c.end();
    }
  });
  describePricingInputBehaviour(postgresEngine);
  /** Runs `fn` on a connection of its own to `store`'s schema. */
  async function onConnection<T>(store: ConnectorStore, fn: (c: Client) => Promise<T>): Promise<T> {
    const c = new Client({ connectionString: urlOf.get(store) as string });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }
  const eventStatsAccess: LockAccess = {
    openWithHistory: async (upTo, rows, options) => {
      const url = await freshSchemaUrl();
      const dirs: string[] = [];
      const migrationsUpTo = (version: number) => {
        const old = fs.mkdtempSync(path.join(os.tmpdir(), `waspend-pg-migrations-${version}-`));
        dirs.push(old);
        for (const m of listPostgresMigrations().filter((m) => m.version <= version)) fs.writeFileSync(path.join(old, m.name), m.sql);
        return old;
      };
      try {
        const pool = new Pool({ connectionString: url, max: 1 });
        try {
          await migratePostgres(pool, migrationsUpTo(14));
          for (const r of rows)
            await pool.query(
              'INSERT INTO raw_events (dedupe_key, kind, waba_id, phone_number_id, at_ms, received_at_ms, body) VALUES ($1, $2, $3, $4, $5, $6, $7)',
              [r.dedupeKey, r.kind, r.wabaId, r.phoneNumberId, r.atMs, r.receivedAtMs, r.body],
            );
          if (upTo === 15) await migratePostgres(pool, migrationsUpTo(15));
        } finally {
          await pool.end();
        }
      } finally {
        for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
      }
      const store = await PgStore.open(url, options);
      urlOf.set(store, url);
      return store;
    },
    slots: (store) =>
      onConnection(store, async (c) => {
        const { rows } = await c.query<{ id: number; events: string; last: string | null }>(
          'SELECT id, events, last_received_at_ms AS last FROM raw_event_stats ORDER BY id',
        );
        return rows.map((r) => ({ id: r.id, events: Number(r.events), last: r.last === null ? null : Number(r.last) }));
      }),
    execute: (store, sql) =>
      onConnection(store, async (c) => {
        await c.query(sql);
      }),
    lockWaiters: (store) =>
      onConnection(store, async (c) => {
        const { rows } = await c.query<{ waiting: string }>(
          "SELECT COUNT(*) AS waiting FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
        );
        return Number(rows[0]?.waiting);
      }),
  };
  describeHistoryMigrations('PgStore', {
    openWithRows: async (version, rows) => {
      const url = await freshSchemaUrl();
      const old = fs.mkdtempSync(path.join(os.tmpdir(), `waspend-pg-migrations-${version}-`));
      try {
        for (const m of listPostgresMigrations().filter((m) => m.version <= version)) fs.writeFileSync(path.join(old, m.name), m.sql);
        const pool = new Pool({ connectionString: url, max: 1 });
        try {
          await migratePostgres(pool, old);
          for (const r of rows)
            await pool.query(
              `INSERT INTO ${r.table}${r.columns ? ` (${r.columns.join(', ')})` : ''} VALUES (${r.values.map((_, i) => `$${i + 1}`).join(', ')})`,
              [...r.values],
            );
        } finally {
          await pool.end();
        }
      } finally {
        fs.rmSync(old, { recursive: true, force: true });
      }
      const store = await PgStore.open(url, { timezones: {} });
      urlOf.set(store, url);
      return store;
    },
    count: (store, table) =>
      onConnection(store, async (c) => Number((await c.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]?.n)),
    select: (store, sql) => onConnection(store, async (c) => (await c.query<Record<string, unknown>>(sql)).rows),
  });
  describeEventStats(postgresEngine, eventStatsAccess);
  describeEventStatsSlots(postgresEngine, eventStatsAccess);

  describe('PostgreSQL migrations landing out of order', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-pg-migrations-'));
    });
    afterAll(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const writeMigrations = (sub: string, list: Record<string, string>) => {
      const d = path.join(dir, sub);
      fs.mkdirSync(d, { recursive: true });
      for (const [f, sql] of Object.entries(list)) fs.writeFileSync(path.join(d, f), sql);
      return d;
    };

    it('a store already at 010 still gets 009 when it arrives later', async () => {
      const early = writeMigrations('pg-early', { '001-a.sql': 'CREATE TABLE a (x INTEGER);', '010-c.sql': 'CREATE TABLE c (x INTEGER);' });
      const later = writeMigrations('pg-later', {
        '001-a.sql': 'CREATE TABLE a (x INTEGER);',
        '009-b.sql': 'CREATE TABLE b (x INTEGER);',
        '010-c.sql': 'CREATE TABLE c (x INTEGER);',
      });
      const pool = new Pool({ connectionString: await freshSchemaUrl(), max: 1 });
      try {
        expect(await migratePostgres(pool, early)).toEqual([1, 10]);
        expect(await migratePostgres(pool, later)).toEqual([9]);
        expect(await migratePostgres(pool, later)).toEqual([]);
        expect((await pool.query("SELECT to_regclass('b') IS NOT NULL AS present")).rows).toEqual([{ present: true }]);
      } finally {
        await pool.end();
      }
    });
  });

  describe('PgStore schema', () => {
    const versions = async (url: string) => {
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
      } finally {
        await c.end();
      }
    };

    it('applies each migration once when two replicas open an empty database at the same moment, and not again on reopen', async () => {
      const url = await freshSchemaUrl();
      const opened = await Promise.all([PgStore.open(url, TIMEZONES), PgStore.open(url, TIMEZONES), PgStore.open(url, TIMEZONES)]);
      await Promise.all(opened.map((s) => s.close()));
      const applied = await versions(url);
      expect(applied.slice(0, 4)).toEqual([1, 2, 3, 4]);
      expect(applied).toEqual(listPostgresMigrations().map((m) => m.version));
      const again = await PgStore.open(url, TIMEZONES);
      await again.ping();
      await again.close();
      expect(await versions(url)).toEqual(applied);
    });

    it("reads a day range's finished calls through migration 018's index on the counted day, with or without a WABA", async () => {
      const url = await freshSchemaUrl();
      const store = await PgStore.open(url, TIMEZONES);
      await store.close();
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        // An empty table would be scanned whatever indexes it has: with scans off, the plan shows whether the index serves the expression.
        await c.query('SET enable_seqscan = off');
        const plan = async (byWaba: boolean) => {
          await c.query(`PREPARE q${byWaba ? 1 : 0} AS ${finishedCallsSql(byWaba)}`);
          const args = byWaba ? "('2025-07-01', '2025-07-31', 'W')" : "('2025-07-01', '2025-07-31')";
          const rows = (await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE q${byWaba ? 1 : 0}${args}`)).rows;
          return rows.map((r) => r['QUERY PLAN']).join('\n');
        };
        expect(await plan(false)).toContain('calls_counted_day');
        expect(await plan(true)).toContain('calls_counted_day');
      } finally {
        await c.end();
      }
    });

    it('names the setting when the URL is empty or not a postgres URL', async () => {
      await expect(PgStore.open('', TIMEZONES)).rejects.toThrow(/url must be a postgres:\/\/ connection URL/);
      await expect(PgStore.open('mysql://db/x', TIMEZONES)).rejects.toThrow(/url must be a postgres:\/\/ connection URL, not mysql:/);
    });

    it('says which server it could not reach, without the password', async () => {
      const err = await PgStore.open('postgres://waspend:s3cret-pw@127.0.0.1:1/waspend', TIMEZONES).then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(/^PostgreSQL store at 127\.0\.0\.1:1\/waspend: /);
      expect(err?.message).not.toContain('s3cret-pw');
    });
  });

  describe('PostgreSQL ingest statements (batched-statements.ts)', () => {
    /** A client on a fresh schema with one table: key k, a creator column w, a value v. */
    async function tableClient(): Promise<{ url: string; client: Client }> {
      const url = await freshSchemaUrl();
      const client = new Client({ connectionString: url });
      await client.connect();
      await client.query("CREATE TABLE t (k text PRIMARY KEY, w text, v text NOT NULL DEFAULT 'new')");
      return { url, client };
    }
    const lockT = (c: Client, keys: string[][]) =>
      createAndLock(c as unknown as PoolClient, 't', ['k'], ['k', 'w'], ['text', 'text'], keys);

    it('creates the missing rows and returns every row, existing ones as stored, all locked until the transaction ends', async () => {
      const { url, client } = await tableClient();
      const other = new Client({ connectionString: url });
      await other.connect();
      try {
        await client.query("INSERT INTO t (k, w, v) VALUES ('b', 'old', 'kept')");
        await client.query('BEGIN');
        const statements = jest.spyOn(client, 'query');
        const rows = await lockT(client, [
          ['a', 'me'],
          ['b', 'me'],
          ['c', 'me'],
        ]);
        // One round trip when no other transaction got in the way: the created rows come from the INSERT.
        expect(statements).toHaveBeenCalledTimes(1);
        statements.mockRestore();
        expect([...rows.entries()].sort()).toEqual([
          ['["a"]', { k: 'a', w: 'me', v: 'new' }],
          ['["b"]', { k: 'b', w: 'old', v: 'kept' }],
          ['["c"]', { k: 'c', w: 'me', v: 'new' }],
        ]);
        // Locked: another session can neither lock the old row nor create the new ones.
        await expect(other.query("SELECT 1 FROM t WHERE k = 'b' FOR UPDATE NOWAIT")).rejects.toMatchObject({ code: '55P03' });
        await other.query("SET lock_timeout = '50ms'");
        await expect(other.query("INSERT INTO t (k) VALUES ('a')")).rejects.toMatchObject({ code: '55P03' });
        await client.query('COMMIT');
        expect((await other.query('SELECT k, w FROM t ORDER BY k')).rows).toEqual([
          { k: 'a', w: 'me' },
          { k: 'b', w: 'old' },
          { k: 'c', w: 'me' },
        ]);
      } finally {
        await Promise.all([client.end(), other.end()]);
      }
    });

    it('locks a row another transaction created and committed while its INSERT waited, which its SELECT cannot see', async () => {
      const { url, client } = await tableClient();
      const other = new Client({ connectionString: url });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query("INSERT INTO t (k, w, v) VALUES ('x', 'other', 'first')");
        await client.query('BEGIN');
        const locking = lockT(client, [
          ['x', 'me'],
          ['y', 'me'],
        ]);
        await waitForLockWaiters(other, 1);
        await other.query("UPDATE t SET v = 'committed' WHERE k = 'x'");
        await other.query('COMMIT');
        const rows = await locking;
        expect(rows.get('["x"]')).toEqual({ k: 'x', w: 'other', v: 'committed' });
        expect(rows.get('["y"]')).toEqual({ k: 'y', w: 'me', v: 'new' });
        await expect(other.query("SELECT 1 FROM t WHERE k = 'x' FOR UPDATE NOWAIT")).rejects.toMatchObject({ code: '55P03' });
        await client.query('COMMIT');
      } finally {
        await Promise.all([client.end(), other.end()]);
      }
    });

    it("ingests a batch of new messages' statuses in seven round trips, its writes in one statement", async () => {
      const store = await PgStore.open(await freshSchemaUrl(), TIMEZONES);
      const pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' };
      const batch = [1, 2, 3].flatMap((i) =>
        statusEvents('W_UTC', statusObject(`rt${i}`, 'delivered', '2025-07-10T10:00:00Z', { pricing })),
      );
      const sent = jest.spyOn(Client.prototype, 'query');
      try {
        expect(await store.ingest(batch, 0)).toEqual({ inserted: 3, duplicates: 0 });
        const statements = sent.mock.calls.map(([q]) => String(q).trim().split(/\s+/).slice(0, 4).join(' '));
        expect(statements).toEqual([
          'BEGIN',
          'WITH drawn AS MATERIALIZED', // raw_events, its seqs drawn in the same statement
          'WITH ins AS (INSERT', // messages created and locked
          'WITH ins AS (INSERT', // the day's contact sketch created and locked
          'WITH w1 AS (UPDATE', // messages, usage_daily, usage_pricing, pricing_dirty, contacts_daily
          'UPDATE raw_event_stats SET events', // /health's slot, on its own and last
          'COMMIT',
        ]);
        expect(String(sent.mock.calls[4]?.[0]).match(/\bw\d+ AS \(/g)).toEqual(['w1 AS (', 'w2 AS (', 'w3 AS (', 'w4 AS (', 'w5 AS (']);
        expect((await store.usageDaily({ fromDay: '2025-07-10', toDay: '2025-07-10' })).map((r) => r.messages)).toEqual([3]);
      } finally {
        sent.mockRestore();
        await store.close();
      }
    });

    it('runs every part of the batched writes on the rows as they were before the statement, and the later statements after them', async () => {
      const { client } = await tableClient();
      try {
        await client.query('CREATE TABLE n (k text PRIMARY KEY, c int NOT NULL)');
        await client.query("INSERT INTO n VALUES ('a', 1), ('b', 2)");
        const w = new BatchedWrites();
        w.add({ sql: (from) => `UPDATE n SET c = c - $${from}::int WHERE k = 'a'`, args: [1] });
        // Sees 'a' as it was before the statement (c = 1), whatever order the parts run in.
        w.add({ sql: (from) => `INSERT INTO t (k, v) SELECT 'seen', c::text || $${from}::text FROM n WHERE k = 'a'`, args: ['!'] });
        w.after({ sql: (from) => `DELETE FROM n WHERE c <= $${from}::int`, args: [0] });
        await w.send(client as unknown as PoolClient);
        expect((await client.query('SELECT k, c FROM n ORDER BY k')).rows).toEqual([{ k: 'b', c: 2 }]);
        expect((await client.query("SELECT v FROM t WHERE k = 'seen'")).rows).toEqual([{ v: '1!' }]);
      } finally {
        await client.end();
      }
    });
  });

  describe('PgStore with concurrent replicas', () => {
    /** Ingests `events` through `store` in small shuffled batches, `inFlight` transactions at a time. */
    async function ingestConcurrently(
      store: PgStore,
      events: readonly WebhookEvent[],
      seed: number,
      inFlight: number,
    ): Promise<IngestResult> {
      const random = seededRandom(seed);
      const queue = batchesOf(shuffled(events, random), random, 3);
      const sum = { inserted: 0, duplicates: 0 };
      const worker = async () => {
        for (let batch = queue.shift(); batch; batch = queue.shift()) {
          const r = await store.ingest(batch, 0);
          sum.inserted += r.inserted;
          sum.duplicates += r.duplicates;
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
      return sum;
    }

    it('counts every event exactly once when two replicas ingest the same events at the same time', async () => {
      const events = mixedStream(240, seededRandom(42));
      expect(new Set(events.map((e) => e.dedupeKey)).size).toBe(events.length);

      const reference = await PgStore.open(await freshSchemaUrl(), TIMEZONES);
      const shared = await freshSchemaUrl();
      const a = await PgStore.open(shared, { ...TIMEZONES, poolSize: 6 });
      const b = await PgStore.open(shared, { ...TIMEZONES, poolSize: 6 });
      try {
        await reference.ingest(events, 0);
        const expected = await snapshotOf(reference);
        expect(expected.usage.reduce((n, r) => n + r.messages, 0)).toBeGreaterThan(100);

        const [ra, rb] = await Promise.all([ingestConcurrently(a, events, 1, 6), ingestConcurrently(b, events, 2, 6)]);
        expect(ra.inserted + rb.inserted).toBe(events.length);
        expect(ra.duplicates + rb.duplicates).toBe(events.length);
        // /health's count (one row both replicas' transactions add to) is the distinct events too.
        expect((await a.eventStats()).events).toBe(events.length);
        expect(await snapshotOf(a)).toEqual(expected);
        expect(await snapshotOf(b)).toEqual(expected);
      } finally {
        await Promise.all([reference.close(), a.close(), b.close()]);
      }
    });

    it('folds two statuses of one message that arrive at two replicas at once without losing either', async () => {
      const url = await freshSchemaUrl();
      const a = await PgStore.open(url, TIMEZONES);
      const b = await PgStore.open(url, TIMEZONES);
      const gate = new Client({ connectionString: url });
      await gate.connect();
      try {
        const pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' };
        await a.ingest(statusEvents('W_UTC', statusObject('m1', 'sent', '2025-07-10T10:00:00Z', { pricing })), 0);
        // Hold m1's row so both replicas reach it before either can fold, then let them go together.
        await gate.query('BEGIN');
        await gate.query("SELECT 1 FROM messages WHERE wamid = 'm1' FOR UPDATE");
        const delivered = a.ingest(statusEvents('W_UTC', statusObject('m1', 'delivered', '2025-07-10T10:00:05Z', { pricing })), 0);
        const read = b.ingest(statusEvents('W_UTC', statusObject('m1', 'read', '2025-07-11T09:00:00Z', { pricing })), 0);
        await waitForLockWaiters(gate, 2);
        await gate.query('COMMIT');
        expect(await Promise.all([delivered, read])).toEqual([
          { inserted: 1, duplicates: 0 },
          { inserted: 1, duplicates: 0 },
        ]);
        expect((await a.usageDaily({ fromDay: '2025-07-01', toDay: '2025-07-31' })).map((r) => [r.day, r.messages])).toEqual([
          ['2025-07-10', 1],
        ]);
      } finally {
        await gate.end();
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('merges contacts that two replicas add to the same day sketch at once', async () => {
      const url = await freshSchemaUrl();
      const a = await PgStore.open(url, TIMEZONES);
      const b = await PgStore.open(url, TIMEZONES);
      const gate = new Client({ connectionString: url });
      await gate.connect();
      const from = (id: string, sender: string) =>
        inboundEvents('W_UTC', { id, from: sender, timestamp: String(Date.parse('2025-07-12T09:00:00Z') / 1000), type: 'text' });
      try {
        await a.ingest(from('in0', '5511987654321'), 0);
        // Senders of different countries: separate inbound counters, one shared sketch row, held by the gate.
        await gate.query('BEGIN');
        await gate.query('SELECT 1 FROM contacts_daily FOR UPDATE');
        const first = a.ingest(from('in1', '4915112345678'), 0);
        const second = b.ingest(from('in2', '447700900123'), 0);
        await waitForLockWaiters(gate, 2);
        await gate.query('COMMIT');
        await Promise.all([first, second]);
        expect(await a.uniqueContacts({ fromDay: '2025-07-12', toDay: '2025-07-12' })).toBe(3);
      } finally {
        await gate.end();
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('leaves one copy of a day that two replicas re-pull at the same time', async () => {
      const url = await freshSchemaUrl();
      const a = await PgStore.open(url, TIMEZONES);
      const b = await PgStore.open(url, TIMEZONES);
      const gate = new Client({ connectionString: url });
      await gate.connect();
      const row = (volume: number) => ({
        day: '2025-07-01',
        wabaId: 'W1',
        phoneNumberId: 'P1',
        country: 'BR',
        category: 'utility' as const,
        pricingType: 'regular' as const,
        tier: null,
        volume,
        costMicros: null,
        currency: 'USD',
      });
      try {
        await a.replaceDays('W1', 'meta_pricing', ['2025-07-01'], { pricing: [row(1)] }, { lastCompleteDay: null });
        // Hold the stored rows so both re-pulls are under way before either can delete them.
        await gate.query('BEGIN');
        await gate.query('SELECT 1 FROM pulled_pricing FOR UPDATE');
        const first = a.replaceDays('W1', 'meta_pricing', ['2025-07-01'], { pricing: [row(2)] }, { lastCompleteDay: '2025-07-01' });
        const second = b.replaceDays('W1', 'meta_pricing', ['2025-07-01'], { pricing: [row(2)] }, { lastCompleteDay: '2025-07-01' });
        await waitForLockWaiters(gate, 2);
        await gate.query('COMMIT');
        await Promise.all([first, second]);
        expect((await a.pulledPricing('meta_pricing', { fromDay: '2025-07-01', toDay: '2025-07-01' })).map((r) => r.volume)).toEqual([2]);
      } finally {
        await gate.end();
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
}

/** Resolves once `n` other sessions of this database are blocked on a lock (the replicas queued behind the gate). */
async function waitForLockWaiters(gate: Client, n: number): Promise<void> {
  for (;;) {
    // The gate asks inside its own transaction, where PostgreSQL keeps the list of sessions it read
    // first: a replica whose pool connects after that read would never be counted, and the loop would
    // spin until jest's timeout (seen under load). Dropping the snapshot makes each read current.
    await gate.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await gate.query<{ waiting: string }>(
      "SELECT COUNT(*) AS waiting FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
    );
    if (Number(rows[0]?.waiting) >= n) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
