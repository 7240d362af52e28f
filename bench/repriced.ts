/**
 * Waits until the connector's background re-pricer has caught up with a freshly built store (no
 * month left in `pricing_dirty`), so the panels are timed on priced rollups rather than while all
 * 90 days are being re-priced beside them. A bulk build leaves every month dirty for the connector
 * started after it; a webhook build leaves the months its last commits touched.
 */
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { log, round } from './stats';

export interface Repriced {
  /** Seconds from the call until no month was dirty (or until the cap). */
  seconds: number;
  clean: boolean;
  /** Months still dirty when it stopped waiting. */
  dirtyLeft: number;
}

const POLL_MS = 250;

export async function waitRepriced(db: string, capSeconds: number): Promise<Repriced> {
  const t0 = Date.now();
  let count: () => Promise<number>;
  let close: () => Promise<void>;
  if (db.startsWith('sqlite:')) {
    const s = new Database(db.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    s.pragma('busy_timeout = 5000');
    const stmt = s.prepare('SELECT COUNT(*) AS n FROM pricing_dirty');
    count = async () => (stmt.get() as { n: number }).n;
    close = async () => void s.close();
  } else {
    const c = new Client({ connectionString: db });
    await c.connect();
    count = async () => Number((await c.query<{ n: string }>('SELECT COUNT(*) AS n FROM pricing_dirty')).rows[0]?.n ?? 0);
    close = () => c.end();
  }
  try {
    let left = await count();
    while (left > 0 && Date.now() - t0 < capSeconds * 1000) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      left = await count();
    }
    const seconds = round((Date.now() - t0) / 1000, 1);
    log(`  re-pricer: ${left === 0 ? `no month dirty after ${seconds} s` : `${left} months still dirty after ${seconds} s (cap)`}`);
    return { seconds, clean: left === 0, dirtyLeft: left };
  } finally {
    await close();
  }
}
