import { join } from 'node:path';
import type { BenchOptions } from './bench-options.js';
import { startDriver } from './blackbox-driver.js';
import { startBlackbox } from './blackbox-process.js';
import { floorTargetOf, startNodeFloor } from './node-floor-process.js';
import { mixedBlackboxProbes, mixedExporters, type ProbeKind } from './probe-kinds.js';
import { cpuBetween, readUsage } from './proc-usage.js';
import { bucketDelta, lagBuckets } from './schedule-lag.js';
import { probesDone, startSentinel } from './sentinel-process.js';
import { histogramQuantile, median, sleep } from './stats.js';

export interface ScaleResult {
  readonly exporters: number;
  readonly intervalS: number;
  readonly seconds: number;
  readonly probes: number;
  readonly failed: number;
  /** CPU over the window, % of one core (over several runs: their median) */
  readonly cpuPercent: number;
  /** each run's cpuPercent, in the order they ran */
  readonly cpuPercentRuns: readonly number[];
  /** CPU over the first interval after ready (every exporter's first probe), % of one core */
  readonly firstIntervalCpuPercent: number;
  readonly rssBytes: number;
  readonly hwmBytes: number;
  /** schedule lag quantiles (seconds) over the window, from the histogram's buckets */
  readonly lagP50: number;
  readonly lagP99: number;
}

export const SCALE_INTERVAL_S = 15;

/** The first interval, left out of the window: one probe of every exporter (shorter in a quick run). */
const firstIntervalMs = (o: BenchOptions): number => (o.quick ? Math.max(1, o.warmupS) : SCALE_INTERVAL_S) * 1000;

/**
 * Many exporters (a mix of the four export kinds) at a 15 s interval: CPU, memory, schedule lag.
 * The window is the daemon's steady state: it starts once every exporter has been probed, one
 * interval after ready. That first interval does one-time work (each exporter's first probe sets
 * up its gRPC channel, V8 compiles the hot paths) and is reported on its own.
 */
export async function runScale(kinds: readonly ProbeKind[], o: BenchOptions, dir: string, collectorPid: number, nodeArgs: readonly string[] = []): Promise<ScaleResult> {
  const s = await startSentinel({
    dir,
    exporters: mixedExporters(o.scaleExporters, kinds),
    interval: `${SCALE_INTERVAL_S}s`,
    timeout: '5s',
    mode: 'export',
    collectorPid,
    nodeArgs,
  });
  try {
    await s.waitReady(120_000);
    const ready = readUsage(s.pid);
    await sleep(firstIntervalMs(o));
    const before = await s.metrics();
    const u0 = readUsage(s.pid);
    await sleep(o.scaleS * 1000);
    const u1 = readUsage(s.pid);
    const after = await s.metrics();
    const lag = bucketDelta(lagBuckets(before), lagBuckets(after));
    const failures = (m: typeof before): number =>
      m.filter((x) => x.name === 'otel_sentinel_probes_total' && x.labels.result === 'failure').reduce((a, x) => a + x.value, 0);
    const seconds = (u1.at - u0.at) / 1000;
    const cpuPercent = (cpuBetween(u0, u1) / 1000 / seconds) * 100;
    return {
      exporters: o.scaleExporters,
      intervalS: SCALE_INTERVAL_S,
      seconds,
      probes: probesDone(after) - probesDone(before),
      failed: failures(after) - failures(before),
      cpuPercent,
      cpuPercentRuns: [cpuPercent],
      firstIntervalCpuPercent: (cpuBetween(ready, u0) / (u0.at - ready.at)) * 100,
      rssBytes: u1.rssBytes,
      hwmBytes: u1.hwmBytes,
      lagP50: histogramQuantile(lag, 0.5),
      lagP99: histogramQuantile(lag, 0.99),
    };
  } finally {
    await s.stop();
  }
}

/**
 * `o.scaleRounds` scale runs, each in a fresh process, so that one noisy window does not decide the
 * figure (combined by combineScaleRuns).
 */
export async function runScaleRounds(kinds: readonly ProbeKind[], o: BenchOptions, dir: string, collectorPid: number): Promise<ScaleResult> {
  const runs: ScaleResult[] = [];
  for (let r = 0; r < o.scaleRounds; r++) runs.push(await runScale(kinds, o, join(dir, `run-${r}`), collectorPid));
  return combineScaleRuns(runs);
}

/** Several runs of the same scale as one: the median CPU and lag p50, the highest peak RSS and lag p99, every failure. */
export function combineScaleRuns(runs: readonly ScaleResult[]): ScaleResult {
  const first = runs[0];
  if (!first) throw new Error('no scale run to combine');
  const mid = (f: (x: ScaleResult) => number): number => median(runs.map(f));
  const max = (f: (x: ScaleResult) => number): number => Math.max(...runs.map(f));
  return {
    exporters: first.exporters,
    intervalS: first.intervalS,
    seconds: mid((x) => x.seconds),
    probes: mid((x) => x.probes),
    failed: runs.reduce((a, x) => a + x.failed, 0),
    cpuPercent: mid((x) => x.cpuPercent),
    cpuPercentRuns: runs.flatMap((x) => x.cpuPercentRuns),
    firstIntervalCpuPercent: mid((x) => x.firstIntervalCpuPercent),
    rssBytes: mid((x) => x.rssBytes),
    hwmBytes: max((x) => x.hwmBytes),
    lagP50: mid((x) => x.lagP50),
    lagP99: max((x) => x.lagP99),
  };
}

/** blackbox_exporter asked for the scale part's probes at the same rate: the baseline beside it. */
export interface ScaleBaselineResult {
  readonly targets: number;
  readonly intervalS: number;
  readonly seconds: number;
  /** `/probe` answers in the window, and how many said probe_success 0 or failed */
  readonly probes: number;
  readonly failed: number;
  readonly cpuPercent: number;
  readonly rssBytes: number;
  readonly hwmBytes: number;
}

/**
 * blackbox_exporter with the scale part's targets (the same mix, one /probe each per 15 s, driven
 * open loop from the bench process as Prometheus would scrape them), over a window of the same
 * length after the same first interval: CPU and memory beside the daemon's in the same run.
 */
export async function runScaleBlackbox(kinds: readonly ProbeKind[], o: BenchOptions, dir: string, caFile: string): Promise<ScaleBaselineResult> {
  const bb = await startBlackbox(dir, caFile);
  const urls = mixedBlackboxProbes(o.scaleExporters, kinds).map((p) => bb.probeUrl(p.target, p.module));
  const driver = startDriver(urls, o.scaleExporters / SCALE_INTERVAL_S);
  try {
    // failed: answers that said probe_success 0, and requests that got no answer
    return await baselineWindow(o, bb.pid, async () => ({ probes: driver.answered(), failed: driver.answered() - driver.succeeded() + driver.errors() }));
  } finally {
    await driver.stop();
    await bb.stop();
  }
}

/**
 * A baseline's window, as the daemon's: it starts one interval after the first probes, and counts
 * the probes done in it (from `counts`, cumulative) and the process's CPU and memory.
 */
async function baselineWindow(o: BenchOptions, pid: number, counts: () => Promise<{ probes: number; failed: number }>): Promise<ScaleBaselineResult> {
  await sleep(firstIntervalMs(o));
  const [n0, u0] = [await counts(), readUsage(pid)];
  await sleep(o.scaleS * 1000);
  const [u1, n1] = [readUsage(pid), await counts()];
  const seconds = (u1.at - u0.at) / 1000;
  return {
    targets: o.scaleExporters,
    intervalS: SCALE_INTERVAL_S,
    seconds,
    probes: n1.probes - n0.probes,
    failed: n1.failed - n0.failed,
    cpuPercent: (cpuBetween(u0, u1) / 1000 / seconds) * 100,
    rssBytes: u1.rssBytes,
    hwmBytes: u1.hwmBytes,
  };
}

/**
 * The Node.js floor (`node-floor.ts`) probing the same targets at the same rate: each once every
 * 15 s, spread over the interval, on a fresh connection, with Node's own modules only. The window
 * starts one interval after its first round, as the daemon's does.
 */
export async function runScaleFloor(kinds: readonly ProbeKind[], o: BenchOptions): Promise<ScaleBaselineResult> {
  const floor = await startNodeFloor(mixedExporters(o.scaleExporters, kinds).map(floorTargetOf), SCALE_INTERVAL_S * 1000);
  try {
    await floor.waitReady(60_000);
    return await baselineWindow(o, floor.pid, () => floor.stats());
  } finally {
    await floor.stop();
  }
}
