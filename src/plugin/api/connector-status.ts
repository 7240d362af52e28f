import { errorResponse, healthResponse } from '@contract';

export interface StatusMessage {
  status: 'success' | 'warning' | 'error';
  message: string;
}

/**
 * What "Save & test" says about a /health answer. A connector with an empty store is reachable
 * and authorised but has nothing to chart yet, which users mistake for a broken plugin.
 */
export function describeHealth(body: unknown): StatusMessage {
  const parsed = healthResponse.safeParse(body);
  if (!parsed.success)
    return { status: 'error', message: 'The URL answered, but not like a waspend connector (/health returned something else).' };
  const h = parsed.data;
  if (!h.store.ok)
    return {
      status: 'error',
      message: `Connector ${h.version} cannot read its ${h.store.kind} store: ${h.store.error ?? 'unknown error'}`,
    };
  const failing = h.pulls.filter((p) => p.status === 'failing');
  if (h.store.events === 0)
    return { status: 'warning', message: `Connected to connector ${h.version}, but it has no data yet: send webhooks or run a pull.` };
  if (failing.length) {
    const first = failing[0]!;
    return {
      status: 'warning',
      message: `Connected; ${failing.length} pull(s) failing (WABA ${first.wabaId}: ${first.lastError ?? 'no detail'}).`,
    };
  }
  return { status: 'success', message: `Connected to connector ${h.version} (${h.store.events} events).` };
}

/**
 * What Grafana's data-source proxy answers when the connector refuses the token: it turns the
 * upstream 401 into a 400 with this plain-text body (grafana/grafana pkg/api/pluginproxy/ds_proxy.go,
 * `HandleRequest` -> `modifyResponse`), and backendSrv wraps a text body as
 * `{ error: statusText, response: text, message: text }` (public/app/core/services/backend_srv.ts,
 * `processRequestError`).
 */
export const PROXY_AUTH_FAILED = 'Authentication to data source failed';

/** Names the place to fix a refused token: the data source's own settings page. */
export const TOKEN_REFUSED_MESSAGE =
  'The connector refused the API token: in Grafana open Connections > Data sources > waspend and set "API token" to the token the connector was started with (WASPEND_API_TOKEN / apiToken), then Save & test.';

/** True for the proxy's rewritten 401, whether backendSrv has wrapped the text body or not. */
function isProxyAuthFailure(body: unknown): boolean {
  if (typeof body === 'string') return body.trim() === PROXY_AUTH_FAILED;
  if (!body || typeof body !== 'object') return false;
  const b = body as { message?: unknown; response?: unknown };
  return b.message === PROXY_AUTH_FAILED || b.response === PROXY_AUTH_FAILED;
}

/**
 * A failed proxy request as a sentence naming the cause. `status` 0 means no HTTP answer at all
 * (connection refused, DNS, timeout), which is an unreachable URL, not a bad token.
 */
export function describeFetchError(status: number, body: unknown): string {
  const parsed = errorResponse.safeParse(body);
  const detail = parsed.success ? `${parsed.data.message}${parsed.data.field ? ` (field ${parsed.data.field})` : ''}` : '';
  if (status === 0) return 'The connector is unreachable: check its URL and that Grafana can reach it.';
  // Through Grafana the connector's 401 arrives as this 400; a direct 401 (another proxy, tests) means the same.
  if (status === 401 || (status === 400 && isProxyAuthFailure(body))) return TOKEN_REFUSED_MESSAGE;
  if (status === 403) {
    // Grafana's own refusal of the route (a role rule), not the connector's: the token is not the problem.
    const message = (body as { message?: unknown } | null)?.message;
    if (typeof message === 'string' && /route access denied/i.test(message))
      return 'Grafana refused the data-source proxy route for your user (plugin proxy route access denied): ask an admin for access to the waspend data source.';
    return TOKEN_REFUSED_MESSAGE;
  }
  if (status === 404) return 'The connector does not know this endpoint: check the URL (no path after the host) and the connector version.';
  if (status === 400) return `The connector rejected the query: ${detail || 'bad request'}`;
  if (status === 502 || status === 504) return 'Grafana could not reach the connector (bad gateway or timeout): check its URL.';
  return `The connector failed with HTTP ${status}${detail ? `: ${detail}` : ''}`;
}
