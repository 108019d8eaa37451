import pidusage from 'pidusage';

/**
 * The collector's CPU use in percent of one core since the previous call (pidusage keeps the
 * previous sample per pid and drops it after a minute unused), or null when it can't be read. Only meaningful on the real /proc:
 * pidusage reads it directly, not through an injected procfs root.
 */
export async function readCpuPercent(pid: number): Promise<number | null> {
  try {
    const s = await pidusage(pid);
    return Number.isFinite(s.cpu) ? Math.round(s.cpu * 10) / 10 : null;
  } catch {
    return null;
  }
}
