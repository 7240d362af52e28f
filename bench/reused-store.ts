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
import { PLAN_WAMID } from './webhook-bodies';

/** The first wamid after the plan's: they are a range of the primary key. */
const PLAN_WAMID_END = `${PLAN_WAMID.slice(0, -1)}${String.fromCharCode(PLAN_WAMID.charCodeAt(PLAN_WAMID.length - 1) + 1)}`;

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
  let held: Omit<BuildResult, 'path' | 'seconds' | 'eventsPerSec' | 'requests'> & { priceFiles: number; planMessages: number };
  try {
    const byKind = new Map(
      (db.prepare('SELECT kind, count(*) AS n FROM raw_events GROUP BY kind').all() as Array<{ kind: string; n: number }>).map((r) => [
        r.kind,
        r.n,
      ]),
    );
    const count = (sql: string, ...args: string[]) => (db.prepare(sql).get(...args) as { n: number }).n;
    held = {
      messages: count('SELECT count(*) AS n FROM messages'),
      planMessages: count('SELECT count(*) AS n FROM messages WHERE wamid >= ? AND wamid < ?', PLAN_WAMID, PLAN_WAMID_END),
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
  // hundred thousand a run, each a fresh message on the store's last days, with wamids of their own),
  // which leave the plan's days alone. The plan's own messages are what must match.
  if (held.planMessages !== scale.messages)
    throw new Error(
      `--reuse-store: ${file} holds ${held.planMessages} of the plan's messages (${held.messages} in all); the ${scale.name} scale's store holds ${scale.messages}, besides what runs posted to it`,
    );
  const { planMessages: _plan, ...counts } = held;
  fs.linkSync(file, into);
  return { path: 'reused', ...counts, requests: 0, seconds: null, eventsPerSec: null };
}
