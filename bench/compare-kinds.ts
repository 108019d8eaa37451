import { join } from 'node:path';
import { startBlackbox } from './blackbox-process.js';
import { startDriver } from './blackbox-driver.js';
import type { BenchCerts } from './bench-certs.js';
import type { BenchOptions } from './bench-options.js';
import type { ProbeKind } from './probe-kinds.js';
import { cpuBetween, readUsage } from './proc-usage.js';
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

export interface KindResult {
  readonly kind: string;
  readonly label: string;
  readonly note: string;
  readonly ours: Window[];
  readonly theirs: Window[];
  /** medians over rounds */
  readonly oursMsPerProbe: number;
  readonly theirsMsPerProbe: number;
  readonly oursRss: number;
  readonly theirsRss: number;
  readonly oursHwm: number;
  readonly theirsHwm: number;
}

const perProbe = (w: Window): number => (w.probes > 0 ? w.cpuMs / w.probes : NaN);

async function measureOurs(kind: ProbeKind, o: BenchOptions, dir: string, collectorPid: number): Promise<Window> {
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
    await sleep(o.warmupS * 1000);
    // scrape outside the window: before the first reading and after the last
    const before = await s.metrics();
    const u0 = readUsage(s.pid);
    await sleep(o.windowS * 1000);
    const u1 = readUsage(s.pid);
    const after = await s.metrics();
    const failures = (m: typeof before): number =>
      m.filter((x) => x.name === 'otel_sentinel_probes_total' && x.labels.result === 'failure').reduce((a, x) => a + x.value, 0);
    return {
      cpuMs: cpuBetween(u0, u1),
      probes: probesDone(after) - probesDone(before),
      seconds: (u1.at - u0.at) / 1000,
      rssBytes: u1.rssBytes,
      hwmBytes: u1.hwmBytes,
      failed: failures(after) - failures(before),
    };
  } finally {
    await s.stop();
  }
}

async function measureTheirs(kind: ProbeKind, o: BenchOptions, dir: string, certs: BenchCerts): Promise<Window> {
  const bb = await startBlackbox(dir, certs.caFile);
  const driver = startDriver(bb.probeUrl(kind.blackbox.target, kind.blackbox.module), o.exporters / o.intervalS);
  try {
    await sleep(o.warmupS * 1000);
    const a0 = driver.answered();
    const s0 = driver.succeeded();
    const u0 = readUsage(bb.pid);
    await sleep(o.windowS * 1000);
    const u1 = readUsage(bb.pid);
    const answered = driver.answered() - a0;
    return {
      cpuMs: cpuBetween(u0, u1),
      probes: answered,
      seconds: (u1.at - u0.at) / 1000,
      rssBytes: u1.rssBytes,
      hwmBytes: u1.hwmBytes,
      failed: answered - (driver.succeeded() - s0),
    };
  } finally {
    await driver.stop();
    await bb.stop();
  }
}

/**
 * Each probe kind, otel-sentinel and blackbox_exporter alternately (A B A B), at the same open-loop
 * rate against the same target; each tool in a fresh process per window.
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
    const ours: Window[] = [];
    const theirs: Window[] = [];
    for (let r = 0; r < o.rounds; r++) {
      ours.push(await measureOurs(kind, o, join(dir, `${kind.id}-ours-${r}`), collectorPid));
      theirs.push(await measureTheirs(kind, o, join(dir, `${kind.id}-theirs-${r}`), certs));
      const a = ours[ours.length - 1]!;
      const b = theirs[theirs.length - 1]!;
      log(
        `  ${kind.label} round ${r + 1}: otel-sentinel ${a.probes} probes ${a.cpuMs.toFixed(0)} ms CPU (${perProbe(a).toFixed(3)} ms/probe, ${a.failed} failed); ` +
          `blackbox ${b.probes} probes ${b.cpuMs.toFixed(0)} ms CPU (${perProbe(b).toFixed(3)} ms/probe, ${b.failed} failed)`,
      );
    }
    results.push({
      kind: kind.id,
      label: kind.label,
      note: kind.note,
      ours,
      theirs,
      oursMsPerProbe: median(ours.map(perProbe)),
      theirsMsPerProbe: median(theirs.map(perProbe)),
      oursRss: median(ours.map((w) => w.rssBytes)),
      theirsRss: median(theirs.map((w) => w.rssBytes)),
      oursHwm: median(ours.map((w) => w.hwmBytes)),
      theirsHwm: median(theirs.map((w) => w.hwmBytes)),
    });
  }
  return results;
}
