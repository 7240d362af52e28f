import { backoffDelayMs, parseRetryAfterMs } from './backoff';
import { PullError } from './pull-error';
import type { FetchLike, PullClock, PullFailureReason, PullLogger, RetryPolicy } from './pull-types';
import { redactText, redactUrl } from './redact';

export interface HttpContext {
  fetch: FetchLike;
  clock: PullClock;
  retry: RetryPolicy;
  random: () => number;
  logger: PullLogger;
  /** Aborts in-flight requests and backoff sleeps when the scheduler stops. */
  signal?: AbortSignal;
  /** Called for every failed attempt, retried or not (feeds waspend_pull_failures_total). */
  onAttemptFailure?(error: PullError): void;
}

export interface JsonRequest {
  url: string;
  headers: Record<string, string>;
  /** Values that must never appear in an error or log line (the token, the API key). */
  secrets: string[];
  /** The message thrown for 401 / Graph code 190: names the config field to fix. */
  authMessage: string;
}

// Graph's own throttling codes (application, user, page and WABA-level rate limits).
const GRAPH_RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80007, 130429, 131056]);
// Graph codes for an invalid, expired or revoked token / missing permission on it.
const GRAPH_AUTH_CODES = new Set([102, 190, 463, 467]);

interface GraphErrorBody {
  message?: string;
  code?: number;
}

function graphErrorOf(text: string): GraphErrorBody | null {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (body && typeof body.error === 'object' && body.error !== null) return body.error as GraphErrorBody;
    if (body && typeof body.error === 'string') return { message: body.error };
  } catch {
    // not JSON: the status code alone decides
  }
  return null;
}

function classify(status: number, text: string, retryAfter: number | null, req: JsonRequest): PullError {
  const graph = graphErrorOf(text);
  const code = typeof graph?.code === 'number' ? graph.code : null;
  const upstream = redactText(String(graph?.message ?? text).slice(0, 300), req.secrets);
  const where = `${redactUrl(req.url.split('?')[0] ?? req.url)}`;
  if (status === 401 || (code !== null && GRAPH_AUTH_CODES.has(code))) {
    return new PullError(req.authMessage, { reason: 'auth', retryable: false, status, graphCode: code });
  }
  if (status === 429 || (code !== null && GRAPH_RATE_LIMIT_CODES.has(code))) {
    return new PullError(`upstream rate limit (HTTP ${status}) from ${where}: ${upstream}`, {
      reason: 'rate_limited',
      retryable: true,
      status,
      graphCode: code,
      retryAfterMs: retryAfter,
    });
  }
  if (status >= 500) {
    return new PullError(`upstream error HTTP ${status} from ${where}: ${upstream}`, {
      reason: 'server_error',
      retryable: true,
      status,
      graphCode: code,
      retryAfterMs: retryAfter,
    });
  }
  return new PullError(`upstream rejected the request (HTTP ${status}) at ${where}: ${upstream}`, {
    reason: 'client_error',
    retryable: false,
    status,
    graphCode: code,
  });
}

async function attemptOnce(req: JsonRequest, ctx: HttpContext): Promise<unknown> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('timeout'));
  }, ctx.retry.timeoutMs);
  timer.unref?.();
  const onStop = () => controller.abort(ctx.signal?.reason ?? new Error('stopped'));
  ctx.signal?.addEventListener('abort', onStop, { once: true });
  const where = redactUrl(req.url.split('?')[0] ?? req.url);
  try {
    const res = await ctx.fetch(req.url, { method: 'GET', headers: req.headers, signal: controller.signal });
    const text = await res.text();
    if (!res.ok) throw classify(res.status, text, parseRetryAfterMs(res.headers.get('retry-after'), ctx.clock.now()), req);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new PullError(`truncated or invalid JSON (${text.length} bytes) from ${where}`, {
        reason: 'bad_response',
        retryable: true,
        status: res.status,
      });
    }
  } catch (error) {
    if (error instanceof PullError) throw error;
    if (ctx.signal?.aborted) throw error;
    const reason: PullFailureReason = timedOut ? 'timeout' : 'network';
    const detail = timedOut
      ? `no answer within ${ctx.retry.timeoutMs} ms`
      : redactText(String((error as Error)?.message ?? error), req.secrets);
    throw new PullError(`${reason === 'timeout' ? 'timeout' : 'network error'} calling ${where}: ${detail}`, { reason, retryable: true });
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener('abort', onStop);
  }
}

/**
 * GET a JSON document with retries: 429, 5xx, Graph throttling codes, timeouts, network errors and
 * truncated JSON back off exponentially with jitter (Retry-After honoured); auth failures and other
 * 4xx are thrown at once. A Retry-After longer than the policy's cap is not waited out here: the
 * error is thrown and the scheduler plans the next run after it.
 */
export async function requestJson(req: JsonRequest, ctx: HttpContext): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptOnce(req, ctx);
    } catch (error) {
      if (!(error instanceof PullError)) throw error;
      ctx.onAttemptFailure?.(error);
      const last = attempt >= ctx.retry.maxAttempts;
      if (!error.retryable || last || (error.retryAfterMs !== null && error.retryAfterMs > ctx.retry.maxDelayMs)) throw error;
      const delayMs = Math.min(ctx.retry.maxDelayMs, Math.max(error.retryAfterMs ?? 0, backoffDelayMs(attempt, ctx.retry, ctx.random)));
      ctx.logger.warn({ url: redactUrl(req.url), attempt, reason: error.reason, delayMs }, 'pull request failed, backing off');
      await ctx.clock.sleep(delayMs, ctx.signal);
    }
  }
}
