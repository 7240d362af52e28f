/**
 * The invoices table (migration 010) on SQLite and on PostgreSQL, one behaviour for both, plus the
 * migration runner applying a migration that lands after a higher-numbered one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client, Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../tests/helpers/test-database';
import { requirePrerequisite } from '../../../tests/helpers/prerequisites';
import type { InvoiceStore, StoredInvoice } from './invoice-store';
import { migratePostgres } from './postgres/migrate';
import { PgInvoices } from './postgres/invoices';
import { PgStore } from './postgres/store';
import { migrateSqlite } from './sqlite/migrate';
import { SqliteStore } from './sqlite/store';

type Opened = { invoices: InvoiceStore; close(): Promise<void> };

// Generous: the shared test machine is often loaded, and SQLite commits with synchronous = FULL.
jest.setTimeout(30_000);

const inv = (wabaId: string, month: string, currency: string, amountMicros: bigint, source: 'cli' | 'api' = 'cli', enteredAtMs = 1) =>
  ({ wabaId, month, currency, amountMicros, source, enteredAtMs }) satisfies StoredInvoice;

function describeInvoiceStore(name: string, open: () => Promise<Opened>, maybe: jest.It = it): void {
  describe(`${name}: invoices`, () => {
    let s: Opened | null = null;
    afterEach(async () => {
      await s?.close();
      s = null;
    });

    maybe('stores invoices, replaces the same WABA, month and currency, and counts the replacements', async () => {
      s = await open();
      expect(await s.invoices.saveInvoices([inv('W1', '2026-03', 'USD', 70_000n), inv('W1', '2026-03', 'EUR', 65_000n)])).toEqual({
        saved: 2,
        replaced: 0,
      });
      expect(await s.invoices.saveInvoices([inv('W1', '2026-03', 'USD', 70_500n, 'api', 2), inv('W2', '2026-04', 'USD', 1n)])).toEqual({
        saved: 2,
        replaced: 1,
      });
      expect(await s.invoices.invoices({ fromMonth: '2026-01', toMonth: '2026-12' })).toEqual([
        inv('W1', '2026-03', 'EUR', 65_000n),
        inv('W1', '2026-03', 'USD', 70_500n, 'api', 2),
        inv('W2', '2026-04', 'USD', 1n),
      ]);
    });

    maybe('filters by inclusive month range and by WABA', async () => {
      s = await open();
      await s.invoices.saveInvoices([
        inv('W1', '2025-12', 'USD', 1n),
        inv('W1', '2026-01', 'USD', 2n),
        inv('W2', '2026-02', 'USD', 3n),
        inv('W3', '2026-03', 'USD', 4n),
      ]);
      const months = async (fromMonth: string, toMonth: string, wabaIds?: string[]) =>
        (await s!.invoices.invoices({ fromMonth, toMonth, ...(wabaIds ? { wabaIds } : {}) })).map((i) => `${i.wabaId}/${i.month}`);
      expect(await months('2026-01', '2026-02')).toEqual(['W1/2026-01', 'W2/2026-02']);
      expect(await months('2025-01', '2026-12', ['W1', 'W3'])).toEqual(['W1/2025-12', 'W1/2026-01', 'W3/2026-03']);
      expect(await months('2025-01', '2026-12', [])).toHaveLength(4);
    });

    maybe('keeps amounts beyond 2^53 micro-units exact (a month of IDR)', async () => {
      s = await open();
      const big = 123_456_789_012_345_678_901n; // 123456789012345.678901 units
      await s.invoices.saveInvoices([inv('W1', '2026-03', 'IDR', big)]);
      expect((await s.invoices.invoices({ fromMonth: '2026-03', toMonth: '2026-03' }))[0]?.amountMicros).toBe(big);
    });

    maybe('stores none of a batch when one row is refused by the table', async () => {
      s = await open();
      await s.invoices.saveInvoices([inv('W1', '2026-03', 'USD', 5n)]);
      // The schema's own check (three capital letters) refuses the second row: the first must not stay.
      // Compared by message, not with rejects.toThrow(): the driver's error class comes from another
      // realm when this file shares a jest worker with other SQLite suites, and is then no instance of Error.
      const refused: unknown = await s.invoices.saveInvoices([inv('W1', '2026-03', 'USD', 6n), inv('W1', '2026-04', 'usd', 7n)]).then(
        () => null,
        (err: unknown) => err,
      );
      expect(String((refused as { message?: unknown } | null)?.message ?? refused)).toMatch(/check constraint/i);
      expect(await s.invoices.invoices({ fromMonth: '2026-01', toMonth: '2026-12' })).toEqual([inv('W1', '2026-03', 'USD', 5n)]);
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-invoices-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let files = 0;
describeInvoiceStore('SqliteStore', async () => {
  const store = new SqliteStore(path.join(dir, `i${++files}.db`), { timezones: {} });
  return { invoices: store, close: () => store.close() };
});

let pg: TestDatabase | null = null;
let schemas = 0;
async function freshSchemaUrl(): Promise<string> {
  pg ??= await createTestDatabase('waspend_invoices');
  const schema = `inv_${++schemas}`;
  const c = new Client({ connectionString: pg.url });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await c.end();
  }
  const u = new URL(pg.url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}
afterAll(async () => {
  await pg?.drop();
});

describeInvoiceStore(
  'PgStore',
  async () => {
    const url = await freshSchemaUrl();
    const store = await PgStore.open(url, { timezones: {} });
    const pool = new Pool({ connectionString: url, max: 2 });
    return {
      invoices: new PgInvoices(pool),
      close: async () => {
        await pool.end();
        await store.close();
      },
    };
  },
  requirePrerequisite('PostgreSQL').it,
);

describe('migrations landing out of order', () => {
  const writeMigrations = (sub: string, files: Record<string, string>) => {
    const d = path.join(dir, sub);
    fs.mkdirSync(d, { recursive: true });
    for (const [f, sql] of Object.entries(files)) fs.writeFileSync(path.join(d, f), sql);
    return d;
  };

  it('SQLite: a store already at 010 still gets 009 when it arrives later, and nothing twice', () => {
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

  requirePrerequisite('PostgreSQL').it('PostgreSQL: a store already at 010 still gets 009 when it arrives later', async () => {
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
