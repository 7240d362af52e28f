/**
 * Reads the connector's store directly (SQLite file or PostgreSQL database) to count stored status
 * events per (wamid, status). The table is found by its columns rather than by name, so the check
 * does not depend on the connector's private naming: the first table or view with a wamid-like column
 * and a `status` column is the status-event table (since migration 023 a view of the raw events).
 */
import Database from 'better-sqlite3';
import { Client } from 'pg';

export interface StoredStatusCounts {
  table: string;
  rows: number;
  distinct: number;
  /** key "wamid|status" -> number of rows */
  counts: Map<string, number>;
}

const WAMID_COLUMNS = ['wamid', 'message_id', 'wa_message_id'];

function pick(tables: { table: string; columns: string[] }[]): { table: string; wamid: string } {
  for (const t of tables) {
    const wamid = WAMID_COLUMNS.find((c) => t.columns.includes(c));
    if (wamid && t.columns.includes('status')) return { table: t.table, wamid };
  }
  throw new Error(`no table with a wamid and a status column among: ${tables.map((t) => `${t.table}(${t.columns.join(',')})`).join('; ')}`);
}

function tally(table: string, rows: { k: string; n: number | string }[]): StoredStatusCounts {
  const counts = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    counts.set(r.k, Number(r.n));
    total += Number(r.n);
  }
  return { table, rows: total, distinct: counts.size, counts };
}

export async function readStoredStatuses(db: string): Promise<StoredStatusCounts> {
  if (db.startsWith('sqlite:')) {
    const conn = new Database(db.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    try {
      const names = conn.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name").all() as {
        name: string;
      }[];
      const tables = names.map(({ name }) => ({
        table: name,
        columns: (conn.prepare(`PRAGMA table_info("${name}")`).all() as { name: string }[]).map((c) => c.name),
      }));
      const { table, wamid } = pick(tables);
      const rows = conn.prepare(`SELECT "${wamid}" || '|' || status AS k, COUNT(*) AS n FROM "${table}" GROUP BY 1`).all() as {
        k: string;
        n: number;
      }[];
      return tally(table, rows);
    } finally {
      conn.close();
    }
  }
  const client = new Client({ connectionString: db });
  await client.connect();
  try {
    const cols = await client.query<{ table_name: string; column_name: string }>(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY table_name, ordinal_position",
    );
    const byTable = new Map<string, string[]>();
    for (const r of cols.rows) byTable.set(r.table_name, [...(byTable.get(r.table_name) ?? []), r.column_name]);
    const { table, wamid } = pick([...byTable].map(([t, c]) => ({ table: t, columns: c })));
    const res = await client.query<{ k: string; n: string }>(
      `SELECT "${wamid}" || '|' || status AS k, COUNT(*) AS n FROM "${table}" GROUP BY 1`,
    );
    return tally(table, res.rows);
  } finally {
    await client.end();
  }
}

/** Compares stored counts with the expected keys: every expected key exactly once, nothing else. */
export function compareStored(
  stored: StoredStatusCounts,
  expectedKeys: Iterable<string>,
): { expected: number; stored: number; duplicates: number; lost: number; unexpected: number; lostSample: string[] } {
  let expected = 0;
  let lost = 0;
  let duplicates = 0;
  const lostSample: string[] = [];
  const seen = new Set<string>();
  for (const k of expectedKeys) {
    expected++;
    seen.add(k);
    const n = stored.counts.get(k) ?? 0;
    if (n === 0) {
      lost++;
      if (lostSample.length < 5) lostSample.push(k);
    } else if (n > 1) duplicates += n - 1;
  }
  let unexpected = 0;
  for (const k of stored.counts.keys()) if (!seen.has(k)) unexpected++;
  return { expected, stored: stored.rows, duplicates, lost, unexpected, lostSample };
}

/** Rows of the append-only raw event table (`raw_events`), or null when the store has none. */
export async function countRawEvents(db: string): Promise<number | null> {
  if (db.startsWith('sqlite:')) {
    const conn = new Database(db.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    try {
      const has = conn.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'raw_events'").get();
      return has ? Number((conn.prepare('SELECT COUNT(*) AS n FROM raw_events').get() as { n: number }).n) : null;
    } finally {
      conn.close();
    }
  }
  const client = new Client({ connectionString: db });
  await client.connect();
  try {
    const has = await client.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'raw_events'");
    if (!has.rowCount) return null;
    return Number((await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM raw_events')).rows[0]?.n);
  } finally {
    await client.end();
  }
}

/**
 * What a load balancer's probe reads as the store's size: GET /health's `store.events` (one row kept
 * by the ingest transactions, docs/api.md "GET /health"), to hold against `countRawEvents`.
 */
export async function healthEventCount(url: string): Promise<number> {
  const body = (await (await fetch(`${url}/health`)).json()) as { store: { events: number } };
  return body.store.events;
}
