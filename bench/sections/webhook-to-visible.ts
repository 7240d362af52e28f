/**
 * Issue 13's "webhook acknowledged → visible in a panel query < 2 s": one webhook at a time with a
 * fresh delivered message, then the request of the dashboard's "messages delivered" panel over the
 * store's last two days is polled until its delivered total counts that message. Reported: the
 * time from the webhook's 200 to the answer of the first poll that shows it. Polling is the
 * measurement here (a dashboard sees a message only by asking again), so the resolution is the
 * poll interval plus one query.
 */
import { BENCH_TOKEN } from '../bench-config';
import type { RunningConnector } from '../connector-process';
import { panelQueries } from '../panel-queries';
import { log, maxOf, median, percentile, round } from '../stats';
import { VISIBLE_TARGET, visibleMet } from '../targets';
import { rng, statusWebhookBody, type BenchWaba } from '../webhook-bodies';

export const VISIBLE_POLL_MS = 20;
/**
 * The connector reuses a panel's priced rows for up to 0.75 s after computing them (MIN_REFRESH_MS in
 * query/priced-usage.ts), so when a webhook lands in that cycle decides how long it waits. Each
 * sample is posted after a pause drawn from a seeded generator over 0..2.5 s, so the samples fall
 * at different points of the cycle instead of all right after the previous sample's fresh answer
 * (the worst case every time).
 */
const MAX_PAUSE_MS = 2_500;
/** A sample not visible after this long is reported as never visible (it fails the target either way). */
const GIVE_UP_MS = 10_000;

export interface WebhookToVisible {
  target: typeof VISIBLE_TARGET;
  panel: string;
  /** The polled request, range elided. */
  path: string;
  pollIntervalMs: number;
  samples: number;
  /** Samples that became visible within GIVE_UP_MS. */
  visible: number;
  medianMs: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  /** Polls per sample, median (1 = the first query after the 200 already showed it). */
  medianPolls: number | null;
  met: boolean;
}

/** The dashboard's panel of kind `messages` that sends one /api/v1/usage request without a split. */
export function deliveredPanel(fromMs: number, toMs: number): { panel: string; path: string } | null {
  for (const q of panelQueries(fromMs, toMs)) {
    const [only, ...more] = q.requests;
    if (q.kind === 'messages' && only && more.length === 0 && only.path.startsWith('/api/v1/usage?') && !only.path.includes('by='))
      return { panel: q.name, path: only.path };
  }
  return null;
}

async function deliveredTotal(url: string): Promise<number> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
  if (res.status !== 200) throw new Error(`the panel request answered ${res.status}`);
  const body = (await res.json()) as { rows: Array<{ messages: number }> };
  return body.rows.reduce((s, r) => s + r.messages, 0);
}

export async function measureWebhookToVisible(
  conn: RunningConnector,
  waba: BenchWaba,
  samples: number,
  endSec: number,
): Promise<WebhookToVisible> {
  const toMs = endSec * 1000;
  const found = deliveredPanel(toMs - 2 * 86_400_000, toMs);
  if (!found) throw new Error('no dashboard panel of kind messages asks /api/v1/usage without a split');
  const panelUrl = `${conn.url}${found.path}`;
  const webhookUrl = `${conn.url}/webhooks/whatsapp`;
  const latencies: number[] = [];
  const polls: number[] = [];
  const pause = rng(13);
  for (let i = 0; i < samples; i++) {
    const before = await deliveredTotal(panelUrl);
    await new Promise((r) => setTimeout(r, Math.floor(pause() * MAX_PAUSE_MS)));
    const body = statusWebhookBody(waba.id, waba.phones[0] as string, [
      {
        wamid: `wamid.V${Date.now().toString(36)}${i}`,
        status: 'delivered',
        timestampSec: endSec - 3_600,
        recipient: '5511900000001',
        category: 'utility',
        group: null,
      },
    ]);
    const res = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`the webhook answered ${res.status}`);
    const acked = performance.now();
    for (let n = 1; performance.now() - acked < GIVE_UP_MS; n++) {
      const total = await deliveredTotal(panelUrl);
      if (total >= before + 1) {
        latencies.push(performance.now() - acked);
        polls.push(n);
        break;
      }
      await new Promise((r) => setTimeout(r, VISIBLE_POLL_MS));
    }
  }
  const figure = {
    samples,
    visible: latencies.length,
    medianMs: latencies.length ? round(median(latencies)) : null,
    p95Ms: latencies.length ? round(percentile(latencies, 95)) : null,
    maxMs: latencies.length ? round(maxOf(latencies)) : null,
    medianPolls: polls.length ? median(polls) : null,
  };
  log(`  webhook → visible: median ${figure.medianMs} ms, max ${figure.maxMs} ms (${figure.visible}/${samples} visible)`);
  return {
    target: VISIBLE_TARGET,
    panel: found.panel,
    path: found.path.replace(/([?&](?:from|to))=-?\d+(?=&|$)/g, '$1=..'),
    pollIntervalMs: VISIBLE_POLL_MS,
    ...figure,
    met: visibleMet(figure),
  };
}
