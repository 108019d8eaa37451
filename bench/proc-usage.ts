import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What one process has used so far, read from /proc. */
export interface ProcUsage {
  /** user + system CPU time, ms */
  readonly cpuMs: number;
  /** VmRSS, bytes */
  readonly rssBytes: number;
  /** VmHWM (peak RSS), bytes */
  readonly hwmBytes: number;
  /** performance.now() when read */
  readonly at: number;
}

let ticks: number | undefined;

/** Clock ticks per second of /proc/PID/stat's CPU fields (`getconf CLK_TCK`). */
export function clockTicks(): number {
  ticks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticks;
}

export function readUsage(pid: number): ProcUsage {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // comm may hold spaces and parentheses: the fields start after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : NaN;
  };
  return {
    cpuMs: ((utime + stime) * 1000) / clockTicks(),
    rssBytes: kb('VmRSS'),
    hwmBytes: kb('VmHWM'),
    at: performance.now(),
  };
}

/** CPU ms used between two readings of the same process. */
export const cpuBetween = (a: ProcUsage, b: ProcUsage): number => b.cpuMs - a.cpuMs;
