/**
 * How replicas on one PostgreSQL database hear of each other's writes (docs/replicas.md, "What a
 * replica sees of the others"): every commit that changes what a panel shows is followed (ingest)
 * or accompanied (pulls, price files) by a `NOTIFY waspend_changes`, and each connector holds one
 * connection that LISTENs on that channel.
 */
import { Client, type ClientBase, type Notification, type Pool } from 'pg';

export const CHANGE_CHANNEL = 'waspend_changes';

/**
 * What changed. A prices change makes each replica read the stored price files again; the other two
 * only move the query caches' generation.
 */
export type ChangeKind = 'ingest' | 'prices' | 'pull';
const KINDS: readonly ChangeKind[] = ['ingest', 'prices', 'pull'];

/**
 * Queues the notification inside the caller's transaction: PostgreSQL delivers it only if the
 * transaction commits, and once per transaction however often it was queued. The payload is
 * `<kind> <origin>`, origin being the writing store's random id (PgStore.changeOrigin), so a
 * connector can tell its own writes, which it has already reacted to, from the others'.
 *
 * The price of that guarantee: a transaction that queued a notification takes a lock for the whole
 * cluster in its pre-commit and keeps it until its commit is flushed (PostgreSQL's async.c,
 * PreCommit_Notify), so such commits happen one at a time. Fine for pulls and price files, which are
 * rare; ingest, the hot path, uses AfterCommitNotices instead.
 */
export async function notifyChange(c: ClientBase, kind: ChangeKind, origin: string): Promise<void> {
  await c.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, `${kind} ${origin}`]);
}

/**
 * A replica's ingest notices, each sent after the commits it announces, as a statement of its own
 * (`SELECT pg_notify` in autocommit) so no ingest transaction takes the notification lock above.
 * That statement is a transaction with nothing but the notification: it still takes the lock, but it
 * writes no WAL besides its commit record, so PostgreSQL commits it without waiting for a flush (or a
 * synchronous standby) and holds the lock only for the moment it takes to queue the entry.
 *
 * At most one notice is in flight; any number of commits while it is make exactly one more after it
 * (every notice means "something changed up to now", so one covers them all). `committed()` neither
 * waits nor throws: the webhook's 200 never waits for a notice, and a failed notice goes to `onError`
 * (the next commit sends another; meanwhile the other replicas' caches expire, docs/replicas.md).
 */
export class AfterCommitNotices {
  private pending = false;
  private sending: Promise<void> | null = null;
  private closed = false;
  /** Notices sent and failed (tests). */
  readonly counts = { sent: 0, failed: 0 };

  constructor(
    private readonly send: () => Promise<unknown>,
    private readonly onError: (err: Error) => void,
  ) {}

  /** A change was committed: announce it (now, or after the notice in flight). */
  committed(): void {
    if (this.closed) return;
    this.pending = true;
    this.sending ??= this.drain();
  }

  /** Resolves when no notice is in flight or pending (after close, for good). */
  async idle(): Promise<void> {
    while (this.sending) await this.sending;
  }

  /** Sends what is pending, then stops taking commits. */
  async close(): Promise<void> {
    await this.idle();
    this.closed = true;
  }

  private async drain(): Promise<void> {
    // Checked and cleared with no await between the last check and the end, so a commit that comes
    // in while the last notice is answered either sees `sending` set (and is picked up by this loop)
    // or starts a new drain.
    while (this.pending) {
      this.pending = false;
      try {
        await this.send();
        this.counts.sent++;
      } catch (err) {
        this.counts.failed++;
        this.onError(err as Error);
      }
    }
    this.sending = null;
  }
}

/** One notice as its own autocommit statement on any connection of `pool` (see AfterCommitNotices). */
export function sendChange(pool: Pool, kind: ChangeKind, origin: string): Promise<unknown> {
  return pool.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, `${kind} ${origin}`]);
}

/** A payload as notifyChange writes it; null for anything else on the channel (ignored). */
export function parseChange(payload: string | undefined): { kind: ChangeKind; origin: string } | null {
  const [kind, origin, extra] = (payload ?? '').split(' ');
  if (extra !== undefined || !origin || !KINDS.includes(kind as ChangeKind)) return null;
  return { kind: kind as ChangeKind, origin };
}

export interface ChangeListenerHealth {
  /** listening: notifications arrive; reconnecting: the connection is down and the fallback refresh runs. */
  status: 'listening' | 'reconnecting';
  /** Reconnections since the start (the first connection is not one). */
  reconnects: number;
  /** When the connection was lost (epoch ms); null while listening. */
  downSince: number | null;
  lastError: string | null;
}

export interface ChangeListenerOptions {
  url: string;
  /** This connector's store's origin: its own notifications are counted and otherwise ignored. */
  origin: string;
  /** Another process's change, once per notification (keep it cheap: a flood calls it as often). */
  onChange(kind: ChangeKind): void;
  /**
   * Every `fallbackEveryMs` while the connection is down, and once when it is back (notifications
   * sent meanwhile are lost): react as if every kind of change had happened.
   */
  onUnknownChanges(): void;
  fallbackEveryMs?: number;
  /** How often the listening connection is asked `SELECT 1` (HEARTBEAT_EVERY_MS), and how long it has to answer. */
  heartbeatEveryMs?: number;
  heartbeatTimeoutMs?: number;
  onError?(err: Error): void;
  /** Tests only: awaited before each reconnection attempt, so a test can hold the listener down. */
  beforeReconnect?: () => Promise<void>;
}

/** While the listener is down, caches are moved on this period instead (see onUnknownChanges). */
export const FALLBACK_EVERY_MS = 1_000;
/**
 * A LISTEN connection only receives, so one cut without a FIN or RST (a NAT or balancer dropping an
 * idle flow) would look alive for ever; a query on this period finds out, and keeps the flow from
 * looking idle in the first place.
 */
export const HEARTBEAT_EVERY_MS = 30_000;
const HEARTBEAT_TIMEOUT_MS = 10_000;
const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 10_000;

/**
 * One dedicated connection LISTENing on CHANGE_CHANNEL, reconnected with back-off (200 ms doubling
 * up to 10 s) whenever it drops. It never fails the connector: a listener that cannot connect runs
 * the fallback refresh until it can.
 */
export class PgChangeListener {
  private client: Client | null = null;
  private status: ChangeListenerHealth['status'] = 'reconnecting';
  private reconnects = 0;
  private downSince: number | null = Date.now();
  private lastError: string | null = null;
  private attempt = 0;
  private closed = false;
  private everUp = false;
  private firstAttempt = true;
  private retryTimer: NodeJS.Timeout | null = null;
  private fallbackTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private connecting: Promise<void> | null = null;
  /** Notifications received, and how many of them were this connector's own (for tests and debugging). */
  readonly counts = { received: 0, own: 0 };

  constructor(private readonly opts: ChangeListenerOptions) {}

  /** Connects and LISTENs; resolves after the first attempt whatever its outcome (a failure retries in the background). */
  async start(): Promise<void> {
    this.startFallback();
    await this.connect();
  }

  health(): ChangeListenerHealth {
    return { status: this.status, reconnects: this.reconnects, downSince: this.downSince, lastError: this.lastError };
  }

  /** The backend process id of the listening connection (tests terminate it); null while down. */
  backendPid(): number | null {
    return this.status === 'listening' ? ((this.client as unknown as { processID?: number } | null)?.processID ?? null) : null;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stopFallback();
    this.stopHeartbeat();
    await this.connecting?.catch(() => undefined);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    const run = async () => {
      // keepAlive: a connection cut without a FIN (a NAT or balancer timing it out) is noticed by TCP.
      const client = new Client({
        connectionString: this.opts.url,
        application_name: 'waspend change listener',
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
        connectionTimeoutMillis: 10_000,
      });
      client.on('notification', (n) => this.notified(n));
      // 'error' and 'end' both come when the server ends the connection; lost() acts once per client.
      client.on('error', (err) => this.lost(client, err));
      client.on('end', () => this.lost(client, new Error('the listening connection ended')));
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      } catch (err) {
        await client.end().catch(() => undefined);
        this.firstAttempt = false;
        this.failedAttempt(err as Error);
        return;
      }
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.status = 'listening';
      this.downSince = null;
      this.attempt = 0;
      this.stopFallback();
      this.startHeartbeat(client);
      if (this.everUp) this.reconnects++;
      this.everUp = true;
      const first = this.firstAttempt;
      this.firstAttempt = false;
      // Whatever was committed while nobody listened was not announced: treat it as changed. At the
      // start there is nothing to catch up with: the caches are empty and the book was just loaded.
      if (!first) this.opts.onUnknownChanges();
    };
    this.connecting = run().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private notified(n: Notification): void {
    if (n.channel !== CHANGE_CHANNEL) return;
    const change = parseChange(n.payload);
    if (!change) return;
    this.counts.received++;
    // Our own commits already moved the caches (the writer's signal, pulls), and a replica must not
    // pay twice for its own writes. A price file stored through our own store is the exception: it
    // may come from anywhere in the process (a test, a CLI-like caller), and nothing else reloads the book.
    if (change.origin === this.opts.origin) {
      this.counts.own++;
      if (change.kind !== 'prices') return;
    }
    this.opts.onChange(change.kind);
  }

  private lost(client: Client, err: Error): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    this.stopHeartbeat();
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    this.status = 'reconnecting';
    this.downSince = Date.now();
    this.lastError = err.message;
    this.opts.onError?.(err);
    this.startFallback();
    this.scheduleRetry();
  }

  private failedAttempt(err: Error): void {
    this.lastError = err.message;
    this.opts.onError?.(err);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.attempt);
    this.attempt++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void (async () => {
        await this.opts.beforeReconnect?.();
        if (!this.closed) await this.connect();
      })();
    }, delay);
    this.retryTimer.unref();
  }

  private startHeartbeat(client: Client): void {
    const timeoutMs = this.opts.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS;
    let inFlight = false;
    this.heartbeatTimer = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      let timer: NodeJS.Timeout | undefined;
      const silent = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the listening connection did not answer a heartbeat within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      Promise.race([client.query('SELECT 1'), silent])
        .catch((err: Error) => this.lost(client, err))
        .finally(() => {
          clearTimeout(timer);
          inFlight = false;
        });
    }, this.opts.heartbeatEveryMs ?? HEARTBEAT_EVERY_MS);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private startFallback(): void {
    if (this.fallbackTimer || this.closed) return;
    this.fallbackTimer = setInterval(() => this.opts.onUnknownChanges(), this.opts.fallbackEveryMs ?? FALLBACK_EVERY_MS);
    this.fallbackTimer.unref();
  }

  private stopFallback(): void {
    if (this.fallbackTimer) clearInterval(this.fallbackTimer);
    this.fallbackTimer = null;
  }
}
