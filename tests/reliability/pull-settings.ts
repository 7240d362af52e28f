/**
 * How the pull-faults suite configures the connector's puller (fast retries and backoff so the
 * whole fault script plays in seconds) and reads back what the puller stored.
 */
import { API_PREFIX } from '@contract';
import type { ConfigExtras } from '../helpers/reliability-config';
import { rawRequest } from '../helpers/raw-http';

export const PULL_SOURCE = 'meta_pricing';

export function pullConfigExtras(graphBaseUrl: string, backfillDays: number): ConfigExtras {
  return {
    waba: (i) => (i === 0 ? { meta: { token: '${WASPEND_REL_META_TOKEN}' } } : {}),
    top: {
      pulls: {
        graphBaseUrl,
        backfillDays,
        repullDays: 3,
        intervalMs: 3000,
        failureBackoffMs: 200,
        maxFailureBackoffMs: 800,
        retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100, timeoutMs: 800 },
      },
    },
  };
}

/** Meta's daily volume as the connector stored it: day -> messages, through the query API. */
export async function metaDailyTotals(url: string, token: string, wabaId: string, from: string, to: string): Promise<Map<string, number>> {
  const res = await rawRequest(url, {
    path: `${API_PREFIX}/usage?source=meta&interval=day&from=${from}&to=${to}&waba=${wabaId}`,
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw new Error(`usage?source=meta answered ${res.status}: ${res.text}`);
  const body = JSON.parse(res.text) as { rows: { bucket: string; messages: number }[] };
  const days = new Map<string, number>();
  for (const r of body.rows) days.set(r.bucket, (days.get(r.bucket) ?? 0) + r.messages);
  return days;
}
