import fs from 'node:fs';
import readline from 'node:readline';
import { signBody } from '../ingest';

export interface ReplayFlags {
  url: string;
  concurrency: string;
  secretEnv?: string;
  retries: string;
}

const WEBHOOK_PATH = '/webhooks/whatsapp';

function targetUrl(url: string): string {
  const u = new URL(url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = WEBHOOK_PATH;
  return u.toString();
}

/**
 * `waspend replay FILE.ndjson --url URL`: posts one recorded webhook body per line, signed when an
 * app secret is given (by environment variable name, so it never sits in shell history). Retries
 * network errors and 5xx like Meta does; a 4xx is reported with its line number and not retried.
 * Bodies may be posted out of order (concurrency): the connector's ingest is order-independent, and
 * statuses without `pricing` are classified there from the contact's replayed window openers.
 */
export async function replay(file: string, flags: ReplayFlags): Promise<void> {
  const url = targetUrl(flags.url);
  const concurrency = Math.max(1, Number(flags.concurrency) || 8);
  const retries = Math.max(0, Number(flags.retries) || 0);
  const secret = flags.secretEnv ? process.env[flags.secretEnv] : undefined;
  if (flags.secretEnv && !secret) throw new Error(`--secret-env ${flags.secretEnv}: that environment variable is not set`);
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let sent = 0;
  let failed = 0;
  let lineNo = 0;
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  const post = async (body: string, at: number) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret) headers['x-hub-signature-256'] = signBody(Buffer.from(body), secret);
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(30_000) });
        const text = await res.text();
        if (res.ok) return void sent++;
        if (res.status < 500 || attempt >= retries) {
          failed++;
          process.stderr.write(`line ${at}: HTTP ${res.status} ${text.slice(0, 300)}\n`);
          return;
        }
      } catch (err) {
        if (attempt >= retries) {
          failed++;
          process.stderr.write(`line ${at}: ${(err as Error).message}\n`);
          return;
        }
      }
      await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)));
    }
  };
  for await (const line of lines) {
    lineNo++;
    if (!line.trim()) continue;
    const p = post(line, lineNo).then(() => {
      inFlight.delete(p);
      if ((sent + failed) % 5000 === 0) process.stderr.write(`  ${sent + failed} bodies posted (${failed} failed)\n`);
    });
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const secs = (Date.now() - started) / 1000;
  process.stdout.write(
    `replayed ${sent} of ${sent + failed} webhook bodies to ${url} in ${secs.toFixed(1)} s${failed ? `, ${failed} failed` : ''}\n`,
  );
  if (failed > 0) process.exitCode = 1;
}
