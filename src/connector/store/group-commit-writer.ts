import type { WebhookEvent } from '../ingest';
import type { Store } from './store';

/** Told after each commit, with the events it made durable (duplicates of stored events included). */
export type CommitListener = (events: readonly WebhookEvent[]) => void;

interface Pending {
  events: readonly WebhookEvent[];
  receivedAtMs: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** The most events in one group (a single larger request goes alone). Default 500. */
  maxEvents?: number;
  /**
   * How long a group that follows another straight away waits for more requests before it commits;
   * 0 (the default) takes it at once. The first group after an idle moment never waits, so a lone
   * webhook is not delayed. For a store whose commits leave the event loop free (PostgreSQL): see
   * `FOLLOW_LINGER_MS` in runtime/connector.ts.
   */
  followLingerMs?: number;
}

/**
 * Group commit: requests that arrive in the same event-loop turn share one transaction, so one
 * fsync covers many webhooks under load while a lone webhook still commits at the end of its turn.
 * A group holds at most `maxEvents` events (a single larger request goes alone). Each caller's
 * promise resolves only after its events are committed. If a group's transaction fails, its
 * requests are retried one by one so that one bad request cannot fail its neighbours.
 *
 * The writer is also where "stored data changed" comes from: `onCommitted` listeners (the query
 * caches' generation) hear of every commit before its callers' promises resolve, so a webhook's 200
 * is never sent while a cache still predates its events, whoever else is observing the route.
 */
export class GroupCommitWriter {
  private queue: Pending[] = [];
  private readonly listeners = new Set<CommitListener>();
  private scheduled = false;
  private running: Promise<void> | null = null;

  private readonly maxEvents: number;
  private readonly followLingerMs: number;

  constructor(
    private readonly store: Store,
    options: GroupCommitOptions = {},
  ) {
    this.maxEvents = options.maxEvents ?? 500;
    this.followLingerMs = options.followLingerMs ?? 0;
  }

  write(events: readonly WebhookEvent[], receivedAtMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, receivedAtMs, resolve, reject });
      this.schedule();
    });
  }

  /** Calls `listener` after every commit from now on; returns the function that stops it. */
  onCommitted(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Resolves once everything written so far is committed (for shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.running || this.scheduled) {
      if (this.running) await this.running;
      else await new Promise<void>((r) => setImmediate(r));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.flushAll().finally(() => {
        this.running = null;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private takeGroup(): Pending[] {
    const group: Pending[] = [];
    let n = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Pending;
      if (group.length > 0 && n + next.events.length > this.maxEvents) break;
      group.push(next);
      n += next.events.length;
      this.queue.shift();
    }
    return group;
  }

  private async flushAll(): Promise<void> {
    let following = false;
    while (this.queue.length > 0) {
      // Under load the requests the last commit answered come back a moment later: waiting for them
      // makes one group where there would be two halves taking turns (docs/performance.md,
      // "Fewer b-trees per commit, and groups that wait a moment").
      if (following && this.followLingerMs > 0 && this.queuedEvents() < this.maxEvents)
        await new Promise((resolve) => setTimeout(resolve, this.followLingerMs));
      following = true;
      await this.commitGroup(this.takeGroup());
    }
  }

  private queuedEvents(): number {
    let n = 0;
    for (const p of this.queue) n += p.events.length;
    return n;
  }

  private async commitGroup(group: Pending[]): Promise<void> {
    if (group.length === 1) return this.commitOne(group[0] as Pending);
    const events = group.flatMap((p) => p.events);
    try {
      // One receive time for the group: the latest, so no event is dated before it arrived.
      await this.store.ingest(events, Math.max(...group.map((p) => p.receivedAtMs)));
    } catch {
      for (const p of group) await this.commitOne(p);
      return;
    }
    this.committed(events);
    for (const p of group) p.resolve();
  }

  private async commitOne(p: Pending): Promise<void> {
    try {
      await this.store.ingest(p.events, p.receivedAtMs);
    } catch (err) {
      p.reject(err);
      return;
    }
    this.committed(p.events);
    p.resolve();
  }

  /** The events are durable whatever a listener does: a throwing listener fails neither the write nor the others. */
  private committed(events: readonly WebhookEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch {
        // Nothing to undo: the commit stands, and the caller is owed its acknowledgement.
      }
    }
  }
}
