import type { PoolClient } from 'pg';

/*
 * An ingest transaction's round trips are most of its time (each statement waits for the server on a
 * busy machine, and the next group of webhooks waits for the transaction), so the ingest sends what
 * it can together: the writes whose results it does not read as one statement of data-modifying
 * CTEs, and each "create the rows, then lock them" pair as one statement (docs/performance.md,
 * "PostgreSQL ingest in seven statements").
 */

/** `unnest($from::t1[], $from+1::t2[], ...)`: rows passed as one array per column. */
export function unnestOf(types: readonly string[], from = 1): string {
  return `unnest(${types.map((t, i) => `$${i + from}::${t}[]`).join(', ')})`;
}

/** Column-wise arrays of the rows, for `unnestOf`. */
export function columns(rows: readonly (readonly unknown[])[], width: number): unknown[][] {
  const cols: unknown[][] = Array.from({ length: width }, () => []);
  for (const r of rows) for (let i = 0; i < width; i++) (cols[i] as unknown[]).push(r[i] ?? null);
  return cols;
}

/** A statement whose placeholders start at `from` (so that several can share one parameter list). */
export interface Part {
  sql: (from: number) => string;
  args: readonly unknown[];
}

/**
 * Writes the transaction does not read back, sent as `WITH w1 AS (...), w2 AS (...) SELECT 1`.
 * PostgreSQL runs every data-modifying CTE to completion, all on one snapshot: no part may depend on
 * another's effect, nor touch a row another part touches (every part here writes a table of its own).
 * A statement that must see the parts' effects goes in `after`, run once they are done.
 */
export class BatchedWrites {
  private readonly parts: string[] = [];
  private readonly args: unknown[] = [];
  private readonly later: Part[] = [];

  add(part: Part): void {
    this.parts.push(`w${this.parts.length + 1} AS (${part.sql(this.args.length + 1)})`);
    this.args.push(...part.args);
  }

  after(part: Part): void {
    this.later.push(part);
  }

  async send(c: PoolClient): Promise<void> {
    if (this.parts.length > 0) await c.query(`WITH ${this.parts.join(',\n')}\nSELECT 1`, this.args);
    for (const p of this.later) await c.query(p.sql(1), [...p.args]);
  }
}

/**
 * Creates the rows of `rows` that are missing (so there is something to lock) and locks every one,
 * in key order, in one statement: the rows it creates come back from its INSERT, the others from its
 * SELECT ... FOR UPDATE. A row another transaction created and committed while the INSERT waited for
 * it is in neither (the SELECT's snapshot is older than that commit): those are locked by a second
 * statement, which sees them. `rows` are key values then the other inserted values, in key order.
 * Returns the locked rows by the JSON array of their key values.
 */
export async function createAndLock(
  c: PoolClient,
  table: string,
  keyColumns: readonly string[],
  insertColumns: readonly string[],
  types: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  if (rows.length === 0) return out;
  const keyOf = (r: Record<string, unknown>) => JSON.stringify(keyColumns.map((k) => r[k]));
  const keyList = keyColumns.join(', ');
  // The key's arrays are the first parameters of the INSERT, so the lock reads them from the same list.
  const match =
    keyColumns.length === 1
      ? `${keyList} = ANY($1::${types[0]}[])`
      : `(${keyList}) IN (SELECT * FROM ${unnestOf(types.slice(0, keyColumns.length))})`;
  const locked = await c.query<Record<string, unknown>>(
    `WITH ins AS (INSERT INTO ${table} (${insertColumns.join(', ')}) SELECT * FROM ${unnestOf(types)} ON CONFLICT DO NOTHING RETURNING *),
     sel AS (SELECT * FROM ${table} WHERE ${match} ORDER BY ${keyList} FOR UPDATE)
     SELECT * FROM ins UNION ALL SELECT * FROM sel`,
    columns(rows, insertColumns.length),
  );
  for (const r of locked.rows) out.set(keyOf(r), r);
  const missing = rows.map((r) => r.slice(0, keyColumns.length)).filter((k) => !out.has(JSON.stringify(k)));
  if (missing.length === 0) return out;
  const again = await c.query<Record<string, unknown>>(
    `SELECT * FROM ${table} WHERE ${match} ORDER BY ${keyList} FOR UPDATE`,
    columns(missing, keyColumns.length),
  );
  for (const r of again.rows) out.set(keyOf(r), r);
  return out;
}
