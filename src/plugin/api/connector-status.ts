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
 * A failed proxy request as a sentence naming the cause. `status` 0 means no HTTP answer at all
 * (connection refused, DNS, timeout), which is an unreachable URL, not a bad token.
 */
export function describeFetchError(status: number, body: unknown): string {
  const parsed = errorResponse.safeParse(body);
  const detail = parsed.success ? `${parsed.data.message}${parsed.data.field ? ` (field ${parsed.data.field})` : ''}` : '';
  if (status === 0) return 'The connector is unreachable: check its URL and that Grafana can reach it.';
  if (status === 401 || status === 403) return 'The connector refused the API token: set the token the connector was configured with.';
  if (status === 404) return 'The connector does not know this endpoint: check the URL (no path after the host) and the connector version.';
  if (status === 400) return `The connector rejected the query: ${detail || 'bad request'}`;
  if (status === 502 || status === 504) return 'Grafana could not reach the connector (bad gateway or timeout): check its URL.';
  return `The connector failed with HTTP ${status}${detail ? `: ${detail}` : ''}`;
}
