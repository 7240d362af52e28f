/**
 * Checks that the fast store builders give the same answers as one-event-per-POST ingest (one
 * status, call event pair or inbound message per body), request by request of every panel, on a
 * small store built each way: the webhook builder (200 statuses per POST, 8 in flight) always, and
 * the bulk builder (bulk-build.ts) too when it is the one building this run's store.
 */
import path from 'node:path';
import { BENCH_TOKEN } from './bench-config';
import { buildStoreViaWebhooks, type BuildPlan } from './build-store';
import { buildStoreInProcess } from './bulk-build';
import { startConnector, type RunningConnector } from './connector-process';
import type { BuildPath } from './options';
import { panelQueries } from './panel-queries';
import { log } from './stats';

export interface BuilderCheck {
  messages: number;
  queries: number;
  /** The builders compared with one event per POST. */
  builders: string[];
  identical: boolean;
  /** `<builder>: <panel> <request role>` of every answer that differs. */
  mismatches: string[];
}

/** Every panel request's answer from a store `build` fills (before the connector starts, or through it). */
async function answers(
  db: string,
  config: string,
  plan: BuildPlan,
  build: { before?: () => Promise<unknown>; through?: (conn: RunningConnector) => Promise<unknown> },
): Promise<Map<string, string>> {
  await build.before?.();
  const conn = await startConnector({ db, config, token: BENCH_TOKEN, extraArgs: ['--as-of', new Date(plan.endSec * 1000).toISOString()] });
  try {
    await build.through?.(conn);
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

export async function verifyBuilder(dir: string, config: string, plan: BuildPlan, buildPath: BuildPath = 'webhook'): Promise<BuilderCheck> {
  const builders = buildPath === 'bulk' ? ['webhook', 'bulk'] : ['webhook'];
  log(`queries: builder check on ${plan.messages} messages (${builders.join(' and ')} vs one status per POST)`);
  const sqlite = (name: string) => `sqlite:${path.join(dir, `check-${name}.sqlite`)}`;
  const single = await answers(sqlite('single'), config, plan, {
    through: (conn) => buildStoreViaWebhooks(conn.url, plan, { perBody: 1, concurrency: 4 }),
  });
  const mismatches: string[] = [];
  let queries = single.size;
  for (const name of builders) {
    const db = sqlite(name === 'webhook' ? 'batched' : name);
    const got =
      name === 'bulk'
        ? await answers(db, config, plan, { before: () => buildStoreInProcess(db, config, plan) })
        : await answers(db, config, plan, { through: (conn) => buildStoreViaWebhooks(conn.url, plan, { perBody: 200, concurrency: 8 }) });
    queries = Math.max(queries, got.size);
    for (const k of new Set([...got.keys(), ...single.keys()])) if (got.get(k) !== single.get(k)) mismatches.push(`${name}: ${k}`);
  }
  return { messages: plan.messages, queries, builders, identical: mismatches.length === 0, mismatches };
}
