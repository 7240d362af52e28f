import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { listMigrations } from './sqlite-migrate';
import { SqliteStore } from './sqlite-store';
import { describeStoreBehaviour } from './store-suite';
import { describeIssue11Behaviour } from './store-suite-issue11';

// Each store the suite opens gets a file of its own in this test's folder.
let dir: string;
let files = 0;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-store-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describeStoreBehaviour('SqliteStore', async (options) => new SqliteStore(path.join(dir, `w${++files}.db`), options));
describeIssue11Behaviour('SqliteStore', async (options) => new SqliteStore(path.join(dir, `w${++files}.db`), options));

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
});
