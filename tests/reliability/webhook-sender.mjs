// A webhook sender that behaves like Meta: posts every body with bounded concurrency, treats only a
// 200 as delivered, retries everything else (refused connections, resets, timeouts, 5xx) with
// backoff until it is acknowledged, then re-sends a seeded fraction of acknowledged bodies (at-least-
// once delivery). Runs in its own process (started with fork) so killing the connector never
// disturbs the sender's bookkeeping. Reports progress and a final summary over IPC.
//
// argv[2]: a JSON plan file {urls: string[], secret, bodiesFile (NDJSON), concurrency, resendFraction,
//          seed, deadlineMs, duplicateToAll?: boolean, progressEvery?: number}
import fs from 'node:fs';
import http from 'node:http';
import crypto from 'node:crypto';

const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const bodies = fs.readFileSync(plan.bodiesFile, 'utf8').split('\n').filter(Boolean);
const n = bodies.length;
const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency * 2 });
const started = Date.now();
const until = started + plan.deadlineMs;
const progressEvery = plan.progressEvery ?? 1000;

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function post(url, body) {
  return new Promise((resolve) => {
    const buf = Buffer.from(body);
    const sig = `sha256=${crypto.createHmac('sha256', plan.secret).update(buf).digest('hex')}`;
    const req = http.request(
      `${url}/webhooks/whatsapp`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': buf.length, 'x-hub-signature-256': sig },
        timeout: 15_000,
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          if (text.length < 500) text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode, text }));
        res.on('error', (e) => resolve({ status: 0, text: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, text: e.code ?? e.message }));
    req.end(buf);
  });
}

const stats = {
  bodies: n,
  posts: 0,
  acked: 0,
  ackedBeforeKill: null,
  retried: 0,
  resent: 0,
  resentAcked: 0,
  rejected4xx: 0,
  errors5xx: 0,
  networkErrors: 0,
  unacked: 0,
  elapsedMs: 0,
  firstRejection: null,
};
const acked = new Uint8Array(n);
process.on('message', (m) => {
  if (m && m.type === 'killed') stats.ackedBeforeKill = stats.acked;
});

/** Posts body i until some URL acknowledges it (or the deadline passes). */
async function deliver(i, urls) {
  let failures = 0;
  for (;;) {
    if (Date.now() > until) return false;
    const url = urls[(i + failures) % urls.length];
    stats.posts++;
    const res = await post(url, bodies[i]);
    if (res.status === 200) return true;
    if (res.status === 0) stats.networkErrors++;
    else if (res.status >= 500 || res.status === 429) stats.errors5xx++;
    else {
      // A 4xx for a valid, signed body is a connector bug; keep the first for the report and retry
      // like Meta would (it retries any non-200).
      stats.rejected4xx++;
      if (!stats.firstRejection) stats.firstRejection = `${res.status} ${res.text}`;
    }
    failures++;
    stats.retried++;
    await new Promise((r) => setTimeout(r, Math.min(500, 10 * 2 ** Math.min(failures, 6))));
  }
}

async function runPool(indices, fn) {
  let next = 0;
  const worker = async () => {
    while (next < indices.length && Date.now() <= until) {
      const i = indices[next++];
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
}

const all = Array.from({ length: n }, (_, i) => i);
await runPool(all, async (i) => {
  // duplicateToAll: a retry storm: every body goes to every replica, concurrently.
  const targets = plan.duplicateToAll ? plan.urls.map((u) => [u]) : [plan.urls];
  const results = await Promise.all(targets.map((urls) => deliver(i, urls)));
  if (results.some(Boolean)) {
    acked[i] = 1;
    stats.acked++;
    if (stats.acked % progressEvery === 0 && process.send) process.send({ type: 'progress', acked: stats.acked });
  }
});

// Meta re-sends some acknowledged webhooks anyway (at-least-once): re-send a seeded fraction.
const rand = rng(plan.seed);
const again = all.filter((i) => acked[i] && rand() < plan.resendFraction);
await runPool(again, async (i) => {
  stats.resent++;
  if (await deliver(i, plan.urls)) stats.resentAcked++;
});

stats.unacked = n - stats.acked;
stats.elapsedMs = Date.now() - started;
if (plan.unackedFile) fs.writeFileSync(plan.unackedFile, JSON.stringify(all.filter((i) => !acked[i])));
agent.destroy();
if (process.send) process.send({ type: 'done', stats }, () => process.exit(0));
else {
  console.log(JSON.stringify(stats));
  process.exit(0);
}
