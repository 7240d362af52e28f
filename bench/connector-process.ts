/** Starts the real connector (`waspend serve`) as a child process and watches its memory. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { log } from './stats';

export const ROOT = path.resolve(__dirname, '..');
/** WASPEND_BENCH_CLI points the harness at another connector entry (e.g. an installed build). */
export const CLI = process.env.WASPEND_BENCH_CLI ?? path.join(ROOT, 'bin', 'waspend.mjs');
/**
 * WASPEND_BENCH_NODE_ARGS: node flags for every connector the harness starts, split on spaces, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it under the bench's load (node refuses
 * --cpu-prof in NODE_OPTIONS). The profile is written when the connector exits at the section's end.
 */
export const NODE_ARGS = (process.env.WASPEND_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** Whether the connector's CLI entry exists yet (the harness reports a section unavailable otherwise). */
export function connectorAvailable(): boolean {
  return process.env.WASPEND_BENCH_CLI !== undefined || fs.existsSync(path.join(ROOT, 'src', 'connector', 'cli', 'main.ts'));
}

/** Children still running; killed if the harness itself exits early (Ctrl-C, a closed pipe). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
export function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => process.exit(130));
  process.stdout.on('error', () => process.exit(1));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
    srv.on('error', reject);
  });
}

/** Peak and current resident set of a process in MB, from /proc/<pid>/status (VmHWM, VmRSS). */
export function readRss(pid: number): { peakMb: number; rssMb: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMb: Math.round(kb('VmHWM') / 1024), rssMb: Math.round(kb('VmRSS') / 1024) };
  } catch {
    return null;
  }
}

export interface RunningConnector {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Stops the process (SIGTERM, then SIGKILL after a bounded wait) and returns its peak RSS in MB. */
  stop(): Promise<number | null>;
  stderrTail(): string;
}

export interface StartOptions {
  db: string;
  config: string;
  token: string;
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

async function waitHealthy(url: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  let lastError = '';
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`connector exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200 || res.status === 503) return;
      lastError = `health answered ${res.status}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`connector not healthy within ${deadlineMs} ms: ${lastError}`);
}

export async function startConnector(opts: StartOptions): Promise<RunningConnector> {
  const port = await freePort();
  const args = [
    ...NODE_ARGS,
    CLI,
    'serve',
    '--db',
    opts.db,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--config',
    opts.config,
    ...(opts.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', WASPEND_LOG_LEVEL: 'warn', WASPEND_API_TOKEN: opts.token, ...opts.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  trackChild(child);
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url, child, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${tail}`, { cause: err });
  }
  const pid = child.pid as number;
  log(`connector pid ${pid} on ${url} (${opts.db.split(':')[0]})`);
  return {
    url,
    pid,
    child,
    stderrTail: () => tail,
    async stop() {
      const peak = readRss(pid)?.peakMb ?? null;
      if (child.exitCode !== null) return peak;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      return peak;
    },
  };
}
