/**
 * Runs a block of query-layer tests on SQLite and on PostgreSQL in the jest process (so Stryker's
 * mutants are live in them): `body` gets an `open` that makes an empty store of that engine. The
 * PostgreSQL half needs the cluster the jest globalSetup starts (docs/testing.md); without it the
 * half is skipped with the reason, or fails under CI=true.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { PgStore, SqliteStore, type ConnectorStore, type StoreOptions } from '../../src/connector/store';
import { requirePrerequisite } from './prerequisites';
import { createTestDatabase, type TestDatabase } from './test-database';

export type OpenStore = (options: StoreOptions) => Promise<ConnectorStore>;

export function describeOnBothStores(title: string, body: (open: OpenStore) => void): void {
  describe(`${title} (SQLite)`, () => {
    let dir: string;
    let files = 0;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-query-'));
    });
    afterAll(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });
    body(async (options) => new SqliteStore(path.join(dir, `q${++files}.db`), options));
  });

  const postgres = requirePrerequisite('PostgreSQL');
  postgres.describe(`${title} (PostgreSQL)`, () => {
    // One database for the block; every store gets a schema of its own in it (search_path in the URL).
    let db: TestDatabase;
    let schemas = 0;
    beforeAll(async () => {
      db = await createTestDatabase('waspend_query');
    });
    afterAll(async () => {
      await db?.drop();
    });
    body(async (options) => {
      const schema = `q_${++schemas}`;
      const c = new Client({ connectionString: db.url });
      await c.connect();
      try {
        await c.query(`CREATE SCHEMA ${schema}`);
      } finally {
        await c.end();
      }
      const u = new URL(db.url);
      u.searchParams.set('options', `-c search_path=${schema}`);
      return PgStore.open(u.toString(), options);
    });
  });
}
