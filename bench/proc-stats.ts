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
