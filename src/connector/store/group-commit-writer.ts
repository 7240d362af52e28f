import type { WebhookEvent } from '../ingest';
import type { Store } from './store';

interface Pending {
  events: readonly WebhookEvent[];
  receivedAtMs: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: requests that arrive in the same event-loop turn share one transaction, so one
 * fsync covers many webhooks under load while a lone webhook still commits at the end of its turn.
 * A group holds at most `maxEvents` events (a single larger request goes alone). Each caller's
 * promise resolves only after its events are committed. If a group's transaction fails, its
 * requests are retried one by one so that one bad request cannot fail its neighbours.
 */
export class GroupCommitWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly maxEvents = 500,
  ) {}

  write(events: readonly WebhookEvent[], receivedAtMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, receivedAtMs, resolve, reject });
      this.schedule();
    });
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
    while (this.queue.length > 0) await this.commitGroup(this.takeGroup());
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
    for (const p of group) p.resolve();
  }

  private async commitOne(p: Pending): Promise<void> {
    try {
      await this.store.ingest(p.events, p.receivedAtMs);
      p.resolve();
    } catch (err) {
      p.reject(err);
    }
  }
}
