/**
 * GET /health costs the same whatever the store holds (issue 13 items 5 and 7: load balancers probe
 * every few seconds a store of ~27M raw events). Every SQL statement one probe runs is caught as it
 * runs (better-sqlite3's statements, the pg client under the store's pool), then the engine's own
 * planner says what each reads: the probe must run the reachability round trip and the read of
 * raw_event_stats (migrations 015, 016: at most sixteen rows, 1 to 16 by its CHECK, SQLite by its
 * primary key), and read no other table. The body's figures are the ones counted by hand from what
 * was ingested; on PostgreSQL they lie in two slots (one ingest is held open while another stores
 * and commits), and the probe sums them. No timing: statements and plans only.
 */
import type { FastifyInstance } from 'fastify';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { healthResponse } from '../../src/contract';
import { buildApp } from '../../src/connector/http';
import type { ConnectorStore, PgStoreOptions } from '../../src/connector/store';
import { describeOnBothStores } from '../helpers/both-stores';
import { statusEvents, statusObject } from '../store/store-suite';

/** One statement the probe ran, with what its engine's planner says it reads. */
interface Ran {
  sql: string;
  /** Tables the plan reads; for SQLite also how (`SCAN t` or `SEARCH t USING ...`). */
  reads: () => Promise<{ tables: string[]; steps: string[] }>;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** Replaces `obj[name]` by a recorder that calls the original; returns the undo. */
function wrap(obj: Record<string, unknown>, name: string, record: (self: unknown, args: unknown[]) => void): () => void {
  const original = obj[name] as Method;
  obj[name] = function (this: unknown, ...args: unknown[]) {
    record(this, args);
    return original.apply(this, args);
  };
  return () => {
    obj[name] = original;
  };
}

interface SqliteStatement {
  source: string;
  database: Database.Database;
}

/** Nodes of a PostgreSQL JSON plan, depth first. */
function planNodes(node: Record<string, unknown>): Record<string, unknown>[] {
  const kids = (node['Plans'] as Record<string, unknown>[] | undefined) ?? [];
  return [node, ...kids.flatMap(planNodes)];
}

/** Runs `fn` and returns every statement it ran on either engine. */
async function statementsOf(fn: () => Promise<void>): Promise<Ran[]> {
  const ran: Ran[] = [];
  const scratch = new Database(':memory:');
  const statementProto = Object.getPrototypeOf(scratch.prepare('SELECT 1')) as Record<string, unknown>;
  scratch.close();
  const undo: (() => void)[] = [];
  for (const m of ['run', 'get', 'all', 'iterate'])
    undo.push(
      wrap(statementProto, m, (self, args) => {
        const st = self as SqliteStatement;
        ran.push({
          sql: st.source,
          reads: async () => {
            const plan = st.database.prepare(`EXPLAIN QUERY PLAN ${st.source}`).all(...args) as { detail: string }[];
            const steps = plan.map((p) => p.detail);
            const tables = steps.flatMap((d) => /^(?:SCAN|SEARCH) (?!CONSTANT ROW)(\S+)/.exec(d)?.slice(1) ?? []);
            return { tables, steps };
          },
        });
      }),
    );
  for (const m of ['exec', 'pragma'])
    undo.push(
      wrap(Database.prototype as unknown as Record<string, unknown>, m, (_self, args) => {
        ran.push({ sql: String(args[0]), reads: async () => ({ tables: ['(not explained)'], steps: [] }) });
      }),
    );
  undo.push(
    wrap(Client.prototype as unknown as Record<string, unknown>, 'query', (self, args) => {
      const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string }).text);
      const values = Array.isArray(args[1]) ? args[1] : [];
      ran.push({
        sql: text,
        reads: async () => {
          const res = await (self as Client).query<{ 'QUERY PLAN': { Plan: Record<string, unknown> }[] }>(
            `EXPLAIN (FORMAT JSON) ${text}`,
            values,
          );
          const nodes = planNodes((res.rows[0]?.['QUERY PLAN'][0]?.Plan ?? {}) as Record<string, unknown>);
          const tables = nodes.flatMap((n) => (typeof n['Relation Name'] === 'string' ? [n['Relation Name']] : []));
          return { tables, steps: nodes.map((n) => String(n['Node Type'])) };
        },
      });
    }),
  );
  try {
    await fn();
  } finally {
    for (const u of undo.reverse()) u();
  }
  return ran;
}

describeOnBothStores('GET /health reads no table that grows with the store', (open) => {
  let store: ConnectorStore;
  let app: FastifyInstance;
  let base: string;
  // PostgreSQL only (PgStoreOptions.beforeIngestCommit): the next ingest that stores an event waits here before COMMIT.
  let hold: { reached: () => void; gate: Promise<void> } | null = null;
  beforeEach(async () => {
    const options: PgStoreOptions = {
      timezones: { W1: 'UTC' },
      beforeIngestCommit: async () => {
        const h = hold;
        hold = null;
        if (!h) return;
        h.reached();
        await h.gate;
      },
    };
    store = await open(options);
    app = await buildApp({ store, version: '9.9.9' });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  it('runs the round trip and the read of the slots, and answers the events counted by hand', async () => {
    // 150 messages, sent and delivered: 300 events; the sent statuses again: 150 duplicates, not stored.
    const sent = Array.from({ length: 150 }, (_, i) => statusObject(`m${i}`, 'sent', '2025-07-10T10:00:00Z'));
    const delivered = Array.from({ length: 150 }, (_, i) => statusObject(`m${i}`, 'delivered', '2025-07-10T10:00:05Z'));
    const others = Array.from({ length: 150 }, (_, i) => statusObject(`n${i}`, 'sent', '2025-07-11T10:00:00Z'));
    if (store.kind === 'postgres') {
      // 150 other messages' sent statuses, held open after their count (slot 1) while the 150 sent of m0..m149
      // are stored and committed, necessarily in another slot; then committed too.
      let release: () => void = () => undefined;
      const atCount = new Promise<void>((reached) => {
        hold = { reached, gate: new Promise<void>((resolve) => (release = resolve)) };
      });
      const first = store.ingest(statusEvents('W1', ...others), 500);
      await atCount;
      try {
        await store.ingest(statusEvents('W1', ...sent), 1_000);
      } finally {
        release();
      }
      expect(await first).toEqual({ inserted: 150, duplicates: 0 });
    } else {
      await store.ingest(statusEvents('W1', ...others), 500);
      await store.ingest(statusEvents('W1', ...sent), 1_000);
    }
    await store.ingest(statusEvents('W1', ...delivered), 2_000);
    await store.ingest(statusEvents('W1', ...sent, ...others), 3_000);

    let status = 0;
    let text = '';
    const ran = await statementsOf(async () => {
      const res = await fetch(`${base}/health`);
      status = res.status;
      text = await res.text();
    });
    expect(status).toBe(200);
    // 150 others + 150 sent + 150 delivered; the replays of both add nothing and receive nothing after 2,000.
    expect(healthResponse.parse(JSON.parse(text)).store).toEqual({ ok: true, kind: store.kind, events: 450, lastEventAt: 2_000 });

    const plans = [];
    for (const r of ran) plans.push({ sql: r.sql, ...(await r.reads()) });
    // Named with their SQL and plan steps, so a failure shows what the probe ran.
    expect(plans.map((p) => ({ sql: p.sql, tables: p.tables }))).toEqual([
      { sql: 'SELECT 1', tables: [] },
      { sql: expect.stringContaining('FROM raw_event_stats'), tables: ['raw_event_stats'] },
    ]);
    if (store.kind === 'sqlite') {
      // By its primary key, 1 to 16: the slots, not a walk of the table.
      expect(plans[1]?.steps).toEqual([
        expect.stringMatching(/^SEARCH raw_event_stats USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/),
      ]);
    }
  });
});
