import type { PullSource } from './pull-sink';

/** What a puller needs to know about one WABA; the connector maps its config (wabas[i]) onto this. */
export interface PullWabaConfig {
  id: string;
  /** IANA zone: Meta's DAILY buckets and our cursors are WABA-local days. */
  timezone: string;
  /** Configured billing currency; used when Meta's `currency` field cannot be read. */
  currency: string;
  /** Position in the config's `wabas[]`, for error messages that say what to fix. */
  configIndex: number;
  meta?: {
    token: string;
    /** Graph API version, e.g. "v25.0". */
    apiVersion?: string;
  };
  d360?: {
    partnerId: string;
    clientId: string;
    apiKey: string;
    /** 360Dialog channels (phone numbers) of this WABA; phoneNumberId maps a channel to Meta's id. */
    channels: { id: string; phoneNumberId?: string }[];
  };
}

export type PullState = 'ok' | 'failing' | 'idle' | 'disabled';

/** One (WABA, source) line of /health (contract: healthResponse.pulls). */
export interface PullStatus {
  wabaId: string;
  source: PullSource;
  status: PullState;
  lastSuccessAt: number | null;
  lastError: string | null;
  nextAttemptAt: number | null;
}

/** Why a pull attempt failed; the `reason` label of waspend_pull_failures_total. */
export type PullFailureReason =
  'rate_limited' | 'server_error' | 'timeout' | 'bad_response' | 'network' | 'auth' | 'client_error' | 'store';

/** Time is injected so tests never sleep: `sleep` may resolve at once and move `now` forward. */
export interface PullClock {
  now(): number;
  /** Resolves after `ms` (or rejects when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** pino-compatible subset. Never pass a token in either argument. */
export interface PullLogger {
  debug?(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface RetryPolicy {
  /** Attempts per HTTP request, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per-request timeout (headers and body). */
  timeoutMs: number;
}

export interface PullOptions {
  graphBaseUrl: string;
  graphApiVersion: string;
  d360BaseUrl: string;
  /** Days before today pulled by the first run of a source. */
  backfillDays: number;
  /** Absolute first day (YYYY-MM-DD) of the first run; overrides backfillDays when set. */
  backfillFrom: string | null;
  /** Complete days re-pulled on every run because Meta revises its figures. */
  repullDays: number;
  /** Meta's analytics lookback (days); nothing older is requested. */
  lookbackDays: number;
  /** Widest range requested at once; a long backfill is split and committed chunk by chunk. */
  maxDaysPerRequest: number;
  /** Pause between successful runs of a source. */
  intervalMs: number;
  /** Pause after a failed run grows from this... */
  failureBackoffMs: number;
  /** ...up to this. */
  maxFailureBackoffMs: number;
  /** Pages followed per request (Graph `paging.next`). */
  maxPages: number;
  retry: RetryPolicy;
}

export const DEFAULT_PULL_OPTIONS: PullOptions = {
  graphBaseUrl: 'https://graph.facebook.com',
  graphApiVersion: 'v25.0',
  d360BaseUrl: 'https://hub.360dialog.io/api/v2',
  backfillDays: 90,
  backfillFrom: null,
  repullDays: 3,
  lookbackDays: 365,
  maxDaysPerRequest: 31,
  intervalMs: 60 * 60 * 1000,
  failureBackoffMs: 60 * 1000,
  maxFailureBackoffMs: 60 * 60 * 1000,
  maxPages: 200,
  retry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000, timeoutMs: 30_000 },
};

/** Merges partial options (nested retry included) over the defaults. */
export function resolvePullOptions(partial: Partial<Omit<PullOptions, 'retry'>> & { retry?: Partial<RetryPolicy> } = {}): PullOptions {
  return { ...DEFAULT_PULL_OPTIONS, ...partial, retry: { ...DEFAULT_PULL_OPTIONS.retry, ...partial.retry } };
}

/** The real clock: setTimeout-based sleep that an AbortSignal cancels. */
export const systemClock: PullClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
