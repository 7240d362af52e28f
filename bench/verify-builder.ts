/**
 * Checks that the fast store builder (200 statuses per POST, 8 in flight) gives the same answers
 * as one-event-per-POST ingest (one status, call event pair or inbound message per body), request
 * by request of every panel, on a small store built both ways.
 */
import path from 'node:path';
import { BENCH_TOKEN } from './bench-config';
import { buildStoreViaWebhooks } from './build-store';
import { startConnector } from './connector-process';
import { panelQueries } from './panel-queries';
import { log } from './stats';

export interface BuilderCheck {
  messages: number;
  queries: number;
  identical: boolean;
  mismatches: string[];
}

async function answers(
  db: string,
  config: string,
  perBody: number,
  concurrency: number,
  plan: Parameters<typeof buildStoreViaWebhooks>[1],
): Promise<Map<string, string>> {
  const conn = await startConnector({ db, config, token: BENCH_TOKEN, extraArgs: ['--as-of', new Date(plan.endSec * 1000).toISOString()] });
  try {
    await buildStoreViaWebhooks(conn.url, plan, { perBody, concurrency });
    const out = new Map<string, string>();
    for (const q of panelQueries((plan.endSec - (plan.days + 1) * 86_400) * 1000, plan.endSec * 1000)) {
      for (const r of q.requests) {
        const res = await fetch(`${conn.url}${r.path}`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
        out.set(`${q.name} ${r.role}`, `${res.status} ${await res.text()}`);
      }
    }
    return out;
  } finally {
    await conn.stop();
  }
}

export async function verifyBuilder(dir: string, config: string, plan: Parameters<typeof buildStoreViaWebhooks>[1]): Promise<BuilderCheck> {
  log(`queries: builder check on ${plan.messages} messages (batched vs one status per POST)`);
  const batched = await answers(`sqlite:${path.join(dir, 'check-batched.sqlite')}`, config, 200, 8, plan);
  const single = await answers(`sqlite:${path.join(dir, 'check-single.sqlite')}`, config, 1, 4, plan);
  const mismatches = [...batched.keys()].filter((k) => batched.get(k) !== single.get(k));
  return { messages: plan.messages, queries: batched.size, identical: mismatches.length === 0, mismatches };
}
