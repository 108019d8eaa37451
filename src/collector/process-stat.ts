/** The fields of /proc/PID/stat that identify and measure a process. */
export interface ProcessStat {
  readonly comm: string;
  readonly state: string;
  /** field 22: start time in clock ticks since boot; with the pid, the process's identity */
  readonly startTicks: number;
}

/**
 * Parses /proc/PID/stat. The comm (field 2) is in parentheses and may itself contain spaces and
 * parentheses, so the fields after it are counted from the LAST ')'. Returns null on anything
 * malformed (a truncated read of a process that is exiting).
 */
export function parseProcessStat(text: string): ProcessStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const comm = text.slice(open + 1, close);
  // after ") " come field 3 (state) onwards; field 22 is index 19 of that list
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const state = rest[0];
  const start = rest[19];
  if (state === undefined || start === undefined || !/^\d+$/.test(start)) return null;
  return { comm, state, startTicks: Number(start) };
}
