/**
 * `waspend invoice import` and `waspend rates import` against an embedded store that a running connector
 * is writing to. The test holds a write transaction open on the SQLite file (as a connector's re-pricing
 * or pulled-day commit does), starts the CLI, and lets go only once the CLI is seen waiting for the lock:
 * the CLI must wait and then store its file, not fail with "database is locked".
 *
 * "Seen waiting" is read from Linux's /proc/PID/wchan: SQLite's busy handler sleeps between retries
 * (`hrtimer_nanosleep`), while a node process that is working or idle is never in a sleep call. That is
 * a state to poll for, not a guess at how long the CLI needs. The lock is then held past the connector's
 * own busy timeout (5 s): a CLI that gave up as soon as the connector does would fail there.
 *
 * SQLite only: PostgreSQL has no file lock (a concurrent upsert waits on the row lock by itself).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BOTH_STORES } from '../helpers/both-stores';
import { createCliWorkspace, rateCardFixture, type CliWorkspace } from '../helpers/cli-workspace';
import { CLI, REPO_ROOT, runCli } from '../helpers/connector-harness';

jest.setTimeout(120_000);

const SQLITE = BOTH_STORES.find((e) => e.title === 'SQLite');
if (!SQLITE) throw new Error('both-stores.ts has no SQLite engine');
const A = '1029384756';
/** The connector's busy timeout (src/connector/store/sqlite/store.ts); the CLI must outlast it. */
const CONNECTOR_BUSY_MS = 5_000;

interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; out: string; err: string }>;
}

function startCli(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, out, err })),
  );
  return { child, exited };
}

/** Where the CLI's main thread sleeps in the kernel ('0' or '' when it runs), or null once it is gone. */
function wchan(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/wchan`, 'utf8');
  } catch {
    return null;
  }
}

/** Resolves once the CLI sleeps in SQLite's busy handler; rejects with its output if it exits first. */
async function waitingForLock(cli: Running): Promise<void> {
  let exit: { code: number | null; out: string; err: string } | null = null;
  void cli.exited.then((e) => (exit = e));
  for (;;) {
    if (exit)
      throw new Error(`the CLI exited (${(exit as { code: number }).code}) while the lock was held: ${(exit as { err: string }).err}`);
    const where = cli.child.pid === undefined ? null : wchan(cli.child.pid);
    if (where !== null && /nanosleep/.test(where)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Keeps the lock for `ms` more, failing at once if the CLI exits meanwhile (it gave up). */
async function holdWhileWaiting(cli: Running, ms: number): Promise<void> {
  const gaveUp = cli.exited.then((e) => {
    throw new Error(`the CLI gave up while the lock was held (exit ${e.code}): ${e.err}`);
  });
  await Promise.race([new Promise((r) => setTimeout(r, ms)), gaveUp]);
  void gaveUp.catch(() => undefined);
}

SQLITE.describe('a CLI import on a store the connector is writing to (SQLite)', () => {
  let workspace: CliWorkspace;
  let file: string;
  let holder: Database.Database | null = null;

  beforeAll(async () => {
    workspace = await createCliWorkspace(SQLITE, 'cli-busy', {
      wabas: [{ id: A, name: 'Sao Paulo', timezone: 'America/Sao_Paulo', currency: 'USD' }],
    });
    // Migrated and in WAL mode, as a running connector leaves it.
    await runCli(['invoice', 'import', csv('first.csv', `month,waba,currency,amount\n2026-01,${A},USD,1\n`), '--db', workspace.db]);
    file = workspace.db.slice('sqlite:'.length);
  });

  afterEach(() => {
    if (holder?.inTransaction) holder.exec('ROLLBACK');
    holder?.close();
    holder = null;
  });

  afterAll(async () => {
    await workspace?.remove();
  });

  function csv(name: string, text: string): string {
    const p = path.join(workspace.dir, name);
    fs.writeFileSync(p, text);
    return p;
  }

  /** A second writer on the file with the write lock taken and a row written, not yet committed. */
  function holdWriteLock(write: (db: Database.Database) => void): Database.Database {
    const db = new Database(file);
    db.exec('BEGIN IMMEDIATE');
    write(db);
    return db;
  }

  it('invoice import waits for the lock past the connector’s busy timeout, then stores its rows beside the other writer’s', async () => {
    const invoices = csv('march.csv', `month,waba,currency,amount\n2026-03,${A},USD,0.0705\n2026-01,${A},USD,2\n`);
    holder = holdWriteLock((db) =>
      db
        .prepare('INSERT INTO invoices (waba_id, month, currency, amount, source, entered_at_ms) VALUES (?, ?, ?, ?, ?, ?)')
        .run(A, '2026-02', 'USD', '0.5', 'api', 1),
    );
    const cli = startCli(['invoice', 'import', invoices, '--db', workspace.db]);
    await waitingForLock(cli);
    await holdWhileWaiting(cli, CONNECTOR_BUSY_MS + 1_000);
    holder.exec('COMMIT');
    const done = await cli.exited;
    expect({ code: done.code, out: done.out }).toEqual({
      code: 0,
      out: 'imported 2 invoices from march.csv (1 replaced an earlier entry)\n',
    });
    const rows = new Database(file, { readonly: true });
    try {
      expect(rows.prepare('SELECT month, amount, source FROM invoices ORDER BY month').all()).toEqual([
        { month: '2026-01', amount: '2', source: 'cli' },
        { month: '2026-02', amount: '0.5', source: 'api' },
        { month: '2026-03', amount: '0.0705', source: 'cli' },
      ]);
    } finally {
      rows.close();
    }
  });

  it('rates import waits for the lock past the connector’s busy timeout, then stores the card', async () => {
    holder = holdWriteLock((db) =>
      db
        .prepare('INSERT INTO invoices (waba_id, month, currency, amount, source, entered_at_ms) VALUES (?, ?, ?, ?, ?, ?)')
        .run(A, '2025-12', 'USD', '3', 'api', 1),
    );
    const card = rateCardFixture('usd-rates-2026-04-invented.csv');
    const cli = startCli(['rates', 'import', card, '--effective', '2026-03-01', '--db', workspace.db]);
    await waitingForLock(cli);
    await holdWhileWaiting(cli, CONNECTOR_BUSY_MS + 1_000);
    holder.exec('COMMIT');
    const done = await cli.exited;
    expect(done.code).toBe(0);
    expect(done.out).toMatch(/^imported rates usd-rates-2026-04-invented\.csv: USD, effective 2026-03-01, /);
    const rows = new Database(file, { readonly: true });
    try {
      expect(rows.prepare("SELECT kind, currency, effective_from FROM rate_files WHERE kind = 'rates'").all()).toEqual([
        { kind: 'rates', currency: 'USD', effective_from: '2026-03-01' },
      ]);
      expect(rows.prepare("SELECT amount FROM invoices WHERE month = '2025-12'").all()).toEqual([{ amount: '3' }]);
    } finally {
      rows.close();
    }
  });
});
