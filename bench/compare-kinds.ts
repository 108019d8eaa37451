import { join } from 'node:path';
import { startBlackbox } from './blackbox-process.js';
import { startDriver } from './blackbox-driver.js';
import type { BenchCerts } from './bench-certs.js';
import type { BenchOptions } from './bench-options.js';
import type { ProbeKind } from './probe-kinds.js';
import { cpuBetween, readUsage, type ProcUsage } from './proc-usage.js';
import type { Sample } from '../src/collector/prometheus-text.js';
import { probesDone, startSentinel } from './sentinel-process.js';
import { median, sleep } from './stats.js';

/** One tool's figures over one measured window. */
export interface Window {
  readonly cpuMs: number;
  readonly probes: number;
  readonly seconds: number;
  readonly rssBytes: number;
  readonly hwmBytes: number;
  /** probes that failed (should be 0: every target is healthy) */
  readonly failed: number;
}

/** The two windows of one run of a tool. */
interface Windows {
  /** from the warm-up on: a fresh process */
  readonly fresh: Window;
  /** from `steadyS` on: a process that has been running */
  readonly steady: Window;
}

export interface KindResult {
  readonly kind: string;
  readonly label: string;
  readonly note: string;
  /** the steady windows, one per round */
  readonly ours: Window[];
  readonly theirs: Window[];
  /** the first windows, one per round */
  readonly oursFresh: Window[];
  readonly theirsFresh: Window[];
  /** medians over rounds, steady windows */
  readonly oursMsPerProbe: number;
  readonly theirsMsPerProbe: number;
  /** medians over rounds, first windows */
  readonly oursFreshMsPerProbe: number;
  readonly theirsFreshMsPerProbe: number;
  readonly oursRss: number;
  readonly theirsRss: number;
  readonly oursHwm: number;
  readonly theirsHwm: number;
}

const perProbe = (w: Window): number => (w.probes > 0 ? w.cpuMs / w.probes : NaN);

/** A window from the tool's usage at its two edges and the probes counted in between. */
const usageWindow = (a: ProcUsage, b: ProcUsage, probes: number, failed: number): Window => ({
  cpuMs: cpuBetween(a, b),
  probes,
  seconds: (b.at - a.at) / 1000,
  rssBytes: b.rssBytes,
  hwmBytes: b.hwmBytes,
  failed,
});

/**
 * Measures a tool that has just started twice: one window after the warm-up, and one from
 * `o.steadyS` after now. `read('start')`/`read('end')` take a reading at either edge of a window.
 */
async function twoWindows<R>(
  o: BenchOptions,
  read: (edge: 'start' | 'end') => Promise<R>,
  window: (start: R, end: R) => Window,
): Promise<Windows> {
  const startedAt = performance.now();
  const measure = async (): Promise<Window> => {
    const start = await read('start');
    await sleep(o.windowS * 1000);
    return window(start, await read('end'));
  };
  await sleep(o.warmupS * 1000);
  const fresh = await measure();
  const wait = startedAt + o.steadyS * 1000 - performance.now();
  if (wait > 0) await sleep(wait);
  return { fresh, steady: await measure() };
}

async function measureOurs(kind: ProbeKind, o: BenchOptions, dir: string, collectorPid: number): Promise<Windows> {
  const s = await startSentinel({
    dir,
    exporters: Array.from({ length: o.exporters }, (_, i) => kind.exporter(i)),
    interval: `${o.intervalS}s`,
    // the probe timeout may not exceed the interval
    timeout: `${Math.min(5, o.intervalS)}s`,
    mode: kind.mode,
    collectorPid,
  });
  try {
    await s.waitReady();
    const failures = (m: Sample[]): number =>
      m.filter((x) => x.name === 'otel_sentinel_probes_total' && x.labels.result === 'failure').reduce((a, x) => a + x.value, 0);
    // scrape outside the window: before its first reading and after its last
    return await twoWindows(
      o,
      async (edge) => {
        if (edge === 'start') {
          const metrics = await s.metrics();
          return { metrics, usage: readUsage(s.pid) };
        }
        const usage = readUsage(s.pid);
        return { metrics: await s.metrics(), usage };
      },
      (a, b) => usageWindow(a.usage, b.usage, probesDone(b.metrics) - probesDone(a.metrics), failures(b.metrics) - failures(a.metrics)),
    );
  } finally {
    await s.stop();
  }
}

async function measureTheirs(kind: ProbeKind, o: BenchOptions, dir: string, certs: BenchCerts): Promise<Windows> {
  const bb = await startBlackbox(dir, certs.caFile);
  const driver = startDriver(bb.probeUrl(kind.blackbox.target, kind.blackbox.module), o.exporters / o.intervalS);
  try {
    return await twoWindows(
      o,
      async () => ({ answered: driver.answered(), succeeded: driver.succeeded(), usage: readUsage(bb.pid) }),
      (a, b) => {
        const answered = b.answered - a.answered;
        return usageWindow(a.usage, b.usage, answered, answered - (b.succeeded - a.succeeded));
      },
    );
  } finally {
    await driver.stop();
    await bb.stop();
  }
}

/**
 * Each probe kind, otel-sentinel and blackbox_exporter alternately (A B A B), at the same open-loop
 * rate against the same target; each tool in a fresh process per round, measured twice in it (just
 * started, and steady).
 */
export async function compareKinds(
  kinds: readonly ProbeKind[],
  o: BenchOptions,
  dir: string,
  certs: BenchCerts,
  collectorPid: number,
  log: (line: string) => void,
): Promise<KindResult[]> {
  const results: KindResult[] = [];
  for (const kind of kinds) {
    const ours: Windows[] = [];
    const theirs: Windows[] = [];
    for (let r = 0; r < o.rounds; r++) {
      ours.push(await measureOurs(kind, o, join(dir, `${kind.id}-ours-${r}`), collectorPid));
      theirs.push(await measureTheirs(kind, o, join(dir, `${kind.id}-theirs-${r}`), certs));
      const a = ours[ours.length - 1]!;
      const b = theirs[theirs.length - 1]!;
      const show = (w: Window): string => `${w.probes} probes ${w.cpuMs.toFixed(0)} ms CPU (${perProbe(w).toFixed(3)} ms/probe, ${w.failed} failed)`;
      log(`  ${kind.label} round ${r + 1}, steady: otel-sentinel ${show(a.steady)}; blackbox ${show(b.steady)}`);
      log(`  ${kind.label} round ${r + 1}, first window: otel-sentinel ${show(a.fresh)}; blackbox ${show(b.fresh)}`);
    }
    const oursSteady = ours.map((w) => w.steady);
    const theirsSteady = theirs.map((w) => w.steady);
    const oursFresh = ours.map((w) => w.fresh);
    const theirsFresh = theirs.map((w) => w.fresh);
    results.push({
      kind: kind.id,
      label: kind.label,
      note: kind.note,
      ours: oursSteady,
      theirs: theirsSteady,
      oursFresh,
      theirsFresh,
      oursMsPerProbe: median(oursSteady.map(perProbe)),
      theirsMsPerProbe: median(theirsSteady.map(perProbe)),
      oursFreshMsPerProbe: median(oursFresh.map(perProbe)),
      theirsFreshMsPerProbe: median(theirsFresh.map(perProbe)),
      oursRss: median(oursSteady.map((w) => w.rssBytes)),
      theirsRss: median(theirsSteady.map((w) => w.rssBytes)),
      oursHwm: median(oursSteady.map((w) => w.hwmBytes)),
      theirsHwm: median(theirsSteady.map((w) => w.hwmBytes)),
    });
  }
  return results;
}
