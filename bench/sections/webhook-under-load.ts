/**
 * Webhook latency while the heaviest panel queries run in a loop (issue 13 item 6): single-status
 * webhooks are posted back to back, first on an idle connector, then while two loops keep asking
 * the heaviest panels' requests over the bench range and over 1900-01-01..2999-12-31. Reports
 * the time to the 200 of every webhook (the connector acknowledges after the commit).
 */
import http from 'node:http';
import { BENCH_TOKEN } from '../bench-config';
import type { RunningConnector } from '../connector-process';
import { drainedRequest } from '../load/drained-request';
import { withRange } from '../panel-queries';
import { log, percentile, round } from '../stats';
import { webhookUnderLoadMet } from '../targets';
import { statusWebhookBody, type BenchWaba } from '../webhook-bodies';

export { WEBHOOK_UNDER_LOAD_TARGET } from '../targets';

/**
 * The widest range a user can ask for (issue 13 names it). As days: the contract takes epoch
 * milliseconds only from 1970 on, so the plugin's epoch-ms form of 1900 would be refused with a 400.
 */
export const WIDE_FROM = '1900-01-01';
export const WIDE_TO = '2999-12-31';

export interface LatencySummary {
  webhooks: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface WebhookUnderLoad {
  heavyPanels: string[];
  /** The request paths the query loops cycle through. */
  loopRequests: number;
  seconds: number;
  idle: LatencySummary;
  underLoad: LatencySummary;
  queriesCompleted: number;
  queryP50Ms: number;
  queryMaxMs: number;
  queryErrors: number;
  /** The first failed query's status and request, when any failed. */
  firstQueryError?: string;
  met: boolean;
}

/** Bodies are drained unread: the loops measure load, the panel section checks answers. */
function request(agent: http.Agent, base: URL, method: 'GET' | 'POST', p: string, body?: string): Promise<number> {
  const headers: Record<string, string | number> =
    method === 'POST'
      ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body ?? '') }
      : { authorization: `Bearer ${BENCH_TOKEN}` };
  return drainedRequest(agent, base, { method, path: p, headers, body, timeoutMs: 600_000 });
}

const summary = (ms: number[]): LatencySummary => ({
  webhooks: ms.length,
  p50Ms: round(percentile(ms, 50)),
  p99Ms: round(percentile(ms, 99)),
  maxMs: round(Math.max(...ms)),
});

/** Posts one-status webhooks back to back for `seconds`; returns each one's time to the 200. */
async function postFor(conn: RunningConnector, waba: BenchWaba, seconds: number, tag: string, atSec: number): Promise<number[]> {
  const base = new URL(conn.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const phone = waba.phones[0] as string;
  const out: number[] = [];
  const until = Date.now() + seconds * 1000;
  // Fresh wamids in every run: on a reused store (--reuse-store) an earlier run's would be duplicates, which write nothing.
  const run = Date.now().toString(36);
  try {
    for (let i = 0; Date.now() < until; i++) {
      const body = statusWebhookBody(waba.id, phone, [
        {
          wamid: `wamid.L${tag}${run}.${i.toString(36)}`,
          status: 'delivered',
          timestampSec: atSec,
          recipient: '5511900000000',
          category: 'utility',
          group: null,
        },
      ]);
      const t0 = process.hrtime.bigint();
      const status = await request(agent, base, 'POST', '/webhooks/whatsapp', body);
      out.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (status !== 200) throw new Error(`webhook answered ${status} under load`);
    }
  } finally {
    agent.destroy();
  }
  return out;
}

/**
 * `tag` keeps the wamids of a second run on the same store (the A/B against `query.worker: false`)
 * apart from the first's, so both runs store new messages rather than duplicates.
 */
export async function measureWebhookUnderLoad(
  conn: RunningConnector,
  waba: BenchWaba,
  heavy: Array<{ name: string; paths: string[] }>,
  seconds: number,
  atSec: number,
  tag = '',
): Promise<WebhookUnderLoad> {
  const paths = heavy.flatMap((h) => h.paths.flatMap((p) => [p, withRange(p, WIDE_FROM, WIDE_TO)]));
  log(`webhook under load: ${seconds} s idle, then ${seconds} s with ${paths.length} panel requests in two loops`);
  const idle = await postFor(conn, waba, seconds, `${tag}i`, atSec);
  let stop = false;
  const queryMs: number[] = [];
  let queryErrors = 0;
  let firstQueryError: string | undefined;
  const base = new URL(conn.url);
  const loop = async (offset: number) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = offset; !stop; i++) {
        const t0 = process.hrtime.bigint();
        const p = paths[i % paths.length] as string;
        // A failed query is counted and the loop goes on (the connector restarts a worker that died).
        const status = await request(agent, base, 'GET', p).catch((err: Error) => err.message);
        queryMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (status !== 200 && queryErrors++ === 0) firstQueryError = `${status} ${p}`;
      }
    } finally {
      agent.destroy();
    }
  };
  const loops = paths.length === 0 ? [] : [loop(0), loop(Math.floor(paths.length / 2))];
  let loaded: number[];
  try {
    loaded = await postFor(conn, waba, seconds, `${tag}q`, atSec);
  } finally {
    stop = true;
    await Promise.all(loops);
  }
  const underLoad = summary(loaded);
  log(`  idle p99 ${summary(idle).p99Ms} ms; under load p99 ${underLoad.p99Ms} ms (${queryMs.length} queries)`);
  return {
    heavyPanels: heavy.map((h) => h.name),
    loopRequests: paths.length,
    seconds,
    idle: summary(idle),
    underLoad,
    queriesCompleted: queryMs.length,
    queryP50Ms: round(percentile(queryMs, 50)),
    queryMaxMs: round(queryMs.length ? Math.max(...queryMs) : NaN),
    queryErrors,
    ...(firstQueryError ? { firstQueryError } : {}),
    met: webhookUnderLoadMet({ loopRequests: paths.length, queriesCompleted: queryMs.length, queryErrors, p99Ms: underLoad.p99Ms }),
  };
}
