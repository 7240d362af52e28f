/**
 * `--reuse-store FILE`: the SQLite query store an earlier run of the same scale built (kept with
 * `--keep`, or left by a run that was stopped), used instead of building it again. The full scale's
 * build takes about half an hour on this machine; everything measured after the build is the same
 * work on the same store. The plan is deterministic (store-plan.ts, a fixed end day), so a store
 * with the scale's delivered messages (and what an earlier run's sections posted to it) is the store this
 * run would build; any other is refused.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { BuildResult } from './build-store';
import type { Scale } from './options';

/** Links `file` in as the run's query store (same file system; the run's writes go to it) and reads what it holds. */
export function reuseStore(file: string, into: string, scale: Scale): BuildResult & { priceFiles: number } {
  if (!fs.existsSync(file)) throw new Error(`--reuse-store: ${file} does not exist`);
  // Only the main file is linked in: a WAL with pages not yet checkpointed would be left behind.
  const wal = `${file}-wal`;
  if (fs.existsSync(wal) && fs.statSync(wal).size > 0)
    throw new Error(
      `--reuse-store: ${wal} holds pages not checkpointed; open and close the store once (e.g. sqlite3 ${file} .tables) first`,
    );
  const db = new Database(file, { readonly: true, fileMustExist: true });
  let held: Omit<BuildResult, 'path' | 'seconds' | 'eventsPerSec' | 'requests'> & { priceFiles: number };
  try {
    const byKind = new Map(
      (db.prepare('SELECT kind, count(*) AS n FROM raw_events GROUP BY kind').all() as Array<{ kind: string; n: number }>).map((r) => [
        r.kind,
        r.n,
      ]),
    );
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    held = {
      messages: count('SELECT count(*) AS n FROM messages'),
      events: byKind.get('status') ?? 0,
      calls: count('SELECT count(*) AS n FROM calls'),
      inbound: byKind.get('inbound') ?? 0,
      tierAnnouncements: byKind.get('account_update') ?? 0,
      priceFiles: count('SELECT count(*) AS n FROM rate_files'),
    };
  } finally {
    db.close();
  }
  // A store a run has used holds more: the webhooks its later sections posted (a few thousand to a few
  // hundred thousand, each a fresh message on the store's last days), which leave the plan's days alone.
  if (held.messages < scale.messages || held.messages > scale.messages * 1.1)
    throw new Error(
      `--reuse-store: ${file} holds ${held.messages} messages; the ${scale.name} scale's store holds ${scale.messages} (up to 10 % more once a run has posted to it)`,
    );
  fs.linkSync(file, into);
  return { path: 'reused', ...held, requests: 0, seconds: null, eventsPerSec: null };
}
