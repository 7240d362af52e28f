/**
 * The two store engines, for suites that run the same tests on SQLite and on PostgreSQL: in the jest
 * process (so Stryker's mutants are live in them) or against a connector given the database's `db`
 * setting. The PostgreSQL engine needs the cluster the jest globalSetup starts (docs/testing.md);
 * without it its `describe`/`it` skip with the reason, or fail under CI=true.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../src/connector/runtime/open-store';
import type { ConnectorStore, StoreOptions } from '../../src/connector/store';
import { requirePrerequisite } from './prerequisites';
import { createTestDatabase } from './test-database';

export interface EmptyDatabase {
  /** The connector's `db` setting for it: `sqlite:FILE` or a postgres:// URL. */
  url: string;
  /** Deletes it; close the stores opened on it first. */
  remove(): Promise<void>;
}

export interface DatabaseEngine {
  /** The store class (the query suites' titles name it). */
  name: 'SqliteStore' | 'PgStore';
  /** The engine as the end-to-end suites' titles name it. */
  title: 'SQLite' | 'PostgreSQL';
  /** The `db` URL's scheme (the in-process connector suites' titles and demo seeds name it). */
  scheme: 'sqlite' | 'postgres';
  /** jest's describe/it, or ones that skip with the reason when the engine is missing. */
  describe: jest.Describe;
  it: jest.It;
  /** A new, empty database; `prefix` starts its folder's or its own name. */
  createDatabase(prefix: string): Promise<EmptyDatabase>;
}

const postgres = requirePrerequisite('PostgreSQL');

export const BOTH_STORES: readonly DatabaseEngine[] = [
  {
    name: 'SqliteStore',
    title: 'SQLite',
    scheme: 'sqlite',
    describe,
    it,
    createDatabase: async (prefix) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `waspend-${prefix}-`));
      return { url: `sqlite:${path.join(dir, 'w.sqlite')}`, remove: async () => fs.rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PgStore',
    title: 'PostgreSQL',
    scheme: 'postgres',
    describe: postgres.describe,
    it: postgres.it,
    createDatabase: async (prefix) => {
      const db = await createTestDatabase(`waspend_${prefix.replace(/\W/g, '_')}`);
      return { url: db.url, remove: () => db.drop() };
    },
  },
];

export type OpenStore = (options: StoreOptions) => Promise<ConnectorStore>;

/**
 * Runs `body` once per engine, titled `title (SQLite)` and `title (PostgreSQL)`. Its `open` makes a store
 * on a new, empty database; the body closes the store, and the database is removed after the block.
 */
export function describeOnBothStores(title: string, body: (open: OpenStore) => void): void {
  for (const engine of BOTH_STORES)
    engine.describe(`${title} (${engine.title})`, () => {
      const made: EmptyDatabase[] = [];
      body(async (options) => {
        const db = await engine.createDatabase('query');
        made.push(db);
        return openStore(db.url, options);
      });
      // Declared after the body's hooks, so its afterAll has closed the store by then.
      afterAll(async () => {
        for (const db of made) await db.remove();
      });
    });
}
