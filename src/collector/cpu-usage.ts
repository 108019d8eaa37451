import pidusage from 'pidusage';

let warming: Promise<void> | null = null;
let reads = 0;

/**
 * pidusage learns the clock tick and the page size on its first call by running `getconf` twice,
 * each through a shell: 15-45 ms, which would otherwise fall in the daemon's first round and delay
 * ready. Started when the collector watcher is made, that happens while the config is read and the
 * port opened. It reads our own process, so the collector's first CPU figure is what it was (the
 * average since the collector started); that reading is dropped again unless a collector reading
 * began in the meantime. Idempotent.
 */
export function warmCpuUsage(): Promise<void> {
  warming ??= pidusage(process.pid).then(
    () => {
      if (reads === 0) pidusage.clear();
    },
    () => undefined,
  );
  return warming;
}

/**
 * The collector's CPU use in percent of one core since the previous call (pidusage keeps the
 * previous sample per pid and drops it after a minute unused), or null when it can't be read. Only meaningful on the real /proc:
 * pidusage reads it directly, not through an injected procfs root.
 */
export async function readCpuPercent(pid: number): Promise<number | null> {
  if (warming) await warming;
  reads++;
  try {
    const s = await pidusage(pid);
    return Number.isFinite(s.cpu) ? Math.round(s.cpu * 10) / 10 : null;
  } catch {
    return null;
  }
}
