/** Describes the machine a run happened on, including the disk's synchronous-write rate. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  sqlite: string | null;
  /** Synchronous 4 KiB writes per second (dd oflag=dsync) in the directory that holds the stores. */
  fsyncWritesPerSec: number | null;
  /** 1-minute load average when the run started: other work on the 2 cores skews every figure. */
  loadAvg1m: number;
}

/** dd with oflag=dsync, as perf-limits measured it: one fsync-equivalent per 4 KiB block. */
export function measureFsyncRate(dir: string, blocks = 1000): number | null {
  const file = path.join(dir, 'fsync.test');
  const t0 = process.hrtime.bigint();
  const res = spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=4k', `count=${blocks}`, 'oflag=dsync'], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.rmSync(file, { force: true });
  if (res.status !== 0) return null;
  return Math.round(blocks / seconds);
}

function sqliteVersion(): string | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Database = require('better-sqlite3');
    const db = new Database(':memory:');
    const v = db.prepare('select sqlite_version() as v').get().v as string;
    db.close();
    return v;
  } catch {
    return null;
  }
}

export function describeMachine(workDir: string): MachineInfo {
  return {
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    sqlite: sqliteVersion(),
    fsyncWritesPerSec: measureFsyncRate(workDir),
    loadAvg1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}
