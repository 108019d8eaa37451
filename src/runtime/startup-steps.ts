/**
 * Where the start went: timestamps (performance.now(), ms since the process started) taken at
 * each step from node's own start to the end of the first round, logged once with the
 * `otel-sentinel ready` line, with the CPU time used until then. Fixed size: one slot per step,
 * the first mark of each kept.
 */
export const STARTUP_STEPS = ['node', 'cli', 'modules', 'config', 'listening', 'first_round'] as const;
export type StartupStep = (typeof STARTUP_STEPS)[number];

const at = new Map<StartupStep, number>();
let cpuAtLast: NodeJS.CpuUsage | null = null;

export function markStartup(step: StartupStep, now: number = performance.now()): void {
  if (at.has(step)) return;
  at.set(step, now);
  if (step === STARTUP_STEPS[STARTUP_STEPS.length - 1]) cpuAtLast = process.cpuUsage();
}

/**
 * Each step's share in ms, as the log shows it: `node` is node's own start up to the first line
 * of the program, each later step runs from the mark before it, `total` is the last mark. A step
 * not marked (a reload, a test that starts the daemon in its own process) is left out.
 */
export function startupReport(): Record<string, number> {
  const out: Record<string, number> = {};
  let prev = 0;
  for (const step of STARTUP_STEPS) {
    const t = at.get(step);
    if (t === undefined) continue;
    out[`${step}_ms`] = Math.round(t - prev);
    prev = t;
  }
  if (prev > 0) out.total_ms = Math.round(prev);
  // CPU the process used up to the end of the first round, all threads: on a busy host a steadier
  // figure than the wall-clock steps
  if (cpuAtLast) out.cpu_ms = Math.round((cpuAtLast.user + cpuAtLast.system) / 1000);
  return out;
}

/** Forgets every mark (tests). */
export function resetStartup(): void {
  at.clear();
  cpuAtLast = null;
}
