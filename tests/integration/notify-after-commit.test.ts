/**
 * Issue 13 item 7 (several replicas on one PostgreSQL): the replicas' ingest commits must not take
 * turns on PostgreSQL's notification lock. A transaction that queued a NOTIFY takes a lock for the
 * whole cluster in its pre-commit and keeps it until its commit is over (async.c, PreCommit_Notify),
 * so ingest sends its change notice after the commit, as a statement of its own, at most one in
 * flight per store (store/postgres/change-feed.ts, AfterCommitNotices; docs/replicas.md).
 *
 * To hold a commit in the middle, after that lock is taken, this suite starts its own cluster whose
 * `synchronous_standby_names` names a standby that never connects: a commit that wrote WAL under
 * `synchronous_commit = on` then waits for it (wait event SyncRep) with all its locks held, until the
 * test cancels the wait (`pg_cancel_backend`: the commit stands). Everything else runs with
 * `synchronous_commit = local` (the database's default here), which does not wait. The run's shared
 * cluster must not get that setting, hence a cluster of its own. Waits are bounded polls on
 * pg_stat_activity or on what a LISTEN connection heard, never sleeps.
 */
import { Client } from 'pg';
import { PgStore } from '../../src/connector/store';
import { statusEvents, statusObject } from '../store/store-suite';
import { requirePrerequisite } from '../helpers/prerequisites';

const { startCluster, stopCluster } = require('../helpers/postgres-cluster') as {
  startCluster(settings?: Record<string, string>): Promise<{ url: string } | null>;
  stopCluster(cluster: unknown): void;
};

const CHANNEL = 'waspend_changes';
const utility = { pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' } };
/** One delivered status of a message of its own, for WABA `waba`. */
const oneStatus = (waba: string, wamid: string) => statusEvents(waba, statusObject(wamid, 'delivered', '2025-07-10T12:00:00Z', utility));

/** Polls `cond` every 10 ms until it holds; fails after `withinMs` of real time, naming what did not happen. */
async function until(what: string, cond: () => boolean | Promise<boolean>, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `p`'s value, or a failure naming what did not happen within `withinMs`. */
async function within<T>(what: string, p: Promise<T>, withinMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${withinMs} ms: ${what}`)), withinMs);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

const postgres = requirePrerequisite('PostgreSQL');

postgres.describe('ingest change notices sent after the commit, on one PostgreSQL', () => {
  let cluster: { url: string } | null = null;
  let admin: Client;
  let dbCount = 0;
  let dbName: string;
  let dbUrl: string;
  let heldUrl: string;
  const open: { end(): Promise<unknown> }[] = [];
  let listener: Client;
  let heard: string[];

  /** The backend of this database whose commit waits for the standby, once there is one. */
  const syncRepWaiter = async (): Promise<number | null> => {
    const { rows } = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'SyncRep'", [
      dbName,
    ]);
    return rows.length === 1 ? rows[0]!.pid : null;
  };

  beforeAll(async () => {
    cluster = await startCluster({ synchronous_standby_names: 'waspend_no_such_standby' });
    if (!cluster) throw new Error("this suite starts a cluster of its own and needs PostgreSQL's initdb and pg_ctl (docs/testing.md)");
    admin = new Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('SET synchronous_commit = local');
  }, 120_000);

  afterAll(async () => {
    await admin?.end();
    if (cluster) stopCluster(cluster);
  });

  beforeEach(async () => {
    // A database per test, so each one's event count starts at nothing.
    dbName = `notices_${++dbCount}`;
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.query(`ALTER DATABASE ${dbName} SET synchronous_commit = local`);
    const u = new URL((cluster as { url: string }).url);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
    u.searchParams.set('options', '-c synchronous_commit=on');
    heldUrl = u.toString();
    heard = [];
    listener = new Client({ connectionString: dbUrl });
    await listener.connect();
    listener.on('notification', (n) => void (n.channel === CHANNEL && heard.push(n.payload ?? '')));
    await listener.query(`LISTEN ${CHANNEL}`);
    open.push(listener);
  });

  afterEach(async () => {
    // A failed test may leave a commit waiting for the standby: let it finish before closing.
    await admin.query("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'SyncRep'", [dbName]);
    for (const c of open.splice(0).reverse()) await c.end().catch(() => undefined);
  });

  it('an autocommit pg_notify does not wait for its commit record to be flushed or replicated', async () => {
    // Under synchronous_commit = on with a synchronous standby named that never comes, every commit
    // that must be flushed waits for ever; the notice's does not (it wrote no WAL but its commit record).
    const c = new Client({ connectionString: heldUrl });
    await c.connect();
    open.push(c);
    await within('the notice committed', c.query(`SELECT pg_notify('${CHANNEL}', 'ingest probe')`));
    await until('the notice heard', () => heard.includes('ingest probe'));
    // The same connection's write does wait: the setting is in force.
    const write = c.query('CREATE TABLE probe_write (x int)');
    await until('the write waiting for the standby', async () => (await syncRepWaiter()) !== null);
    await admin.query('SELECT pg_cancel_backend($1)', [await syncRepWaiter()]);
    await within('the write committed once its wait was cancelled', write);
  });

  it("B's ingest commits, is acknowledged and heard while A's ingest commit is held mid-commit", async () => {
    const b = await PgStore.open(dbUrl, { timezones: {} });
    open.push({ end: () => b.close() });
    // Opened after B migrated the database: A's opening writes nothing, so only its ingest waits.
    const a = await PgStore.open(heldUrl, { timezones: {} });
    open.push({ end: () => a.close() });

    let aDone = false;
    const aIngest = a.ingest(oneStatus('WA', 'wamid.A1'), Date.UTC(2025, 6, 10, 12, 1)).then((r) => {
      aDone = true;
      return r;
    });
    await until("A's ingest commit held (waiting for the standby)", async () => (await syncRepWaiter()) !== null);
    const aPid = await syncRepWaiter();

    // With the NOTIFY inside A's transaction, A would hold the notification lock here and B's commit
    // would wait for it: B would not be acknowledged until A's commit is over.
    const bResult = await within(
      "B's ingest acknowledged while A's commit is held",
      b.ingest(oneStatus('WB', 'wamid.B1'), Date.UTC(2025, 6, 10, 12, 2)),
    );
    expect(bResult).toEqual({ inserted: 1, duplicates: 0 });
    await until("B's notice heard while A's commit is held", () => heard.includes(`ingest ${b.changeOrigin}`));
    expect(aDone).toBe(false);
    expect(heard).not.toContain(`ingest ${a.changeOrigin}`);

    await admin.query('SELECT pg_cancel_backend($1)', [aPid]);
    expect(await within("A's ingest acknowledged once its wait was cancelled", aIngest)).toEqual({ inserted: 1, duplicates: 0 });
    await until("A's notice heard after its commit", () => heard.includes(`ingest ${a.changeOrigin}`));
    // One event from each replica, one notice from each.
    expect((await b.eventStats()).events).toBe(2);
    expect(heard.filter((p) => p.startsWith('ingest ')).sort()).toEqual([`ingest ${a.changeOrigin}`, `ingest ${b.changeOrigin}`].sort());
  });

  it('six commits while the first notice is stuck: all acknowledged at once, exactly two notices', async () => {
    const b = await PgStore.open(dbUrl, { timezones: {} });
    open.push({ end: () => b.close() });
    // Another transaction that queued a notification and is held mid-commit keeps the notification
    // lock (as a pull or a price file of another replica at its commit), so B's first notice waits.
    const blocker = new Client({ connectionString: heldUrl });
    await blocker.connect();
    open.push(blocker);
    await blocker.query('BEGIN');
    await blocker.query("SELECT pg_notify('waspend_other', 'held')");
    await blocker.query('CREATE TABLE blocker_write (x int)');
    const blockerCommit = blocker.query('COMMIT');
    await until('the blocker held mid-commit', async () => (await syncRepWaiter()) !== null);
    const blockerPid = await syncRepWaiter();

    const t = Date.UTC(2025, 6, 10, 13);
    expect(await within('the first ingest acknowledged', b.ingest(oneStatus('WB', 'wamid.C1'), t))).toEqual({ inserted: 1, duplicates: 0 });
    await until("B's first notice waiting for the notification lock", async () => {
      const { rows } = await admin.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND query LIKE 'SELECT pg_notify%'",
        [dbName],
      );
      return rows.length === 1;
    });
    for (let i = 2; i <= 6; i++) {
      const r = await within(`ingest ${i} acknowledged while the notice is stuck`, b.ingest(oneStatus('WB', `wamid.C${i}`), t + i));
      expect(r).toEqual({ inserted: 1, duplicates: 0 });
    }
    expect(b.ingestNotices.counts).toEqual({ sent: 0, failed: 0 });
    expect(heard).toEqual([]);

    await admin.query('SELECT pg_cancel_backend($1)', [blockerPid]);
    await within('the blocker committed', blockerCommit);
    await within("B's notices sent", b.ingestNotices.idle());
    expect(b.ingestNotices.counts).toEqual({ sent: 2, failed: 0 });
    // Notifications reach a listener in commit order: once this one is heard, every earlier one is.
    const probe = new Client({ connectionString: dbUrl });
    await probe.connect();
    open.push(probe);
    await probe.query(`SELECT pg_notify('${CHANNEL}', 'ingest last')`);
    await until('the last notification heard', () => heard.includes('ingest last'));
    expect(heard).toEqual([`ingest ${b.changeOrigin}`, `ingest ${b.changeOrigin}`, 'ingest last']);
    expect((await b.eventStats()).events).toBe(6);
  });
});
