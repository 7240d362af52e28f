import type { PullStatus, PullWabaConfig } from './pull-types';
import type { SourceDefinition } from './source-context';

/** The schedule and /health status of one (WABA, source) pair. */
export class TaskState {
  failures = 0;
  nextAttemptAt: number | null = 0;
  private status: PullStatus;

  constructor(
    readonly waba: PullWabaConfig,
    readonly def: SourceDefinition,
    readonly enabled: boolean,
    private readonly onStatus?: (status: PullStatus) => void,
  ) {
    this.status = {
      wabaId: waba.id,
      source: def.source,
      status: enabled ? 'idle' : 'disabled',
      lastSuccessAt: null,
      lastError: null,
      nextAttemptAt: null,
    };
    if (!enabled) this.nextAttemptAt = null;
  }

  isDue(now: number): boolean {
    return this.enabled && this.nextAttemptAt !== null && this.nextAttemptAt <= now;
  }

  /** `pulled` false: nothing was due (e.g. conversation history already complete). */
  succeeded(now: number, pulled: boolean, next: number): void {
    this.failures = 0;
    this.nextAttemptAt = next;
    const hadSuccess = this.status.lastSuccessAt !== null;
    this.update({
      status: pulled || hadSuccess ? 'ok' : 'idle',
      lastSuccessAt: pulled || hadSuccess ? now : null,
      lastError: null,
      nextAttemptAt: next,
    });
  }

  /** `next` null parks the task (auth failure): no retry until the config is fixed. */
  failed(message: string, next: number | null): void {
    this.failures++;
    this.nextAttemptAt = next;
    this.update({ status: 'failing', lastError: message, nextAttemptAt: next });
  }

  publish(): void {
    this.onStatus?.(this.snapshot());
  }

  snapshot(): PullStatus {
    return { ...this.status };
  }

  private update(patch: Partial<PullStatus>): void {
    this.status = { ...this.status, ...patch };
    this.publish();
  }
}
