import type { Pool } from 'pg';
import { listMigrations, migrationDir } from '../migration-files';

const DIR = migrationDir('postgres');

/** The PostgreSQL migrations (`migrations/postgres/NNN-name.sql`) in version order. */
export const listPostgresMigrations = (dir = DIR) => listMigrations(dir);

/**
 * Session-level advisory lock key held while migrating: replicas starting at once queue on it, and
 * each one re-reads the recorded version after getting it, so a migration is applied exactly once.
 * Arbitrary but fixed (ASCII "waspmig").
 */
export const MIGRATION_LOCK_KEY = '33889614013425991';

/** Applies every migration not recorded yet, in version order, each in its own transaction. Returns the versions applied. */
export async function migratePostgres(pool: Pool, dir = DIR): Promise<number[]> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)',
      );
      // Each recorded version, not the highest: migrations may land out of order (see migrateSqlite).
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((r) => Number(r.version)));
      const applied: number[] = [];
      for (const m of listMigrations(dir)) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            Date.now(),
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new Error(`PostgreSQL migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch(() => {
        // A connection that cannot unlock must not go back to the pool holding the lock.
        broken = true;
      });
    }
  } finally {
    client.release(broken);
  }
}
