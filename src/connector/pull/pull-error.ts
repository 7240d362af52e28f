import type { PullFailureReason } from './pull-types';

/**
 * A failed pull request. `retryable` decides whether the HTTP layer backs off and tries again;
 * `upstream` marks errors that Meta or 360Dialog returned (as opposed to ours). Messages never
 * contain a token: they are built from redacted URLs and redacted upstream text.
 */
export class PullError extends Error {
  readonly reason: PullFailureReason;
  readonly retryable: boolean;
  readonly status: number | null;
  /** Graph error code (190 = expired/invalid token, 100 = invalid parameter), when Meta sent one. */
  readonly graphCode: number | null;
  /** Seconds the upstream asked us to wait (Retry-After), when given. */
  readonly retryAfterMs: number | null;

  constructor(
    message: string,
    options: {
      reason: PullFailureReason;
      retryable: boolean;
      status?: number | null;
      graphCode?: number | null;
      retryAfterMs?: number | null;
    },
  ) {
    super(message);
    this.name = 'PullError';
    this.reason = options.reason;
    this.retryable = options.retryable;
    this.status = options.status ?? null;
    this.graphCode = options.graphCode ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

export function isPullError(error: unknown): error is PullError {
  return error instanceof PullError;
}
