/**
 * A fresh PostgreSQL database per test run on the cluster the jest globalSetup started
 * (WASPEND_TEST_PG_URL), dropped again at the end; and fresh schemas in one, for suites that open
 * many stores.
 */
import { Client } from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export function isPostgresAvailable(): boolean {
  return Boolean(process.env.WASPEND_TEST_PG_URL);
}

export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const adminUrl = process.env.WASPEND_TEST_PG_URL;
  if (!adminUrl) throw new Error('WASPEND_TEST_PG_URL is not set (the jest globalSetup starts a cluster when PostgreSQL is installed)');
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`.toLowerCase();
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * The URL of a new, empty schema `schema` in `db` (search_path in the URL): a store opened on it is as
 * empty as one on a new database, and a schema is much cheaper to make than a database.
 */
export async function createSchemaUrl(db: TestDatabase, schema: string): Promise<string> {
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await c.end();
  }
  const u = new URL(db.url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}
