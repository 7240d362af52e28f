import fs from 'node:fs';
import path from 'node:path';

/** Where each dialect's numbered migrations live (`migrations/<dialect>/NNN-name.sql`, read from disk at start). */
export const migrationDir = (dialect: 'sqlite' | 'postgres') => path.join(__dirname, 'migrations', dialect);

/** Lists `NNN-name.sql` files in version order; the number is the schema version. */
export function listMigrations(dir: string): { version: number; name: string; sql: string }[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f))
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f, sql: fs.readFileSync(path.join(dir, f), 'utf8') }))
    .sort((a, b) => a.version - b.version);
}
