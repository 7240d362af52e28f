/** Section 5: `waspend rates import` on the query store, which must re-price every stored message. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { CLI, ROOT, trackChild } from '../connector-process';
import { writeRateCard } from '../rate-card';
import { log, round } from '../stats';

export const REPRICE_TARGET = { seconds: 60, messages: 10_000_000 } as const;

export interface RepriceResult {
  messages: number;
  seconds: number;
  /** Seconds scaled linearly to 10M messages (equal to `seconds` at --scale full). */
  projectedSecondsAt10M: number;
  exitCode: number | null;
  outputTail: string;
}

export async function measureReprice(db: string, config: string, messages: number): Promise<RepriceResult> {
  const csv = writeRateCard(path.dirname(config), '2026-09-01');
  const args = [CLI, 'rates', 'import', csv, '--effective', '2026-09-01', '--db', db, '--config', config];
  log(`repricing: waspend rates import ... --effective 2026-09-01 on ${messages.toLocaleString('en')} messages`);
  const t0 = process.hrtime.bigint();
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let text = '';
    const keep = (d: Buffer) => (text = (text + d.toString()).slice(-2000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const killer = setTimeout(() => child.kill('SIGKILL'), 30 * 60_000);
    child.on('error', reject);
    child.on('exit', (c) => {
      clearTimeout(killer);
      resolve({ code: c, out: text });
    });
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  log(`  rates import exited ${code} after ${round(seconds, 2)} s`);
  return {
    messages,
    seconds: round(seconds, 2),
    projectedSecondsAt10M: round((seconds * REPRICE_TARGET.messages) / Math.max(1, messages), 1),
    exitCode: code,
    outputTail: out.trim().slice(-400),
  };
}
