/** CPU time of a process and write I/Os of the disk, to say what limited a run. */
import fs from 'node:fs';

/** utime + stime of a process in seconds (/proc/<pid>/stat fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Completed write I/Os summed over whole disks (not partitions) in /proc/diskstats. */
export function diskWrites(): number {
  try {
    let total = 0;
    for (const line of fs.readFileSync('/proc/diskstats', 'utf8').split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length > 8 && /^(vd[a-z]+|sd[a-z]+|nvme\d+n\d+)$/.test(f[2] ?? '')) total += Number(f[7]);
    }
    return total;
  } catch {
    return NaN;
  }
}

export interface Window {
  cpu: number;
  writes: number;
  t: number;
}

export const openWindow = (pid: number): Window => ({ cpu: cpuSeconds(pid), writes: diskWrites(), t: Date.now() });

/** Core-fraction of the process and disk write I/Os per second since `w`. */
export function closeWindow(pid: number, w: Window): { processCpu: number; diskWritesPerSec: number } {
  const secs = (Date.now() - w.t) / 1000;
  return {
    processCpu: Math.round(((cpuSeconds(pid) - w.cpu) / secs) * 100) / 100,
    diskWritesPerSec: Math.round((diskWrites() - w.writes) / secs),
  };
}

/** What /proc/<pid>/stat says about one process, in clock ticks (100 a second). */
export interface ProcStat {
  pid: number;
  ppid: number;
  utime: number;
  stime: number;
  /** CPU of its children that have exited and been waited for. */
  cutime: number;
  cstime: number;
}

export function parseProcStat(pid: number, stat: string): ProcStat {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pid, ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]) };
}

/**
 * CPU seconds of a server and its direct children (PostgreSQL: the postmaster and one backend per
 * connection, plus the WAL writer, checkpointer and the rest): the root's own time, the time of the
 * children that have ended (its cutime and cstime), and that of the children running now.
 */
export function treeCpuFromStats(rootPid: number, stats: readonly ProcStat[]): number {
  let ticks = 0;
  for (const s of stats) {
    if (s.pid === rootPid) ticks += s.utime + s.stime + s.cutime + s.cstime;
    else if (s.ppid === rootPid) ticks += s.utime + s.stime;
  }
  return ticks / 100;
}

/** treeCpuFromStats over the processes running now (NaN when the root is gone). */
export function treeCpuSeconds(rootPid: number): number {
  const stats: ProcStat[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      stats.push(parseProcStat(Number(name), fs.readFileSync(`/proc/${name}/stat`, 'utf8')));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return stats.some((s) => s.pid === rootPid) ? treeCpuFromStats(rootPid, stats) : NaN;
}
