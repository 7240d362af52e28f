/**
 * Runs the real connector (`waspend serve`) as a child process for the reliability suites:
 * free loopback port, readiness by polling /health with a deadline, kill -9, restart on the same
 * port and store, and every byte of stdout/stderr kept so tests can scan the logs for secrets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** WASPEND_RELIABILITY_CLI runs the suites against another connector entry (e.g. a release build). */
export const CLI = process.env.WASPEND_RELIABILITY_CLI ?? path.join(REPO_ROOT, 'bin', 'waspend.mjs');

/** True once the connector's CLI entry has landed (suites skip before that). */
export function isConnectorAvailable(): boolean {
  return Boolean(process.env.WASPEND_RELIABILITY_CLI) || fs.existsSync(path.join(REPO_ROOT, 'src', 'connector', 'cli', 'main.ts'));
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
    srv.on('error', reject);
  });
}

export interface ConnectorOptions {
  /** `sqlite:PATH` or a postgres:// URL. */
  db: string;
  config: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** Deadline for /health to answer (ms). */
  readyDeadlineMs?: number;
  /** More `serve` flags (e.g. `--as-of`). */
  args?: string[];
}

export interface ConnectorProcess {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far (all incarnations of this handle). */
  logs(): string;
  /** SIGKILL and wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM, then SIGKILL after a bounded wait. */
  stop(): Promise<void>;
  isRunning(): boolean;
}

/** Resolves when /health answers (any status below 500 or 503) or rejects at the deadline. */
export async function waitForHealth(url: string, deadlineMs: number, child?: ChildProcess): Promise<void> {
  const until = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < until) {
    if (child && child.exitCode !== null) throw new Error(`connector exited with code ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 503) return;
      last = `health answered ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`connector at ${url} not ready within ${deadlineMs} ms (${last})`);
}

const logBuffers = new WeakMap<object, string[]>();

export async function startConnector(opts: ConnectorOptions, sharedLog: string[] = []): Promise<ConnectorProcess> {
  const port = opts.port ?? (await findFreePort());
  const args = [
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
    ...(opts.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    sharedLog.push(d.toString());
    // Bound the kept text: the soak logs little, but a runaway logger must not eat the test's memory.
    if (sharedLog.length > 20_000) sharedLog.splice(0, 10_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, opts.readyDeadlineMs ?? 60_000, child);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${(err as Error).message}\n--- connector output ---\n${sharedLog.join('').slice(-4000)}`, { cause: err });
  }
  const handle: ConnectorProcess = {
    url,
    port,
    pid: child.pid as number,
    child,
    logs: () => sharedLog.join(''),
    isRunning: () => child.exitCode === null && child.signalCode === null,
    async kill9() {
      if (!handle.isRunning()) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!handle.isRunning()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  logBuffers.set(handle, sharedLog);
  return handle;
}

/** Starts a new process on the same port, store and config; logs accumulate in the same buffer. */
export function restartConnector(prev: ConnectorProcess, opts: ConnectorOptions): Promise<ConnectorProcess> {
  return startConnector({ ...opts, port: prev.port }, logBuffers.get(prev) ?? []);
}

/** Resident and peak resident set in KiB from /proc/<pid>/status, or null once the process is gone. */
export function readRssKb(pid: number): { rssKb: number; peakKb: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), peakKb: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Runs the CLI to completion (e.g. `report`) and returns stdout; throws with stderr on a non-zero exit. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`waspend ${args.join(' ')} exited ${code ?? signal}: ${err.slice(-2000)}`));
    });
  });
}
