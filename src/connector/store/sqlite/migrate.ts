import type Database from 'better-sqlite3';
import { listMigrations, migrationDir } from '../migration-files';

const DIR = migrationDir('sqlite');

/** The SQLite migrations (`migrations/sqlite/NNN-name.sql`) in version order. */
export const listSqliteMigrations = (dir = DIR) => listMigrations(dir);

/**
 * Applies every migration not recorded yet, in version order, each in its own transaction. Returns the
 * versions applied. Recorded versions are compared one by one, not against the highest: migrations are
 * numbered when work starts and may land out of order (010 before 009), and a store that already has
 * 010 must still get 009.
 */
export function migrateSqlite(db: Database.Database, dir = DIR): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)');
  const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const applied: number[] = [];
  for (const m of listMigrations(dir)) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
