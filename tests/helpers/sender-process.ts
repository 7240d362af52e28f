/**
 * Starts tests/reliability/webhook-sender.mjs in its own process (fork, IPC) with a plan file, and
 * lets the test react to its progress (e.g. kill the connector after K acknowledgements).
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const SENDER_SCRIPT = path.resolve(__dirname, '..', 'reliability', 'webhook-sender.mjs');

export interface SenderPlan {
  urls: string[];
  secret: string;
  bodiesFile: string;
  concurrency: number;
  resendFraction: number;
  seed: number;
  deadlineMs: number;
  duplicateToAll?: boolean;
  progressEvery?: number;
  unackedFile?: string;
}

export interface SenderStats {
  bodies: number;
  posts: number;
  acked: number;
  ackedBeforeKill: number | null;
  retried: number;
  resent: number;
  resentAcked: number;
  rejected4xx: number;
  errors5xx: number;
  networkErrors: number;
  unacked: number;
  elapsedMs: number;
  firstRejection: string | null;
}

export interface RunningSender {
  child: ChildProcess;
  done: Promise<SenderStats>;
  /** Tells the sender the connector was just killed (it snapshots its acknowledged count). */
  markKilled(): void;
}

export function writeBodies(file: string, bodies: readonly string[]): void {
  fs.writeFileSync(file, `${bodies.join('\n')}\n`);
}

export function startSender(planFile: string, plan: SenderPlan, onProgress: (acked: number) => void = () => {}): RunningSender {
  fs.writeFileSync(planFile, JSON.stringify(plan));
  const child = fork(SENDER_SCRIPT, [planFile], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const done = new Promise<SenderStats>((resolve, reject) => {
    let stats: SenderStats | null = null;
    child.on('message', (m: { type: string; acked?: number; stats?: SenderStats }) => {
      if (m.type === 'progress' && typeof m.acked === 'number') onProgress(m.acked);
      if (m.type === 'done' && m.stats) stats = m.stats;
    });
    child.once('exit', (code) => (stats ? resolve(stats) : reject(new Error(`sender exited with ${code} without a summary`))));
  });
  return { child, done, markKilled: () => child.connected && child.send({ type: 'killed' }) };
}
